package org.onnxtoolkit.compiler.model;

import java.util.SortedMap;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.ObjectiveTerms;
import org.onnxtoolkit.api.spi.PluginOptions;

/**
 * Builds the graphs the runtime needs from a {@link LatentModel} and an {@link Objective}: the training and
 * eval graphs (inputs {@value #X} and {@value #KL_WEIGHT}; outputs {@value #LOSS}, {@value #RECON},
 * {@value #KL}, {@value #NEG_ELBO}), and the inference graphs that become {@code decoder.onnx},
 * {@code encoder.onnx} and the reconstruction model. The parameter names are the model's, so one set of
 * trained values serves every graph.
 *
 * <p>Inference graphs output images in {@code [0, 1]} whatever the decoder's final activation: sigmoid as
 * is, tanh mapped by {@code (y + 1) / 2}, ReLU or none clamped with {@code 1 - relu(1 - relu(y))}.
 */
public final class ModelGraphs {
    public static final String X = "x";
    public static final String KL_WEIGHT = "kl_weight";
    public static final String Z = "z";
    public static final String LOSS = "loss";
    public static final String RECON = "recon";
    public static final String KL = "kl";
    public static final String NEG_ELBO = "neg_elbo";
    public static final String IMAGE = "image";
    public static final String MU = "mu";
    public static final String LOGVAR = "logvar";
    public static final String RECONSTRUCTION = "reconstruction";

    private final LatentModel model;
    private final Objective objective;
    private final PluginOptions objectiveOptions;

    public ModelGraphs(LatentModel model, Objective objective, PluginOptions objectiveOptions) {
        this.model = model;
        this.objective = objective;
        this.objectiveOptions = objectiveOptions;
    }

    public LatentModel model() {
        return model;
    }

    /** Everything the training artifacts depend on: the model's configuration plus the objective. */
    public SortedMap<String, String> configuration() {
        SortedMap<String, String> c = new TreeMap<>(model.configuration());
        c.put("objective", objective.id());
        objectiveOptions.asMap().forEach((k, v) -> c.put("objective." + k, v));
        return c;
    }

    /** The graph of one training step ({@link Phase#TRAINING}) or of evaluation ({@link Phase#INFERENCE}). */
    public Graph objectiveGraph(Phase phase) {
        Graph g = new Graph(phase);
        ImageShape s = model.imageShape();
        Value x = g.input(X, Shape.BATCH, s.channels(), s.height(), s.width());
        Value klWeight = g.input(KL_WEIGHT);
        ObjectiveTerms t = objective.build(g, model, x, klWeight, objectiveOptions);
        g.output(LOSS, t.loss());
        g.output(RECON, t.reconstruction());
        g.output(KL, t.kl());
        g.output(NEG_ELBO, t.negativeElbo());
        return g;
    }

    /** {@code z [N, latent]} to {@code image [N, C, H, W]} in [0, 1]. */
    public Graph decoderGraph() {
        Graph g = new Graph(Phase.INFERENCE);
        Value z = g.input(Z, Shape.BATCH, model.latentSize());
        g.output(IMAGE, toImage(g, model.decode(g, z)));
        return g;
    }

    /** {@code x [N, C, H, W]} in [0, 1] to {@code mu} and {@code logvar}, each {@code [N, latent]}. */
    public Graph encoderGraph() {
        Graph g = new Graph(Phase.INFERENCE);
        ImageShape s = model.imageShape();
        Encoding e = model.encode(g, g.input(X, Shape.BATCH, s.channels(), s.height(), s.width()));
        g.output(MU, e.mu());
        g.output(LOGVAR, e.logvar());
        return g;
    }

    /** {@code x} to the decoded posterior mean, {@code reconstruction [N, C, H, W]} in [0, 1]. */
    public Graph reconstructionGraph() {
        Graph g = new Graph(Phase.INFERENCE);
        ImageShape s = model.imageShape();
        Encoding e = model.encode(g, g.input(X, Shape.BATCH, s.channels(), s.height(), s.width()));
        g.output(RECONSTRUCTION, toImage(g, model.decode(g, e.mu())));
        return g;
    }

    static Value toImage(Graph g, Decoding d) {
        try (var s = g.scope("to_image")) {
            return switch (d.activation()) {
                case SIGMOID -> d.output();
                case TANH -> d.output().add(1f).mul(0.5f);
                case RELU, NONE -> g.scalar(1f).sub(g.scalar(1f).sub(d.output().relu()).relu());
            };
        }
    }
}
