package org.onnxtoolkit.plugins.vae;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.nn.Layers;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.OutputActivation;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.api.spi.RecommendedTraining;

/**
 * {@code mlp-vae}: the fully connected VAE of PyTorch's MNIST example. With the defaults (hidden 400,
 * latent 20) on 28x28 images it is exactly {@code 784-400-(20, 20)} for the encoder and {@code 20-400-784}
 * for the decoder, ReLU between layers and a sigmoid output; {@code --hidden 512,256 --latent 2} gives
 * the {@code 784-512-256-2} variant, whose decoder mirrors the encoder. Parameter names follow the layers:
 * {@code encoder/fc1/weight}, {@code encoder/mu/bias}, {@code decoder/out/weight}. Conditioned on a class
 * ({@code train --conditional}, K classes), the one-hot class joins the flattened image and the latent vector,
 * so {@code encoder/fc1/weight} is {@code [hidden, C H W + K]} and {@code decoder/fc1/weight}
 * {@code [hidden, latent + K]} (the CVAE of Sohn et al. 2015 in its simplest form).
 */
@PluginId(MlpVaeArchitecture.ID)
@ApplicationScoped
public class MlpVaeArchitecture implements Architecture {
    public static final String ID = "mlp-vae";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "fully connected VAE (PyTorch MNIST example: 784-400-20, sigmoid output)";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                new OptionSpec("hidden", "400", "hidden layer sizes of the encoder, comma-separated; the decoder mirrors them"),
                new OptionSpec("latent", "20", "latent dimensions"));
    }

    @Override
    public LatentModel create(PluginOptions options, ImageShape imageShape) {
        List<Integer> hidden = options.getPositiveIntList("hidden");
        int latent = options.getPositiveInt("latent");
        return new Model(imageShape, hidden, latent);
    }

    private record Model(ImageShape imageShape, List<Integer> hidden, int latentSize) implements LatentModel {
        Model {
            hidden = List.copyOf(hidden);
        }

        @Override
        public SortedMap<String, String> configuration() {
            SortedMap<String, String> c = new TreeMap<>();
            c.put("architecture", ID);
            c.put("hidden", hidden.toString().replaceAll("[\\[\\] ]", ""));
            c.put("latent", Integer.toString(latentSize));
            c.put("image", imageShape.toString());
            return c;
        }

        /** PyTorch's MNIST example: Bernoulli likelihood, Adam 0.001, batch 128. */
        @Override
        public RecommendedTraining recommendedTraining() {
            return RecommendedTraining.NONE.withObjective(BceKlObjective.ID).withLearningRate(0.001).withBatchSize(128);
        }

        @Override
        public boolean conditionable() {
            return true;
        }

        @Override
        public Encoding encode(Graph g, Value x) {
            return encode(g, x, null);
        }

        @Override
        public Decoding decode(Graph g, Value z) {
            return decode(g, z, null);
        }

        /** A class's one-hot vector, when given, is appended to the flattened image: {@code fc1} reads both. */
        @Override
        public Encoding encode(Graph g, Value x, Value condition) {
            try (var s = g.scope("encoder")) {
                Value h = condition == null ? x.flatten() : g.concat(List.of(x.flatten(), condition), 1);
                for (int i = 0; i < hidden.size(); i++) {
                    h = Layers.linear(g, "fc" + (i + 1), h, hidden.get(i)).relu();
                }
                return new Encoding(Layers.linear(g, "mu", h, latentSize), Layers.linear(g, "logvar", h, latentSize));
            }
        }

        /** A class's one-hot vector, when given, is appended to the latent vector: {@code fc1} reads both. */
        @Override
        public Decoding decode(Graph g, Value z, Value condition) {
            try (var s = g.scope("decoder")) {
                Value h = condition == null ? z : g.concat(List.of(z, condition), 1);
                for (int i = hidden.size() - 1, layer = 1; i >= 0; i--, layer++) {
                    h = Layers.linear(g, "fc" + layer, h, hidden.get(i)).relu();
                }
                Value logits = Layers.linear(g, "out", h, imageShape.size())
                        .reshape(-1, imageShape.channels(), imageShape.height(), imageShape.width());
                return new Decoding(logits, logits.sigmoid(), OutputActivation.SIGMOID);
            }
        }
    }
}
