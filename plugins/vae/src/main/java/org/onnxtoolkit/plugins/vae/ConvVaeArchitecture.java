package org.onnxtoolkit.plugins.vae;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.ConvOptions;
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
 * {@code conv-vae}: the convolutional VAE of the CelebA references. Encoder: one block per channel count
 * {@code c_i}, each {@code Conv(k3, s2, p1) -> BatchNorm -> activation}, then linear heads for {@code mu} and
 * {@code logvar} from the flattened {@code [c_L, s, s]} map ({@code s = size / 2^L}). Decoder: a linear
 * projection to {@code [c_L, s, s]}, then for the channels in reverse {@code ConvTranspose(k3, s2, p1,
 * output padding 1) -> BatchNorm -> activation}, a final block of the same kind keeping {@code c_1}
 * channels, and {@code Conv(k3, p1)} to the image channels with the output activation. This is PyTorch-VAE's
 * {@code VanillaVAE} layer for layer.
 *
 * <p>Presets: {@code celeba64} (the blog notebook: channels 16-32-64-128-256, ReLU, ReLU output, latent
 * 128; trained with {@code mse-kl}, KL weight 0.00025, Adam 0.005, batch 64) and {@code vanilla}
 * (PyTorch-VAE: channels 32-64-128-256-512, LeakyReLU(0.01), tanh output, latent 128, same training
 * settings). Any option given explicitly overrides the preset. The input size may be any multiple of
 * {@code 2^L} (32, 64, 128, ... for five blocks).
 */
@PluginId(ConvVaeArchitecture.ID)
@ApplicationScoped
public class ConvVaeArchitecture implements Architecture {
    public static final String ID = "conv-vae";

    /** One named configuration of the reference notebooks. */
    record Preset(String channels, String activation, String output, int latent) {
    }

    static final SortedMap<String, Preset> PRESETS = new TreeMap<>();

    static {
        PRESETS.put("celeba64", new Preset("16,32,64,128,256", "relu", "relu", 128));
        PRESETS.put("vanilla", new Preset("32,64,128,256,512", "leaky-relu", "tanh", 128));
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "convolutional VAE (CelebA references: presets celeba64 and vanilla)";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                new OptionSpec("preset", "celeba64", "celeba64 (blog notebook) or vanilla (PyTorch-VAE VanillaVAE)"),
                new OptionSpec("channels", "", "channels of the encoder blocks, comma-separated (default: the preset's)"),
                new OptionSpec("activation", "", "relu or leaky-relu (default: the preset's)"),
                new OptionSpec("output", "", "output activation: relu, tanh or sigmoid (default: the preset's)"),
                new OptionSpec("latent", "", "latent dimensions (default: the preset's)"),
                new OptionSpec("image-size", "64", "side of the square input images"),
                new OptionSpec("image-channels", "3", "1 (grey) or 3 (RGB)"));
    }

    @Override
    public ImageShape preferredImageShape(PluginOptions options) {
        int size = options.getPositiveInt("image-size");
        return new ImageShape(options.getPositiveInt("image-channels"), size, size);
    }

    @Override
    public LatentModel create(PluginOptions options, ImageShape imageShape) {
        String presetName = options.getChoice("preset", PRESETS.keySet().toArray(String[]::new));
        Preset p = PRESETS.get(presetName);
        java.util.Map<String, String> merged = new java.util.HashMap<>(options.asMap());
        merged.replace("channels", or(merged.get("channels"), p.channels()));
        merged.replace("activation", or(merged.get("activation"), p.activation()));
        merged.replace("output", or(merged.get("output"), p.output()));
        merged.replace("latent", or(merged.get("latent"), Integer.toString(p.latent())));
        PluginOptions o = PluginOptions.of(ID, options(), merged);
        List<Integer> channels = o.getPositiveIntList("channels");
        String activation = o.getChoice("activation", "relu", "leaky-relu");
        String output = o.getChoice("output", "relu", "tanh", "sigmoid");
        int latent = o.getPositiveInt("latent");
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("conv-vae: option channels must list at least one channel count");
        }
        if (imageShape.height() != imageShape.width()) {
            throw new IllegalArgumentException("conv-vae needs square images, got " + imageShape);
        }
        int blocks = channels.size();
        int factor = 1 << blocks;
        if (imageShape.height() % factor != 0) {
            throw new IllegalArgumentException("conv-vae with " + blocks + " stride-2 blocks needs an image size divisible by "
                    + factor + " (32, 64, 128, ...), got " + imageShape.height());
        }
        return new Model(imageShape, presetName, channels, activation, output, latent);
    }

    private static String or(String given, String fallback) {
        return given == null || given.isBlank() ? fallback : given;
    }

    private record Model(ImageShape imageShape, String preset, List<Integer> channels, String activation, String output,
                         int latentSize) implements LatentModel {
        Model {
            channels = List.copyOf(channels);
        }

        private int side() {
            return imageShape.height() >> channels.size();
        }

        @Override
        public SortedMap<String, String> configuration() {
            SortedMap<String, String> c = new TreeMap<>();
            c.put("architecture", ID);
            c.put("preset", preset);
            c.put("channels", channels.toString().replaceAll("[\\[\\] ]", ""));
            c.put("activation", activation);
            c.put("output", output);
            c.put("latent", Integer.toString(latentSize));
            c.put("image", imageShape.toString());
            return c;
        }

        /** The reference notebooks' settings, for both presets. */
        @Override
        public RecommendedTraining recommendedTraining() {
            return RecommendedTraining.NONE.withObjective(MseKlObjective.ID).withLearningRate(0.005).withBatchSize(64)
                    .withKlWeight(0.00025);
        }

        private Value act(Value v) {
            return activation.equals("relu") ? v.relu() : v.leakyRelu(0.01f);
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

        /**
         * A class's one-hot vector {@code [N, K]}, when given, joins the image as K constant channels (channel k is
         * all ones for class k, zeros otherwise), so the first convolution reads {@code C + K} channels.
         */
        @Override
        public Encoding encode(Graph g, Value x, Value condition) {
            try (var s = g.scope("encoder")) {
                Value h = x;
                if (condition != null) {
                    long k = condition.shape().dim(1);
                    float[] ones = new float[imageShape.height() * imageShape.width()];
                    java.util.Arrays.fill(ones, 1f);
                    Value planes = condition.reshape(-1, k, 1, 1)
                            .mul(g.constant("condition_plane", ones, 1, 1, imageShape.height(), imageShape.width()));
                    h = g.concat(List.of(x, planes), 1);
                }
                for (int i = 0; i < channels.size(); i++) {
                    try (var b = g.scope("block" + (i + 1))) {
                        h = Layers.conv2d(g, "conv", h, channels.get(i), 3, ConvOptions.of(2, 1));
                        h = act(Layers.batchNorm2d(g, "bn", h));
                    }
                }
                Value flat = h.flatten();
                return new Encoding(Layers.linear(g, "mu", flat, latentSize), Layers.linear(g, "logvar", flat, latentSize));
            }
        }

        /** A class's one-hot vector, when given, is appended to the latent vector: {@code input} reads both. */
        @Override
        public Decoding decode(Graph g, Value z, Value condition) {
            try (var s = g.scope("decoder")) {
                int last = channels.get(channels.size() - 1);
                Value in = condition == null ? z : g.concat(List.of(z, condition), 1);
                Value h = Layers.linear(g, "input", in, (long) last * side() * side()).reshape(-1, last, side(), side());
                for (int i = channels.size() - 1, block = 1; i > 0; i--, block++) {
                    try (var b = g.scope("block" + block)) {
                        h = Layers.convTranspose2d(g, "deconv", h, channels.get(i - 1), 3, ConvOptions.transposed(2, 1, 1));
                        h = act(Layers.batchNorm2d(g, "bn", h));
                    }
                }
                try (var f = g.scope("final")) {
                    int first = channels.get(0);
                    h = Layers.convTranspose2d(g, "deconv", h, first, 3, ConvOptions.transposed(2, 1, 1));
                    h = act(Layers.batchNorm2d(g, "bn", h));
                    Value pre = Layers.conv2d(g, "conv", h, imageShape.channels(), 3, ConvOptions.of(1, 1));
                    return switch (output) {
                        case "relu" -> new Decoding(pre, pre.relu(), OutputActivation.RELU);
                        case "tanh" -> new Decoding(pre, pre.tanh(), OutputActivation.TANH);
                        case "sigmoid" -> new Decoding(pre, pre.sigmoid(), OutputActivation.SIGMOID);
                        default -> throw new IllegalStateException("output " + output.toLowerCase(Locale.ROOT));
                    };
                }
            }
        }
    }
}
