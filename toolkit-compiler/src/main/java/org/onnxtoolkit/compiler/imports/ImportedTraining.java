package org.onnxtoolkit.compiler.imports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.ArtifactCompiler;
import org.onnxtoolkit.compiler.artifacts.Manifest;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.autodiff.GradientKernels;
import org.onnxtoolkit.compiler.checkpoint.CheckpointWriter;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;

/**
 * An imported ONNX model with a loss, ready to compile into ONNX Runtime training artifacts: the training graph
 * (the model in training form, the loss), the eval graph (inference form: batch norm on running statistics,
 * no dropout; outputs the loss and the model's outputs), and the initial checkpoint holding the model's own
 * weights. Immutable once made.
 *
 * <p>Losses, all averaged over every element as PyTorch's defaults ({@code reduction="mean"}) do:
 * <ul>
 *   <li>{@code mse}: {@code mean((y - target)^2)}, {@code target} of {@code y}'s shape (float);</li>
 *   <li>{@code bce-logits}: {@code mean(softplus(y) - y * target)}, PyTorch's {@code BCEWithLogitsLoss};</li>
 *   <li>{@code cross-entropy}: {@code y [N, C]} logits and {@code target [N]} int64 class indices,
 *       {@code mean(-log_softmax(y)[target])}, PyTorch's {@code CrossEntropyLoss}.</li>
 * </ul>
 */
public final class ImportedTraining {
    /** The training and eval models' loss output. */
    public static final String LOSS = "loss";

    /** The losses {@link #of} builds. */
    public enum Loss {
        MSE("mse"), BCE_LOGITS("bce-logits"), CROSS_ENTROPY("cross-entropy");

        private final String id;

        Loss(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The loss named {@code id}; IllegalArgumentException listing the choices otherwise. */
        public static Loss of(String id) {
            for (Loss l : values()) {
                if (l.id.equals(id)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("unknown loss '" + id + "'; choose mse, bce-logits or cross-entropy");
        }
    }

    private final OnnxImport model;
    private final Loss loss;
    private final String output;
    private final String target;
    private final Graph training;
    private final Graph eval;

    private ImportedTraining(OnnxImport model, Loss loss, String output, String target, Graph training, Graph eval) {
        this.model = model;
        this.loss = loss;
        this.output = output;
        this.target = target;
        this.training = training;
        this.eval = eval;
    }

    /**
     * Builds both graphs.
     *
     * @param output the model output the loss reads (ONNX name); null for the first
     * @param target the name of the target input the loss compares with
     * @param frozen which initializers (ONNX names) stay fixed
     * @throws OnnxImportException when the model cannot be imported or the loss does not fit its output
     */
    public static ImportedTraining of(OnnxImport model, Loss loss, String output, String target,
                                      Predicate<String> frozen) throws OnnxImportException {
        String out = output == null ? model.outputs().get(0) : output;
        if (!model.outputs().contains(out)) {
            throw new IllegalArgumentException("the model has no output '" + out + "' (its outputs: "
                    + String.join(", ", model.outputs()) + ")");
        }
        for (OnnxImport.Input in : model.inputs()) {
            if (in.name().equals(target) || in.onnxName().equals(target)) {
                throw new IllegalArgumentException("the model already has an input named '" + target
                        + "'; choose another name for the target with --target");
            }
        }
        Graph train = build(model, loss, out, target, frozen, Phase.TRAINING);
        Graph evalGraph = build(model, loss, out, target, frozen, Phase.INFERENCE);
        if (train.parameters().stream().noneMatch(Value::trainable)) {
            throw new IllegalArgumentException("no parameter is left to train (every initializer is frozen)");
        }
        return new ImportedTraining(model, loss, out, target, train, evalGraph);
    }

    private static Graph build(OnnxImport model, Loss loss, String out, String target, Predicate<String> frozen,
                               Phase phase) throws OnnxImportException {
        Graph g = new Graph(phase);
        Map<String, Value> bound = new LinkedHashMap<>();
        for (OnnxImport.Input in : model.inputs()) {
            bound.put(in.onnxName(), g.input(in.name(), in.type(), in.shape().dims()));
        }
        Map<String, Value> outputs = model.addTo(g, bound, frozen);
        Value y = outputs.get(out);
        if (y.type() != DataType.FLOAT) {
            throw new IllegalArgumentException("the output '" + out + "' is " + y + "; a loss needs a float output");
        }
        Value l = switch (loss) {
            case MSE -> {
                Value t = g.input(target, y.shape().dims());
                Value d = y.sub(t);
                yield d.mul(d).mean();
            }
            case BCE_LOGITS -> {
                Value t = g.input(target, y.shape().dims());
                yield y.softplus().sub(y.mul(t)).mean();
            }
            case CROSS_ENTROPY -> {
                if (y.rank() != 2 || y.shape().dim(1) == Shape.BATCH) {
                    throw new IllegalArgumentException("cross-entropy needs logits [N, C], but the output '" + out
                            + "' is " + y);
                }
                int classes = (int) y.shape().dim(1);
                Value t = g.input(target, DataType.INT64, y.shape().dim(0));
                float[] ks = new float[classes];
                for (int k = 0; k < classes; k++) {
                    ks[k] = k;
                }
                // One-hot from the label without a OneHot operator: relu(1 - |label - k|) is 1 for k = label, else 0.
                Value distance = g.cast(t, DataType.FLOAT).reshape(-1, 1).sub(g.constant("classes", ks, classes));
                Value oneHot = g.scalar(1f).sub(distance.mul(distance).sqrt()).relu();
                yield oneHot.mul(g.logSoftmax(y, 1)).sum(1).neg().mean();
            }
        };
        g.output(LOSS, l);
        if (phase == Phase.INFERENCE) {
            for (Map.Entry<String, Value> o : outputs.entrySet()) {
                String name = OnnxImport.sanitize(o.getKey(), new java.util.HashSet<>(List.of(LOSS)));
                g.output(name, o.getValue());
            }
        }
        return g;
    }

    public OnnxImport model() {
        return model;
    }

    public Loss loss() {
        return loss;
    }

    /** The model output the loss reads (ONNX name). */
    public String output() {
        return output;
    }

    /** The target input's name. */
    public String target() {
        return target;
    }

    public Graph trainingGraph() {
        return training;
    }

    public Graph evalGraph() {
        return eval;
    }

    /**
     * Compiles the artifacts.
     *
     * @param sgd             plain SGD instead of AdamW
     * @param adam            the AdamW settings (ignored with {@code sgd})
     * @param exposeGradients also output every parameter's gradient from TrainStep (tests, parity checks)
     */
    public TrainingArtifacts compile(boolean sgd, AdamWSettings adam, boolean exposeGradients) {
        Map<String, String> configuration = new TreeMap<>();
        configuration.put("source", "onnx-import");
        configuration.put("model", model.file().getFileName().toString());
        configuration.put("loss", loss.id() + ":" + output);
        configuration.put("target", target);
        configuration.put("optimizer", sgd ? "sgd" : "adamw");
        return ArtifactCompiler.compile(new ArtifactCompiler.Request(training, eval, LOSS, configuration,
                GradientKernels.ORT_FUSED, adam, exposeGradients, true), sgd);
    }

    /**
     * The initial checkpoint: every parameter with the model's own values (trainable ones as
     * {@code requires_grad} parameters, frozen ones as frozen), no optimizer state (ONNX Runtime starts with
     * zero moments), and the given properties.
     */
    public byte[] checkpoint(Map<String, String> properties) {
        List<NamedTensor> trainable = new ArrayList<>();
        List<NamedTensor> frozen = new ArrayList<>();
        for (Value p : training.parameters()) {
            float[] data = new float[Math.toIntExact(p.shape().elementCount())];
            p.init().fill(data, null);
            (p.trainable() ? trainable : frozen).add(new NamedTensor(p.name(), p.shape().dims(), data));
        }
        CheckpointWriter w = new CheckpointWriter().addTrainable(trainable).addFrozen(frozen);
        properties.forEach(w::addProperty);
        return w.toBytes();
    }

    /** The short README written beside the artifacts: what each model takes, in which order. */
    public static String readme(Manifest m, String modelFile, String optimizer, float lr) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Training artifacts for ").append(modelFile).append("\n\n");
        sb.append("Written by onnxtoolkit `artifacts --model` for ONNX Runtime's training API (1.24; IR ")
                .append(m.irVersion()).append(", opset ").append(m.opset()).append(").\n\n");
        sb.append("Load `checkpoint` (the model's own weights) with LoadCheckpoint, then create the training session from"
                + " `training_model.onnx`, `eval_model.onnx` and `optimizer_model.onnx`. ");
        sb.append("Optimizer: ").append(optimizer).append("; the learning rate is not stored in the models: call"
                + " SetLearningRate(").append(fmt(lr)).append(") after creating the session.\n\n");
        sb.append("## TrainStep inputs, in this order\n\n");
        inputs(sb, m.trainingInputs());
        sb.append("\nTrainStep returns: ").append(String.join(", ", m.trainingOutputs())).append(".\n\n");
        sb.append("## EvalStep inputs, in this order\n\n");
        inputs(sb, m.evalInputs());
        sb.append("\nEvalStep returns: ").append(String.join(", ", m.evalOutputs())).append(".\n\n");
        long trainable = 0;
        long frozenCount = 0;
        List<String> frozen = new ArrayList<>();
        for (Manifest.ParameterEntry p : m.parameters()) {
            if (p.trainable()) {
                trainable += p.elementCount();
            } else {
                frozenCount += p.elementCount();
                frozen.add(p.name());
            }
        }
        sb.append("## Parameters\n\n").append(m.parameters().size()).append(" tensors: ").append(trainable)
                .append(" trainable values, ").append(frozenCount).append(" frozen")
                .append(frozen.isEmpty() ? "" : " (" + String.join(", ", frozen) + ")").append(".\n");
        return sb.toString();
    }

    private static void inputs(StringBuilder sb, List<Manifest.TensorEntry> entries) {
        int i = 1;
        for (Manifest.TensorEntry e : entries) {
            sb.append(i++).append(". `").append(e.name()).append("`: ").append(e.type().toLowerCase(Locale.ROOT))
                    .append(dims(e.shape())).append('\n');
        }
    }

    static String dims(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i] == Shape.BATCH ? "batch" : Long.toString(shape[i]));
        }
        return sb.append(']').toString();
    }

    private static String fmt(float f) {
        return Float.toString(f);
    }

    /** Trainable and frozen parameters named as the graphs name them (for messages and tests). */
    public Map<String, Boolean> parameters() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        training.parameters().forEach(p -> out.put(p.name(), p.trainable()));
        return out;
    }

    /** The initial value of a parameter (as named in the graphs). */
    public float[] initialValue(String parameter) {
        Value p = training.value(parameter);
        return ((Init.Given) p.init()).values().clone();
    }
}
