package org.onnxtoolkit.plugins.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.RecommendedTraining;
import org.onnxtoolkit.testkit.PluginConformance;

/** This jar's plugins against the plugin test kit, as any third-party plugin is checked. */
class PluginConformanceTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);

    @Test
    void pluginClassesIdsAndBeansXml() {
        assertEquals(List.of("mlp-vae", "conv-vae", "bce-kl", "mse-kl", "onnx-vae"), PluginConformance.assertPluginClasses(
                MlpVaeArchitecture.class, ConvVaeArchitecture.class, BceKlObjective.class, MseKlObjective.class,
                OnnxVaeArchitecture.class));
    }

    @Test
    void mlpVaeBuildsAndEveryParameterReachesTheLoss() {
        PluginConformance.assertArchitecture(new MlpVaeArchitecture(), MNIST);
        PluginConformance.assertArchitecture(new MlpVaeArchitecture(), Map.of("hidden", "512,256", "latent", "2"), MNIST);
        PluginConformance.assertArchitecture(new MlpVaeArchitecture(), new ImageShape(3, 16, 16));
    }

    @Test
    void convVaePresetsBuildAndEveryParameterReachesTheLoss() {
        LatentModel celeba = PluginConformance.assertArchitecture(new ConvVaeArchitecture(), null);
        assertEquals(new ImageShape(3, 64, 64), celeba.imageShape());
        assertEquals(new RecommendedTraining("mse-kl", null, 64, 0.005, 0.00025), celeba.recommendedTraining());
        PluginConformance.assertArchitecture(new ConvVaeArchitecture(), Map.of("preset", "vanilla", "image-size", "32",
                "channels", "8,16"), null);
        PluginConformance.assertArchitecture(new ConvVaeArchitecture(), Map.of("output", "sigmoid", "image-channels", "1",
                "image-size", "16", "channels", "4,8"), null);
    }

    @Test
    void conditionedOnAClassBothArchitecturesUseTheClassAndEveryParameterReachesTheLoss() {
        PluginConformance.assertConditionalModelGraphs("mlp-vae", PluginConformance.assertArchitecture(
                new MlpVaeArchitecture(), MNIST), 10);
        PluginConformance.assertConditionalModelGraphs("mlp-vae", PluginConformance.assertArchitecture(
                new MlpVaeArchitecture(), Map.of("hidden", "512,256", "latent", "2"), MNIST), 3);
        PluginConformance.assertConditionalModelGraphs("conv-vae", PluginConformance.assertArchitecture(
                new ConvVaeArchitecture(), Map.of("output", "sigmoid", "image-channels", "1", "image-size", "16",
                        "channels", "4,8"), null), 10);
        PluginConformance.assertConditionalModelGraphs("conv-vae", PluginConformance.assertArchitecture(
                new ConvVaeArchitecture(), Map.of("preset", "vanilla", "image-size", "32", "channels", "8,16"), null), 2);
    }

    @Test
    void objectivesReachEveryParameterOfTheModelsTheySuit() {
        LatentModel mlp = PluginConformance.assertArchitecture(new MlpVaeArchitecture(), MNIST);
        PluginConformance.assertObjective(new BceKlObjective(), mlp);
        PluginConformance.assertObjective(new MseKlObjective(), mlp);
        LatentModel tanh = PluginConformance.assertArchitecture(new ConvVaeArchitecture(), Map.of("preset", "vanilla",
                "image-size", "16", "channels", "4,8"), null);
        PluginConformance.assertObjective(new MseKlObjective(), tanh);
    }
}
