package org.onnxtoolkit.testkit;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
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

/** A small, correct fully connected VAE; the tests switch on one flaw at a time. */
@PluginId("tiny-vae")
@ApplicationScoped
public class TinyVae implements Architecture {
    enum Flaw {
        NONE, UNUSED_PARAMETER, NOISE_ONLY_PARAMETER, INT_CAST_PARAMETER, PHASE_DEPENDENT_NAMES, NOISY_DECODER,
        WRONG_SHAPE, UNSTABLE_CONFIGURATION, FLAT_MU, FROZEN_UNUSED_PARAMETER
    }

    private static final AtomicInteger CREATED = new AtomicInteger();
    private final Flaw flaw;

    public TinyVae() {
        this(Flaw.NONE);
    }

    TinyVae(Flaw flaw) {
        this.flaw = flaw;
    }

    @Override
    public String description() {
        return "a small fully connected VAE for the test kit's own tests";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(new OptionSpec("hidden", "8", "hidden units"), new OptionSpec("latent", "2", "latent dimensions"));
    }

    @Override
    public LatentModel create(PluginOptions options, ImageShape imageShape) {
        return new Model(imageShape, options.getPositiveInt("hidden"), options.getPositiveInt("latent"), flaw,
                CREATED.incrementAndGet());
    }

    private record Model(ImageShape shape, int hidden, int latentSize, Flaw flaw, int serial) implements LatentModel {
        @Override
        public ImageShape imageShape() {
            return flaw == Flaw.WRONG_SHAPE ? new ImageShape(1, shape.height() + 1, shape.width()) : shape;
        }

        @Override
        public SortedMap<String, String> configuration() {
            SortedMap<String, String> c = new TreeMap<>();
            c.put("architecture", "tiny-vae");
            c.put("hidden", Integer.toString(hidden));
            c.put("latent", Integer.toString(latentSize));
            c.put("image", shape.toString());
            if (flaw == Flaw.UNSTABLE_CONFIGURATION) {
                c.put("serial", Integer.toString(serial));
            }
            return c;
        }

        @Override
        public RecommendedTraining recommendedTraining() {
            return RecommendedTraining.NONE.withObjective("tiny-objective").withBatchSize(4);
        }

        @Override
        public Encoding encode(Graph g, Value x) {
            try (var s = g.scope("encoder")) {
                String name = flaw == Flaw.PHASE_DEPENDENT_NAMES ? "fc_" + g.phase().name().toLowerCase() : "fc";
                Value h = Layers.linear(g, name, x.flatten(), hidden).relu();
                Value mu = Layers.linear(g, "mu", h, latentSize);
                Value logvar = Layers.linear(g, "logvar", h, latentSize);
                switch (flaw) {
                    case UNUSED_PARAMETER -> g.parameter("unused", Init.zeros(), latentSize);
                    case FROZEN_UNUSED_PARAMETER -> g.frozenParameter("statistics", Init.zeros(), latentSize);
                    // The parameter is read only for its shape: no gradient reaches it.
                    case NOISE_ONLY_PARAMETER -> mu = mu.add(g.randomNormalLike(g.parameter("seedling", Init.zeros(),
                            latentSize)).mul(0f));
                    case INT_CAST_PARAMETER -> mu = mu.add(g.cast(g.cast(g.parameter("counter", Init.zeros(),
                            latentSize), org.onnxtoolkit.api.graph.DataType.INT64),
                            org.onnxtoolkit.api.graph.DataType.FLOAT));
                    case FLAT_MU -> mu = mu.mean(1);
                    default -> {
                    }
                }
                return new Encoding(mu, logvar);
            }
        }

        @Override
        public Decoding decode(Graph g, Value z) {
            try (var s = g.scope("decoder")) {
                Value h = Layers.linear(g, "fc", z, hidden).relu();
                if (flaw == Flaw.NOISY_DECODER) {
                    h = h.add(g.randomNormalLike(h));
                }
                Value logits = Layers.linear(g, "out", h, shape.size())
                        .reshape(-1, shape.channels(), shape.height(), shape.width());
                return new Decoding(logits, logits.sigmoid(), OutputActivation.SIGMOID);
            }
        }
    }
}
