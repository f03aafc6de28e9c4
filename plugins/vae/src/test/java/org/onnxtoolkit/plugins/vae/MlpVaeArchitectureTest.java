package org.onnxtoolkit.plugins.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.ObjectiveTerms;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.api.spi.RecommendedTraining;

class MlpVaeArchitectureTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);

    private static LatentModel model(Map<String, String> options) {
        MlpVaeArchitecture a = new MlpVaeArchitecture();
        return a.create(PluginOptions.of(a.id(), a.options(), options), MNIST);
    }

    private static List<String> parameterShapes(Graph g) {
        return g.parameters().stream().map(p -> p.name() + p.shape()).toList();
    }

    @Test
    void defaultIsThePytorchExample784_400_20() {
        LatentModel m = model(Map.of());
        assertEquals(20, m.latentSize());
        Graph g = new Graph(Phase.TRAINING);
        ObjectiveTerms t = new BceKlObjective().build(g, m, g.input("x", Shape.BATCH, 1, 28, 28), g.input("kl_weight"),
                PluginOptions.of("bce-kl", List.of(), Map.of()));
        assertEquals(List.of("encoder/fc1/weight[400, 784]", "encoder/fc1/bias[400]", "encoder/mu/weight[20, 400]",
                "encoder/mu/bias[20]", "encoder/logvar/weight[20, 400]", "encoder/logvar/bias[20]",
                "decoder/fc1/weight[400, 20]", "decoder/fc1/bias[400]", "decoder/out/weight[784, 400]",
                "decoder/out/bias[784]"), parameterShapes(g));
        for (Value v : List.of(t.loss(), t.reconstruction(), t.kl(), t.negativeElbo())) {
            assertEquals(Shape.SCALAR, v.shape());
            assertEquals(DataType.FLOAT, v.type());
        }
        assertEquals(new RecommendedTraining("bce-kl", null, 128, 0.001, null), m.recommendedTraining());
    }

    @Test
    void conditionedOnTenClassesTheOneHotClassWidensTheFirstLayers() {
        LatentModel m = model(Map.of());
        Graph g = new Graph(Phase.TRAINING);
        Value condition = org.onnxtoolkit.api.nn.Layers.oneHot(g, g.input("label", DataType.INT64, Shape.BATCH), 10);
        assertEquals(Shape.of(Shape.BATCH, 10), condition.shape());
        var e = m.encode(g, g.input("x", Shape.BATCH, 1, 28, 28), condition);
        var d = m.decode(g, e.mu(), condition);
        assertEquals(Shape.of(Shape.BATCH, 1, 28, 28), d.output().shape());
        assertEquals(List.of("encoder/fc1/weight[400, 794]", "encoder/fc1/bias[400]", "encoder/mu/weight[20, 400]",
                "encoder/mu/bias[20]", "encoder/logvar/weight[20, 400]", "encoder/logvar/bias[20]",
                "decoder/fc1/weight[400, 30]", "decoder/fc1/bias[400]", "decoder/out/weight[784, 400]",
                "decoder/out/bias[784]"), parameterShapes(g));
        assertTrue(m.conditionable());
    }

    @Test
    void convVaeTakesTheClassAsConstantChannelsAndBesideTheLatentVector() {
        ConvVaeArchitecture a = new ConvVaeArchitecture();
        LatentModel m = a.create(PluginOptions.of(a.id(), a.options(), Map.of("channels", "4,8", "image-size", "16",
                "image-channels", "1", "latent", "3")), new ImageShape(1, 16, 16));
        Graph g = new Graph(Phase.TRAINING);
        Value condition = org.onnxtoolkit.api.nn.Layers.oneHot(g, g.input("label", DataType.INT64, Shape.BATCH), 5);
        var e = m.encode(g, g.input("x", Shape.BATCH, 1, 16, 16), condition);
        m.decode(g, e.mu(), condition);
        List<String> shapes = parameterShapes(g);
        assertTrue(shapes.contains("encoder/block1/conv/weight[4, 6, 3, 3]"), shapes.toString());
        assertTrue(shapes.contains("decoder/input/weight[128, 8]"), shapes.toString());
    }

    @Test
    void twoDimensionalVariantMirrorsTheEncoder() {
        LatentModel m = model(Map.of("hidden", "512,256", "latent", "2"));
        Graph g = new Graph(Phase.INFERENCE);
        var d = m.decode(g, g.input("z", Shape.BATCH, 2));
        assertEquals(Shape.of(Shape.BATCH, 1, 28, 28), d.output().shape());
        assertEquals(List.of("decoder/fc1/weight[256, 2]", "decoder/fc1/bias[256]", "decoder/fc2/weight[512, 256]",
                "decoder/fc2/bias[512]", "decoder/out/weight[784, 512]", "decoder/out/bias[784]"), parameterShapes(g));
        assertEquals("512,256", m.configuration().get("hidden"));
    }

    @Test
    void badOptionsGiveOneLineMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model(Map.of("hidden", "400,x")));
        assertTrue(e.getMessage().contains("hidden") && e.getMessage().contains("positive integers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model(Map.of("latent", "0")));
        assertTrue(e.getMessage().contains("latent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model(Map.of("preset", "celeba64")));
        assertTrue(e.getMessage().contains("mlp-vae has no option 'preset'"), e.getMessage());
    }
}
