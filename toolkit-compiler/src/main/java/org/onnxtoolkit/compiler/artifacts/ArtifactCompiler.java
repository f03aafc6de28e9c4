package org.onnxtoolkit.compiler.artifacts;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.autodiff.GradientKernels;
import org.onnxtoolkit.compiler.autodiff.ModelAssembler;
import org.onnxtoolkit.compiler.onnx.IrGraph;
import org.onnxtoolkit.compiler.onnx.OnnxModelWriter;

/**
 * Compiles a plugin's training and eval graphs into the ONNX Runtime training artifacts: training model
 * (forward, loss, backward, gradient accumulation), eval model, optimizer model and manifest. The initial
 * checkpoint is drawn per run from the manifest and a seed ({@link TrainingArtifacts#initialCheckpoint}).
 *
 * <p>Output bytes are a function of the graphs, the options and the compiler version only: compiling the
 * same configuration twice gives identical files. Stateless and thread-safe.
 */
public final class ArtifactCompiler {
    /**
     * Version of the generated artifacts. Bump it whenever the compiler's output for an unchanged
     * configuration changes: it is part of the fingerprint, so cached artifacts are then recompiled.
     */
    public static final String COMPILER_VERSION = "3";

    private ArtifactCompiler() {
    }

    /**
     * What to compile.
     *
     * @param trainingGraph built with {@code Phase.TRAINING}; declares the loss output and any metrics
     * @param evalGraph     built with {@code Phase.INFERENCE}, with the same parameters in the same order
     * @param lossOutput    name of the scalar loss among the training graph's outputs
     * @param configuration what the graphs were built from; the fingerprint and cache key
     * @param kernels       activation gradient kernels
     * @param optimizer     AdamW attributes
     * @param exposeGradients also output every parameter's gradient from TrainStep (named
     *                        {@code gradient:<parameter>}), for tests and parity checks
     * @param noiseAsInputs   turn every {@code RandomNormalLike} into a user input that the caller feeds
     *                        with standard normal noise (reproducible, resumable runs; known noise in tests)
     */
    public record Request(Graph trainingGraph, Graph evalGraph, String lossOutput, Map<String, String> configuration,
                          GradientKernels kernels, AdamWSettings optimizer, boolean exposeGradients,
                          boolean noiseAsInputs) {
        public Request {
            configuration = new TreeMap<>(configuration);
        }

        /** A request with the defaults: ORT's fused gradient kernels, PyTorch's Adam, noise fed as inputs. */
        public static Request of(Graph trainingGraph, Graph evalGraph, String lossOutput,
                                 Map<String, String> configuration) {
            return new Request(trainingGraph, evalGraph, lossOutput, configuration, GradientKernels.ORT_FUSED,
                    AdamWSettings.pytorchAdam(), false, true);
        }
    }

    public static TrainingArtifacts compile(Request request) {
        Graph train = request.trainingGraph();
        Graph eval = request.evalGraph();
        String fingerprint = fingerprint(request.configuration(), request.kernels(), request.optimizer(),
                request.exposeGradients(), request.noiseAsInputs());
        Map<String, String> metadata = new TreeMap<>();
        metadata.put("toolkit.fingerprint", fingerprint);
        metadata.put("toolkit.compiler_version", COMPILER_VERSION);

        IrGraph trainIr = ModelAssembler.training(train, request.lossOutput(), request.kernels(),
                request.exposeGradients(), request.noiseAsInputs());
        IrGraph evalIr = ModelAssembler.eval(eval, train, request.noiseAsInputs());
        byte[] trainingModel = OnnxModelWriter.write(trainIr, "training", metadata);
        byte[] evalModel = OnnxModelWriter.write(evalIr, "eval", metadata);
        byte[] optimizerModel = OptimizerModelWriter.adamW(request.optimizer());

        List<Manifest.ParameterEntry> params = new ArrayList<>();
        for (Value p : train.parameters()) {
            params.add(new Manifest.ParameterEntry(p.name(), p.shape().dims(), p.trainable(),
                    Manifest.InitEntry.of(p.init())));
        }
        List<String> trainOutputs = new ArrayList<>();
        for (IrGraph.IrValueInfo o : trainIr.outputs()) {
            if (!isGradientSuffixed(o.name())) {
                trainOutputs.add(o.name());
            }
        }
        SortedMap<String, String> files = new TreeMap<>();
        files.put(TrainingArtifacts.TRAINING_MODEL, sha256(trainingModel));
        files.put(TrainingArtifacts.EVAL_MODEL, sha256(evalModel));
        files.put(TrainingArtifacts.OPTIMIZER_MODEL, sha256(optimizerModel));
        Manifest manifest = new Manifest(Manifest.FORMAT, COMPILER_VERSION, fingerprint,
                new TreeMap<>(request.configuration()), OnnxModelWriter.IR_VERSION, Op.OPSET, request.lossOutput(),
                request.kernels().name(), recordToMap(request.optimizer()), params, userInputs(trainIr, train),
                trainOutputs, userInputs(evalIr, train), List.copyOf(eval.outputs().keySet()), files);
        return new TrainingArtifacts(trainingModel, evalModel, optimizerModel, manifest);
    }

    /** The fingerprint of a configuration: SHA-256 (hex) over the compiler version and every setting. */
    public static String fingerprint(Map<String, String> configuration, GradientKernels kernels,
                                     AdamWSettings optimizer, boolean exposeGradients, boolean noiseAsInputs) {
        StringBuilder sb = new StringBuilder("compiler=").append(COMPILER_VERSION).append('\n');
        new TreeMap<>(configuration).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        sb.append("kernels=").append(kernels).append('\n');
        recordToMap(optimizer).forEach((k, v) -> sb.append("optimizer.").append(k).append('=').append(v).append('\n'));
        sb.append("exposeGradients=").append(exposeGradients).append('\n');
        sb.append("noiseAsInputs=").append(noiseAsInputs).append('\n');
        return sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    static boolean isGradientSuffixed(String name) {
        return name.endsWith("_grad.accumulation.out") || name.endsWith("_grad.accumulation.buffer")
                || name.endsWith("_grad");
    }

    /** The inputs ONNX Runtime treats as user inputs: not parameters, gradient buffers or the reset flag. */
    private static List<Manifest.TensorEntry> userInputs(IrGraph ir, Graph train) {
        java.util.Set<String> params = new java.util.HashSet<>();
        train.parameters().forEach(p -> params.add(p.name()));
        java.util.Set<String> declared = new java.util.HashSet<>();
        train.inputs().forEach(v -> declared.add(v.name()));
        List<Manifest.TensorEntry> out = new ArrayList<>();
        for (IrGraph.IrValueInfo in : ir.inputs()) {
            if (params.contains(in.name()) || isGradientSuffixed(in.name())
                    || in.name().equals(ModelAssembler.LAZY_RESET_GRAD)) {
                continue;
            }
            String role = declared.contains(in.name()) ? Manifest.TensorEntry.ROLE_INPUT : Manifest.TensorEntry.ROLE_NOISE;
            out.add(new Manifest.TensorEntry(in.name(), in.type().name(), in.shape().dims(), role));
        }
        return out;
    }

    private static SortedMap<String, Object> recordToMap(Record r) {
        SortedMap<String, Object> map = new TreeMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                map.put(c.getName(), c.getAccessor().invoke(r));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return map;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
