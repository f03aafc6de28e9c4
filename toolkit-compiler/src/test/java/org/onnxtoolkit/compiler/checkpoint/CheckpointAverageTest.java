package org.onnxtoolkit.compiler.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CheckpointAverage} and {@link CheckpointWriter}'s optimizer groups, without ONNX Runtime. */
class CheckpointAverageTest {

    private static CheckpointContents checkpoint(float w, float m0, float m1, long step) throws Exception {
        NamedTensor weight = new NamedTensor("fc/weight", new long[] {2}, new float[] {w, -w});
        NamedTensor frozen = new NamedTensor("bn/mean", new long[] {1}, new float[] {w * 10});
        OptimizerGroupState group = new OptimizerGroupState("group0", step, 0.001f, List.of(
                new ParameterOptimizerState("fc/weight", List.of(
                        new NamedTensor("momentum0", new long[] {2}, new float[] {m0, m0}),
                        new NamedTensor("momentum1", new long[] {2}, new float[] {m1, m1})))));
        byte[] bytes = new CheckpointWriter().addTrainable(weight).addFrozen(frozen).addOptimizerGroup(group)
                .addProperty("origin", "test").addProperty("epoch", 3L).toBytes();
        return CheckpointReader.read(bytes, "test");
    }

    @Test
    void theWriterWritesOptimizerGroupsThatTheReaderReadsBack() throws Exception {
        CheckpointContents c = checkpoint(1f, 0.5f, 0.25f, 0);
        OptimizerGroupState g = c.optimizerGroup("group0").orElseThrow();
        assertEquals(0, g.step(), "a step of 0 is written, not left to the default");
        assertEquals(0.001f, g.initialLearningRate());
        assertArrayEquals(new float[] {0.25f, 0.25f},
                g.parameterState("fc/weight").orElseThrow().momentum("momentum1").orElseThrow().data());
        assertEquals("test", c.stringProperties().get("origin"));
    }

    @Test
    void averagesParametersAndMomentsAndTakesTheLargestStep() throws Exception {
        CheckpointContents a = checkpoint(1f, 0.5f, 0.25f, 4);
        CheckpointContents b = checkpoint(2f, 1.5f, 0.75f, 3);
        CheckpointContents mean = CheckpointReader.read(CheckpointAverage.of(List.of(a, b)), "mean");
        assertArrayEquals(new float[] {1.5f, -1.5f}, mean.parameter("fc/weight").orElseThrow().data());
        assertArrayEquals(new float[] {15f}, mean.parameter("bn/mean").orElseThrow().data());
        ParameterOptimizerState s = mean.optimizerGroups().get(0).parameterState("fc/weight").orElseThrow();
        assertArrayEquals(new float[] {1f, 1f}, s.momentum("momentum0").orElseThrow().data());
        assertArrayEquals(new float[] {0.5f, 0.5f}, s.momentum("momentum1").orElseThrow().data());
        assertEquals(4, mean.optimizerGroups().get(0).step());
        assertEquals(3L, mean.intProperties().get("epoch"));
    }

    @Test
    void theMeanOfOneCheckpointIsThatCheckpoint() throws Exception {
        CheckpointContents a = checkpoint(0.1f, 1e-7f, 3.3f, 17);
        assertEquals(a, CheckpointReader.read(CheckpointAverage.of(List.of(a)), "one"));
    }

    @Test
    void refusesCheckpointsOfDifferentModels() throws Exception {
        CheckpointContents a = checkpoint(1f, 0.5f, 0.25f, 4);
        CheckpointContents other = CheckpointReader.read(new CheckpointWriter()
                .addTrainable(new NamedTensor("fc/weight", new long[] {1, 2}, new float[] {1, 2}))
                .addFrozen(new NamedTensor("bn/mean", new long[] {1}, new float[] {0})).toBytes(), "other");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointAverage.of(List.of(a, other)));
        assertTrue(e.getMessage().contains("not of one model"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CheckpointAverage.of(List.of()));
    }

    @Test
    void theWriterRefusesOptimizerStateThatFitsNoParameter() {
        NamedTensor weight = new NamedTensor("w", new long[] {2}, new float[] {1, 2});
        OptimizerGroupState wrongShape = new OptimizerGroupState("group0", 1, 0.001f, List.of(
                new ParameterOptimizerState("w", List.of(new NamedTensor("momentum0", new long[] {3}, new float[3])))));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CheckpointWriter().addTrainable(weight).addOptimizerGroup(wrongShape).toBytes());
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
        OptimizerGroupState unknown = new OptimizerGroupState("group0", 1, 0.001f, List.of(
                new ParameterOptimizerState("v", List.of())));
        e = assertThrows(IllegalStateException.class,
                () -> new CheckpointWriter().addTrainable(weight).addOptimizerGroup(unknown).toBytes());
        assertTrue(e.getMessage().contains("no trainable parameter"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CheckpointWriter().addOptimizerGroup(unknown)
                .addOptimizerGroup(unknown));
    }
}
