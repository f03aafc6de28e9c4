package com.example.toolkitplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Node;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.OutputActivation;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.api.spi.RecommendedTraining;

/** The graphs the architecture declares, checked through the builder alone: no runtime needed. */
class PixelShuffleVaeArchitectureTest {
    private final PixelShuffleVaeArchitecture architecture = new PixelShuffleVaeArchitecture();

    private PluginOptions options(Map<String, String> given) {
        return PluginOptions.of(architecture.id(), architecture.options(), given);
    }

    private LatentModel model(Map<String, String> given, ImageShape shape) {
        return architecture.create(options(given), shape);
    }

    private static List<String> parameterShapes(Graph g) {
        return g.parameters().stream().map(p -> p.name() + p.shape()).toList();
    }

    @Test
    void defaultsOnTwentyEightPixelGreyImages() {
        LatentModel m = model(Map.of(), new ImageShape(1, 28, 28));
        assertEquals(16, m.latentSize());
        Graph g = new Graph(Phase.TRAINING);
        Encoding e = m.encode(g, g.input("x", Shape.BATCH, 1, 28, 28));
        assertEquals(Shape.of(Shape.BATCH, 16), e.mu().shape());
        assertEquals(Shape.of(Shape.BATCH, 16), e.logvar().shape());
        Decoding d = m.decode(g, g.input("z", Shape.BATCH, 16));
        assertEquals(Shape.of(Shape.BATCH, 1, 28, 28), d.output().shape());
        assertEquals(Shape.of(Shape.BATCH, 1, 28, 28), d.preActivation().shape());
        assertEquals(OutputActivation.SIGMOID, d.activation());
        assertEquals(List.of(
                "encoder/block1/conv/weight[32, 1, 3, 3]", "encoder/block1/conv/bias[32]",
                "encoder/block1/bn/weight[32]", "encoder/block1/bn/bias[32]",
                "encoder/block1/bn/running_mean[32]", "encoder/block1/bn/running_var[32]",
                "encoder/block2/conv/weight[64, 32, 3, 3]", "encoder/block2/conv/bias[64]",
                "encoder/block2/bn/weight[64]", "encoder/block2/bn/bias[64]",
                "encoder/block2/bn/running_mean[64]", "encoder/block2/bn/running_var[64]",
                "encoder/mu/weight[16, 3136]", "encoder/mu/bias[16]",
                "encoder/logvar/weight[16, 3136]", "encoder/logvar/bias[16]",
                "decoder/input/weight[3136, 16]", "decoder/input/bias[3136]",
                "decoder/block1/expand/weight[128, 64, 3, 3]", "decoder/block1/expand/bias[128]",
                "decoder/block1/bn/weight[32]", "decoder/block1/bn/bias[32]",
                "decoder/block1/bn/running_mean[32]", "decoder/block1/bn/running_var[32]",
                "decoder/final/expand/weight[128, 32, 3, 3]", "decoder/final/expand/bias[128]",
                "decoder/final/bn/weight[32]", "decoder/final/bn/bias[32]",
                "decoder/final/bn/running_mean[32]", "decoder/final/bn/running_var[32]",
                "decoder/final/out/weight[1, 32, 3, 3]", "decoder/final/out/bias[1]"), parameterShapes(g));
    }

    @Test
    void decoderUpsamplesWithPixelShuffleOnly() {
        LatentModel m = model(Map.of("channels", "8,16,32", "latent", "4"), new ImageShape(3, 32, 32));
        Graph g = new Graph(Phase.INFERENCE);
        Decoding d = m.decode(g, g.input("z", Shape.BATCH, 4));
        assertEquals(Shape.of(Shape.BATCH, 3, 32, 32), d.output().shape());
        List<Node> shuffles = g.nodes().stream().filter(n -> n.op() == Op.DEPTH_TO_SPACE).toList();
        assertEquals(3, shuffles.size(), "one pixel shuffle per encoder block");
        for (Node n : shuffles) {
            assertEquals(2, n.attributes().getInt("blocksize", 0));
            assertEquals("CRD", n.attributes().get("mode"), "CRD is PyTorch's PixelShuffle order");
        }
        assertEquals(List.of(Shape.of(Shape.BATCH, 16, 8, 8), Shape.of(Shape.BATCH, 8, 16, 16), Shape.of(Shape.BATCH, 8, 32, 32)),
                shuffles.stream().map(n -> n.output().shape()).toList());
        assertTrue(g.nodes().stream().noneMatch(n -> n.op() == Op.CONV_TRANSPOSE), "no ConvTranspose");
    }

    @Test
    void trainingAndInferenceGraphsNameTheParametersAlike() {
        LatentModel m = model(Map.of("channels", "4", "latent", "2"), new ImageShape(1, 8, 8));
        Graph training = new Graph(Phase.TRAINING);
        m.encode(training, training.input("x", Shape.BATCH, 1, 8, 8));
        m.decode(training, training.input("z", Shape.BATCH, 2));
        Graph inference = new Graph(Phase.INFERENCE);
        m.encode(inference, inference.input("x", Shape.BATCH, 1, 8, 8));
        m.decode(inference, inference.input("z", Shape.BATCH, 2));
        assertEquals(parameterShapes(training), parameterShapes(inference));
    }

    @Test
    void preferredShapeOnlyWhenImageSizeIsGiven() {
        assertNull(architecture.preferredImageShape(options(Map.of())));
        assertEquals(new ImageShape(1, 32, 32), architecture.preferredImageShape(options(Map.of("image-size", "32"))));
        assertEquals(new ImageShape(3, 16, 16),
                architecture.preferredImageShape(options(Map.of("image-size", "16", "image-channels", "3"))));
    }

    @Test
    void configurationAndTrainingDefaults() {
        LatentModel m = model(Map.of("channels", "8, 16"), new ImageShape(1, 16, 16));
        assertEquals("8,16", m.configuration().get("channels"));
        assertEquals("pixelshuffle-vae", m.configuration().get("architecture"));
        assertNull(m.configuration().get("graph-version"), "fingerprints come from the graph, not a version");
        assertEquals("1x16x16", m.configuration().get("image"));
        assertEquals(new RecommendedTraining("bce-kl", null, 64, 0.001, null), m.recommendedTraining());
    }

    @Test
    void unsuitableOptionsAndShapesGiveOneLineMessages() {
        ImageShape grey28 = new ImageShape(1, 28, 28);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model(Map.of("channels", "8,16,32"), grey28));
        assertEquals("pixelshuffle-vae with 3 stride-2 blocks needs an image side divisible by 8, got 28; use fewer"
                + " channels or another -O image-size", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model(Map.of(), new ImageShape(1, 28, 32)));
        assertTrue(e.getMessage().contains("needs square images, got 1x28x32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model(Map.of("channels", ""), grey28));
        assertTrue(e.getMessage().contains("must list 1 to 12 channel counts, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model(Map.of("latent", "0"), grey28));
        assertTrue(e.getMessage().contains("latent must be a positive integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model(Map.of("hidden", "400"), grey28));
        assertTrue(e.getMessage().contains("pixelshuffle-vae has no option 'hidden'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> architecture.preferredImageShape(options(Map.of("image-size", "big"))));
        assertTrue(e.getMessage().contains("image-size must be a positive integer"), e.getMessage());
    }
}
