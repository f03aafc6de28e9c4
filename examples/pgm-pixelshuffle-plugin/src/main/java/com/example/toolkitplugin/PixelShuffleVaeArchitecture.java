package com.example.toolkitplugin;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
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
 * {@code pixelshuffle-vae}: a convolutional VAE whose decoder upsamples with pixel shuffle (sub-pixel
 * convolution) instead of transposed convolution.
 *
 * <p>For encoder channels {@code c_1 .. c_L} and square images of side {@code S} (a multiple of
 * {@code 2^L}), with {@code s = S / 2^L}:
 *
 * <pre>
 * encoder  x [N, C, S, S]
 *          L x { Conv(k3, s2, p1) -> BatchNorm -> ReLU }      channels c_1 .. c_L, side halved each time
 *          flatten [N, c_L s s] -> Linear mu [N, latent], Linear logvar [N, latent]
 * decoder  z [N, latent] -> Linear -> reshape [N, c_L, s, s]
 *          for i = L .. 2: Conv(k3, p1) to 4 c_(i-1) -> PixelShuffle(2) -> BatchNorm -> ReLU
 *          final:          Conv(k3, p1) to 4 c_1     -> PixelShuffle(2) -> BatchNorm -> ReLU
 *                          Conv(k3, p1) to C -> sigmoid           image [N, C, S, S] in (0, 1)
 * </pre>
 *
 * <p>{@code PixelShuffle(2)} is {@link Graph#depthToSpace(Value, int, boolean) depthToSpace(h, 2, true)}:
 * {@code [N, 4c, h, w] -> [N, c, 2h, 2w]}, each group of four channels becoming a 2x2 block (PyTorch's
 * {@code nn.PixelShuffle(2)}). Every output pixel then comes from a full 3x3 window of the input, where a
 * stride-2 transposed convolution with a 3x3 kernel overlaps unevenly, the usual cause of checkerboard
 * patterns. (Some checkerboard can remain at initialisation; ICNR initialisation would remove it, but the
 * builder's {@code Init} schemes are PyTorch's defaults only.)
 *
 * <p>The sigmoid output suits the {@code bce-kl} objective (recommended, with Adam 0.001 and batch 64);
 * {@code mse-kl} works too. Options: {@code channels} (default {@code 32,64}), {@code latent} (16),
 * {@code image-size} (default empty: take the dataset's shape; give it to ask datasets that render any shape,
 * like {@code shapes}, for square images of that side) and {@code image-channels} (1, used with
 * {@code image-size}).
 *
 * <p>Parameter names (the same in the training, eval, encoder and decoder graphs):
 * {@code encoder/block<i>/conv|bn/...}, {@code encoder/mu|logvar/weight|bias}, {@code decoder/input/...},
 * {@code decoder/block<i>/expand|bn/...}, {@code decoder/final/expand|bn|out/...}.
 */
@PluginId(PixelShuffleVaeArchitecture.ID)
@ApplicationScoped
public class PixelShuffleVaeArchitecture implements Architecture {
    /** The plugin id. */
    public static final String ID = "pixelshuffle-vae";
    /** The pixel-shuffle factor of each decoder block (and the stride of each encoder block). */
    private static final int UPSCALE = 2;
    /** Enough for 4096-pixel images; more blocks would only shrink the map below one pixel. */
    private static final int MAX_BLOCKS = 12;

    @Override
    public String description() {
        return "convolutional VAE whose decoder upsamples with pixel shuffle (sub-pixel convolution), sigmoid output";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                new OptionSpec("channels", "32,64", "channels of the stride-2 encoder blocks, comma-separated"),
                new OptionSpec("latent", "16", "latent dimensions"),
                new OptionSpec("image-size", "", "side of the square images to ask datasets for (default: the dataset's)"),
                new OptionSpec("image-channels", "1", "1 (grey) or 3 (RGB), used with image-size"));
    }

    /** Null (the dataset's shape) unless {@code image-size} is given. */
    @Override
    public ImageShape preferredImageShape(PluginOptions options) {
        if (options.get("image-size").isBlank()) {
            return null;
        }
        int size = options.getPositiveInt("image-size");
        return new ImageShape(options.getPositiveInt("image-channels"), size, size);
    }

    @Override
    public LatentModel create(PluginOptions options, ImageShape imageShape) {
        List<Integer> channels = options.getPositiveIntList("channels");
        int latent = options.getPositiveInt("latent");
        if (channels.isEmpty() || channels.size() > MAX_BLOCKS) {
            throw new IllegalArgumentException(ID + ": option channels must list 1 to " + MAX_BLOCKS
                    + " channel counts, got " + channels.size());
        }
        if (imageShape.height() != imageShape.width()) {
            throw new IllegalArgumentException(ID + " needs square images, got " + imageShape);
        }
        int factor = 1 << channels.size();
        if (imageShape.height() % factor != 0) {
            throw new IllegalArgumentException(ID + " with " + channels.size() + " stride-2 blocks needs an image side"
                    + " divisible by " + factor + ", got " + imageShape.height() + "; use fewer channels or another"
                    + " -O image-size");
        }
        return new Model(imageShape, channels, latent);
    }

    /** One configuration: immutable. */
    private record Model(ImageShape imageShape, List<Integer> channels, int latentSize) implements LatentModel {
        Model {
            channels = List.copyOf(channels);
        }

        /** Side of the smallest feature map. */
        private int side() {
            return imageShape.height() >> channels.size();
        }

        @Override
        public SortedMap<String, String> configuration() {
            SortedMap<String, String> c = new TreeMap<>();
            c.put("architecture", ID);
            c.put("channels", String.join(",", channels.stream().map(String::valueOf).toList()));
            c.put("latent", Integer.toString(latentSize));
            c.put("image", imageShape.toString());
            return c;
        }

        /** A sigmoid output: the Bernoulli objective, Adam 0.001, batch 64; a flag given by the user wins. */
        @Override
        public RecommendedTraining recommendedTraining() {
            return RecommendedTraining.NONE.withObjective("bce-kl").withLearningRate(0.001).withBatchSize(64);
        }

        @Override
        public Encoding encode(Graph g, Value x) {
            try (var s = g.scope("encoder")) {
                Value h = x;
                for (int i = 0; i < channels.size(); i++) {
                    try (var b = g.scope("block" + (i + 1))) {
                        h = Layers.conv2d(g, "conv", h, channels.get(i), 3, ConvOptions.of(UPSCALE, 1));
                        h = Layers.batchNorm2d(g, "bn", h).relu();
                    }
                }
                Value flat = h.flatten();
                return new Encoding(Layers.linear(g, "mu", flat, latentSize), Layers.linear(g, "logvar", flat, latentSize));
            }
        }

        @Override
        public Decoding decode(Graph g, Value z) {
            try (var s = g.scope("decoder")) {
                int last = channels.get(channels.size() - 1);
                Value h = Layers.linear(g, "input", z, (long) last * side() * side()).reshape(-1, last, side(), side());
                for (int i = channels.size() - 1, block = 1; i > 0; i--, block++) {
                    try (var b = g.scope("block" + block)) {
                        h = upsample(g, h, channels.get(i - 1));
                    }
                }
                try (var f = g.scope("final")) {
                    h = upsample(g, h, channels.get(0));
                    Value logits = Layers.conv2d(g, "out", h, imageShape.channels(), 3, ConvOptions.of(1, 1));
                    return new Decoding(logits, logits.sigmoid(), OutputActivation.SIGMOID);
                }
            }
        }

        /** {@code [N, c, h, w] -> [N, out, 2h, 2w]}: a 3x3 conv to {@code 4 out} channels, pixel shuffle, BN, ReLU. */
        private static Value upsample(Graph g, Value h, int out) {
            Value wide = Layers.conv2d(g, "expand", h, (long) out * UPSCALE * UPSCALE, 3, ConvOptions.of(1, 1));
            Value shuffled = g.depthToSpace(wide, UPSCALE, true);
            return Layers.batchNorm2d(g, "bn", shuffled).relu();
        }
    }
}
