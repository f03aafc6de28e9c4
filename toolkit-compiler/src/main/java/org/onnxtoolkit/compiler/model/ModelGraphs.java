package org.onnxtoolkit.compiler.model;

import java.util.SortedMap;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.nn.Layers;
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
 * <p>A class-conditional model ({@link #conditionClasses()} {@code > 0}) has one more input in every graph,
 * {@value #LABEL} (int64 {@code [N]}, a class index): its one-hot vector ({@link Layers#oneHot}) is given to
 * the model's encoder and decoder ({@link LatentModel#encode(Graph, Value, Value)}). The label follows the
 * images' or latent vectors' input: {@code decoder.onnx} takes {@code (z, label)}, {@code encoder.onnx}
 * {@code (x, label)}.
 *
 * <p>Inference graphs output images in {@code [0, 1]} whatever the decoder's final activation: sigmoid as
 * is, tanh mapped by {@code (y + 1) / 2}, ReLU or none clamped with {@code 1 - relu(1 - relu(y))}.
 */
public final class ModelGraphs {
    public static final String X = "x";
    /** The class label input of a class-conditional model's graphs: int64 {@code [N]}. */
    public static final String LABEL = "label";
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
    private final java.util.List<String> classes;

    /** The graphs of an unconditional model. */
    public ModelGraphs(LatentModel model, Objective objective, PluginOptions objectiveOptions) {
        this(model, objective, objectiveOptions, java.util.List.of());
    }

    /**
     * @param classes the class names, in label order, of a class-conditional model ({@code train --conditional});
     *                empty for an unconditional one
     * @throws IllegalArgumentException when classes are given and the model cannot be conditioned
     */
    public ModelGraphs(LatentModel model, Objective objective, PluginOptions objectiveOptions,
                       java.util.List<String> classes) {
        if (!classes.isEmpty() && !model.conditionable()) {
            throw new IllegalArgumentException("--conditional: architecture "
                    + model.configuration().getOrDefault("architecture", "?") + " cannot be conditioned on a class");
        }
        this.model = model;
        this.objective = objective;
        this.objectiveOptions = objectiveOptions;
        this.classes = java.util.List.copyOf(classes);
    }

    public LatentModel model() {
        return model;
    }

    /** The number of classes the model is conditioned on; 0 when it is unconditional. */
    public int conditionClasses() {
        return classes.size();
    }

    /** The names of the classes the model is conditioned on, in label order; empty when it is unconditional. */
    public java.util.List<String> classes() {
        return classes;
    }

    /** Whether the graphs take a {@value #LABEL} input. */
    public boolean conditional() {
        return !classes.isEmpty();
    }

    /** Everything the training artifacts depend on: the model's configuration plus the objective. */
    public SortedMap<String, String> configuration() {
        SortedMap<String, String> c = new TreeMap<>(model.configuration());
        c.put("objective", objective.id());
        objectiveOptions.asMap().forEach((k, v) -> c.put("objective." + k, v));
        if (conditional()) {
            c.put("conditional.classes", Integer.toString(classes.size()));
        }
        return c;
    }

    /** The graph of one training step ({@link Phase#TRAINING}) or of evaluation ({@link Phase#INFERENCE}). */
    public Graph objectiveGraph(Phase phase) {
        Graph g = new Graph(phase);
        ImageShape s = model.imageShape();
        Value x = g.input(X, Shape.BATCH, s.channels(), s.height(), s.width());
        LatentModel m = bound(g);
        Value klWeight = g.input(KL_WEIGHT);
        ObjectiveTerms t = objective.build(g, m, x, klWeight, objectiveOptions);
        g.output(LOSS, t.loss());
        g.output(RECON, t.reconstruction());
        g.output(KL, t.kl());
        g.output(NEG_ELBO, t.negativeElbo());
        return g;
    }

    /**
     * The model as the graph {@code g} uses it: the model itself when unconditional; otherwise the model with the
     * one-hot vector of a new {@value #LABEL} input bound to its encoder and decoder, so that objectives (which
     * call {@link LatentModel#encode(Graph, Value)} and {@link LatentModel#decode(Graph, Value)}) need not know.
     * Declares the label input, after the graph's first input.
     */
    private LatentModel bound(Graph g) {
        if (!conditional()) {
            return model;
        }
        Value label = g.input(LABEL, DataType.INT64, Shape.BATCH);
        Value oneHot = Layers.oneHot(g, label, classes.size());
        return new Conditioned(model, oneHot);
    }

    /** A conditional model with its condition bound for one graph. */
    private record Conditioned(LatentModel model, Value condition) implements LatentModel {
        @Override
        public ImageShape imageShape() {
            return model.imageShape();
        }

        @Override
        public int latentSize() {
            return model.latentSize();
        }

        @Override
        public SortedMap<String, String> configuration() {
            return model.configuration();
        }

        @Override
        public org.onnxtoolkit.api.spi.RecommendedTraining recommendedTraining() {
            return model.recommendedTraining();
        }

        @Override
        public Encoding encode(Graph g, Value x) {
            return model.encode(g, x, condition);
        }

        @Override
        public Decoding decode(Graph g, Value z) {
            return model.decode(g, z, condition);
        }
    }

    /** {@code z [N, latent]} to {@code image [N, C, H, W]} in [0, 1]. */
    public Graph decoderGraph() {
        Graph g = new Graph(Phase.INFERENCE);
        Value z = g.input(Z, Shape.BATCH, model.latentSize());
        g.output(IMAGE, toImage(g, bound(g).decode(g, z)));
        return g;
    }

    /** {@code x [N, C, H, W]} in [0, 1] to {@code mu} and {@code logvar}, each {@code [N, latent]}. */
    public Graph encoderGraph() {
        Graph g = new Graph(Phase.INFERENCE);
        ImageShape s = model.imageShape();
        Value x = g.input(X, Shape.BATCH, s.channels(), s.height(), s.width());
        Encoding e = bound(g).encode(g, x);
        g.output(MU, e.mu());
        g.output(LOGVAR, e.logvar());
        return g;
    }

    /** {@code x} to the decoded posterior mean, {@code reconstruction [N, C, H, W]} in [0, 1]. */
    public Graph reconstructionGraph() {
        Graph g = new Graph(Phase.INFERENCE);
        ImageShape s = model.imageShape();
        Value x = g.input(X, Shape.BATCH, s.channels(), s.height(), s.width());
        LatentModel m = bound(g);
        Encoding e = m.encode(g, x);
        g.output(RECONSTRUCTION, toImage(g, m.decode(g, e.mu())));
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
