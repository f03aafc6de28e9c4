package org.onnxtoolkit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.nn.Layers;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.ObjectiveTerms;

/** The architecture and objective checks: what passes, and the one line each flaw gets. */
class ModelChecksTest {
    private static final ImageShape GREY = new ImageShape(1, 4, 4);

    @Test
    void aWellFormedArchitecturePassesAndItsModelIsReturned() {
        LatentModel m = PluginConformance.assertArchitecture(new TinyVae(), GREY);
        assertEquals(2, m.latentSize());
        assertEquals(GREY, m.imageShape());
        LatentModel wide = PluginConformance.assertArchitecture(new TinyVae(), Map.of("latent", "5"), new ImageShape(3, 8, 6));
        assertEquals(5, wide.latentSize());
        // A frozen parameter needs no gradient.
        PluginConformance.assertArchitecture(new TinyVae(TinyVae.Flaw.FROZEN_UNUSED_PARAMETER), GREY);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "UNUSED_PARAMETER | tiny-vae: trainable parameter 'encoder/unused' does not reach the loss through operations with a gradient",
            "NOISE_ONLY_PARAMETER | trainable parameter 'encoder/seedling' does not reach the loss",
            "INT_CAST_PARAMETER | trainable parameter 'encoder/counter' does not reach the loss",
            "PHASE_DEPENDENT_NAMES | tiny-vae: the training and inference graphs declare different parameters, encoder/fc_training/weight only in the first, encoder/fc_training/bias only in the first, encoder/fc_inference/weight only in the second",
            "NOISY_DECODER | tiny-vae: decode draws random numbers (RandomNormalLike",
            "WRONG_SHAPE | tiny-vae: create(options, 1x4x4) returned a model of shape 1x5x4",
            "UNSTABLE_CONFIGURATION | tiny-vae: two models of the same options and shape have different configurations",
            "FLAT_MU | tiny-vae: encode must give float mu and logvar of shape [batch, 2], got 'encoder/ReduceMean"})
    void eachArchitectureFlawIsNamed(TinyVae.Flaw flaw, String expected) {
        Failures.message(() -> PluginConformance.assertArchitecture(new TinyVae(flaw), GREY), expected);
    }

    @Test
    void optionsTheArchitectureRefusesAndAMissingShapeAreNamed() {
        Failures.message(() -> PluginConformance.assertArchitecture(new TinyVae(), Map.of("depth", "3"), GREY),
                "tiny-vae refuses the options {depth=3}: java.lang.IllegalArgumentException: tiny-vae has no option"
                        + " 'depth' (options: hidden, latent)");
        Failures.message(() -> PluginConformance.assertArchitecture(new TinyVae(), Map.of("hidden", "0"), GREY),
                "tiny-vae: create(", "option hidden must be a positive integer, got '0'");
        Failures.message(() -> PluginConformance.assertArchitecture(new TinyVae(), null),
                "tiny-vae prefers no image shape for {}; pass the shape of a dataset to check it with");
    }

    @Test
    void aWellFormedObjectivePasses() {
        LatentModel m = PluginConformance.assertArchitecture(new TinyVae(), GREY);
        ObjectiveTerms t = PluginConformance.assertObjective(new TinyObjective(), m);
        assertEquals(Shape.SCALAR, t.loss().shape());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DECODES_TWICE | tiny-objective: build called encode 1 and decode 2 times; it must call each once",
            "PER_IMAGE_LOSS | tiny-objective: term loss must be a float scalar (rank 0, averaged over the batch), got",
            "LOSS_WITHOUT_MODEL | tiny-objective: the loss does not reach the trainable parameters 'encoder/fc/weight', 'encoder/fc/bias'"})
    void eachObjectiveFlawIsNamed(TinyObjective.Flaw flaw, String expected) {
        LatentModel m = PluginConformance.assertArchitecture(new TinyVae(), GREY);
        Failures.message(() -> PluginConformance.assertObjective(new TinyObjective(flaw), m), expected);
    }

    /** Convolutions, batch norm, pixel shuffle and a transpose all pass gradients; noise and reshape targets do not. */
    @Test
    void theWalkFollowsTheCompilersGradientRules() {
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("x", Shape.BATCH, 1, 4, 4);
        Value h = Layers.batchNorm2d(g, "bn", Layers.conv2d(g, "conv", x, 4, 3, ConvOptions.of(1, 1)));
        h = g.depthToSpace(h, 2, true).transpose(0, 1, 3, 2);
        Value noiseOnly = g.parameter("noise_only", Init.zeros(), 1, 8, 8);
        Value loss = h.add(g.randomNormalLike(noiseOnly)).flatten().sum();
        assertEquals(List.of("noise_only"), GradientReach.unreached(g, loss).stream().map(Value::name).toList());
        assertEquals(List.of("conv/weight", "conv/bias", "bn/weight", "bn/bias", "noise_only"),
                g.parameters().stream().filter(Value::trainable).map(Value::name).toList());
    }
}
