package org.onnxtoolkit.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The typed training recommendation: each setting optional, each checked when the record is made. */
class RecommendedTrainingTest {
    @Test
    void unsetValuesFallBackAndSetOnesWin() {
        RecommendedTraining none = RecommendedTraining.NONE;
        assertNull(none.objective());
        assertEquals("bce-kl", none.objectiveOr("bce-kl"));
        assertEquals(5, none.epochsOr(5));
        assertEquals(128, none.batchSizeOr(128));
        assertEquals(1e-3, none.learningRateOr(1e-3));
        assertEquals(1.0, none.klWeightOr(1.0));
        RecommendedTraining conv = none.withObjective("mse-kl").withLearningRate(0.005).withBatchSize(64)
                .withKlWeight(0.00025).withEpochs(10);
        assertEquals(new RecommendedTraining("mse-kl", 10, 64, 0.005, 0.00025), conv);
        assertEquals("mse-kl", conv.objectiveOr("bce-kl"));
        assertEquals(10, conv.epochsOr(5));
        assertEquals(64, conv.batchSizeOr(128));
        assertEquals(0.005, conv.learningRateOr(1e-3));
        assertEquals(0.00025, conv.klWeightOr(1.0));
        assertEquals(0.0, none.withKlWeight(0).klWeightOr(1.0), "a KL weight of 0 is a recommendation");
    }

    @Test
    void wrongValuesFailInOneLineWhenTheRecordIsMade() {
        assertEquals("recommended training: objective 'BCE_KL' is not a lower-kebab-case plugin id, like 'bce-kl'",
                assertThrows(IllegalArgumentException.class, () -> RecommendedTraining.NONE.withObjective("BCE_KL"))
                        .getMessage());
        assertEquals("recommended training: epochs must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> RecommendedTraining.NONE.withEpochs(0)).getMessage());
        assertEquals("recommended training: batch size must be at least 1, got -64",
                assertThrows(IllegalArgumentException.class, () -> RecommendedTraining.NONE.withBatchSize(-64))
                        .getMessage());
        assertEquals("recommended training: learning rate must be a finite number > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> RecommendedTraining.NONE.withLearningRate(0))
                        .getMessage());
        assertEquals("recommended training: learning rate must be a finite number > 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> RecommendedTraining.NONE.withLearningRate(Double.NaN))
                        .getMessage());
        assertEquals("recommended training: KL weight must be a finite number >= 0, got Infinity",
                assertThrows(IllegalArgumentException.class,
                        () -> RecommendedTraining.NONE.withKlWeight(Double.POSITIVE_INFINITY)).getMessage());
    }
}
