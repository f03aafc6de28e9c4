package org.onnxtoolkit.plugins.vae;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.ModelImporter;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.OutputActivation;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;

/**
 * {@code onnx-vae}: a VAE designed and initialised elsewhere, as two ONNX models exported from PyTorch: an
 * encoder from pictures {@code [N, C, H, W]} in [0, 1] to {@code mu} and {@code logvar} {@code [N, latent]}
 * (outputs of those names, or its first two outputs), and a decoder from {@code z [N, latent]} to pictures
 * {@code [N, C, H, W]}: logits, or probabilities when its last operation is a sigmoid (the logits before it are
 * then used, which the objectives want). The image shape is the encoder's input shape, the latent size the
 * decoder's input size. Parameters are named {@code encoder/<initializer>} and {@code decoder/<initializer>} and
 * start from the models' values. Options: {@code encoder} and {@code decoder}, the two files.
 */
@PluginId(OnnxVaeArchitecture.ID)
@ApplicationScoped
public class OnnxVaeArchitecture implements Architecture {
    public static final String ID = "onnx-vae";

    @Inject
    ModelImporter importer;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "a VAE exported from PyTorch as two ONNX models (-O encoder=enc.onnx -O decoder=dec.onnx)";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                new OptionSpec("encoder", "", "ONNX model: pictures [N, C, H, W] in [0, 1] -> mu, logvar [N, latent]"),
                new OptionSpec("decoder", "", "ONNX model: z [N, latent] -> pictures [N, C, H, W] (logits or sigmoid)"));
    }

    /** The encoder's input shape; null without a readable encoder path, so that {@link #create} names the problem. */
    @Override
    public ImageShape preferredImageShape(PluginOptions options) {
        String file = options.get("encoder");
        if (file.isBlank() || !java.nio.file.Files.exists(Path.of(file))) {
            return null;
        }
        return imageShapeOf(load(options, "encoder"));
    }

    @Override
    public LatentModel create(PluginOptions options, ImageShape imageShape) {
        ModelImporter.Model encoder = load(options, "encoder");
        ModelImporter.Model decoder = load(options, "decoder");
        ImageShape wanted = imageShapeOf(encoder);
        if (!wanted.equals(imageShape)) {
            throw new IllegalArgumentException("onnx-vae: the encoder takes pictures " + wanted + ", the dataset has "
                    + imageShape + "; choose a dataset of that shape or export the encoder for it");
        }
        List<String> encOut = encoder.outputs();
        if (encOut.size() < 2) {
            throw new IllegalArgumentException("onnx-vae: the encoder must output mu and logvar, it outputs " + encOut);
        }
        String mu = encOut.contains("mu") ? "mu" : encOut.get(0);
        String logvar = encOut.contains("logvar") ? "logvar" : encOut.get(1);
        if (decoder.inputs().size() != 1 || decoder.inputShape(decoder.inputs().get(0)).rank() != 2) {
            throw new IllegalArgumentException("onnx-vae: the decoder must take one input z [N, latent], it takes "
                    + decoder.inputs());
        }
        long latent = decoder.inputShape(decoder.inputs().get(0)).dim(1);
        return new Model(imageShape, (int) latent, encoder, decoder, mu, logvar,
                options.get("encoder"), options.get("decoder"));
    }

    private ModelImporter.Model load(PluginOptions options, String which) {
        String file = options.get(which);
        if (file.isBlank()) {
            throw new IllegalArgumentException("onnx-vae needs -O " + which + "=FILE.onnx (the " + which
                    + " exported with torch.onnx.export)");
        }
        if (importer == null) {
            throw new IllegalStateException("onnx-vae: no ModelImporter was injected (run it through the toolkit)");
        }
        return importer.read(Path.of(file));
    }

    private static ImageShape imageShapeOf(ModelImporter.Model encoder) {
        if (encoder.inputs().size() != 1) {
            throw new IllegalArgumentException("onnx-vae: the encoder must take one input, pictures [N, C, H, W]; it"
                    + " takes " + encoder.inputs());
        }
        Shape s = encoder.inputShape(encoder.inputs().get(0));
        if (s.rank() != 4 || s.dim(0) != Shape.BATCH && s.dim(0) < 1) {
            throw new IllegalArgumentException("onnx-vae: the encoder's input must be [N, C, H, W], it is " + s);
        }
        return new ImageShape((int) s.dim(1), (int) s.dim(2), (int) s.dim(3));
    }

    private record Model(ImageShape imageShape, int latentSize, ModelImporter.Model encoder,
                         ModelImporter.Model decoder, String mu, String logvar, String encoderFile,
                         String decoderFile) implements LatentModel {
        @Override
        public SortedMap<String, String> configuration() {
            SortedMap<String, String> c = new TreeMap<>();
            c.put("architecture", ID);
            c.put("encoder", encoderFile);
            c.put("decoder", decoderFile);
            c.put("latent", Integer.toString(latentSize));
            c.put("image", imageShape.toString());
            return c;
        }

        @Override
        public Encoding encode(Graph g, Value x) {
            try (var s = g.scope("encoder")) {
                Map<String, Value> out = encoder.addTo(g, Map.of(encoder.inputs().get(0), x), name -> false);
                return new Encoding(out.get(mu), out.get(logvar));
            }
        }

        @Override
        public Decoding decode(Graph g, Value z) {
            try (var s = g.scope("decoder")) {
                Value y = decoder.addTo(g, Map.of(decoder.inputs().get(0), z), name -> false)
                        .get(decoder.outputs().get(0));
                if (y.rank() == 2 && y.shape().dim(1) == imageShape.size()) {
                    y = y.reshape(-1, imageShape.channels(), imageShape.height(), imageShape.width());
                }
                if (!y.shape().equals(Shape.of(Shape.BATCH, imageShape.channels(), imageShape.height(),
                        imageShape.width()))) {
                    throw new IllegalArgumentException("onnx-vae: the decoder outputs " + y.shape() + ", not pictures "
                            + imageShape);
                }
                if (y.producer() != null && y.producer().op() == Op.SIGMOID) {
                    return new Decoding(y.producer().input(0), y, OutputActivation.SIGMOID);
                }
                // sigmoid, then a reshape to pictures (torch.sigmoid(h).view(-1, 1, 28, 28)): the logits reshaped
                Value before = y.producer() != null && y.producer().op() == Op.RESHAPE ? y.producer().input(0) : null;
                if (before != null && before.producer() != null && before.producer().op() == Op.SIGMOID) {
                    Value logits = before.producer().input(0).reshape(-1, imageShape.channels(), imageShape.height(),
                            imageShape.width());
                    return new Decoding(logits, y, OutputActivation.SIGMOID);
                }
                return new Decoding(y, y.sigmoid(), OutputActivation.SIGMOID);
            }
        }
    }
}
