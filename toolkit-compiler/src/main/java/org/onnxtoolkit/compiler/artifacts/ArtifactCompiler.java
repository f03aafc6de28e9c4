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
 * <p>The artifacts' fingerprint, their cache key, is computed from what they contain, not from a version
 * someone must remember to bump: the SHA-256 of the manifest as it is without the fingerprint, whose
 * {@code files} section holds the SHA-256 of each model as written without the fingerprint, plus the
 * settings. So the fingerprint changes whenever any byte of any model changes (a plugin's graph code, the
 * lowering, a gradient rule, the writer) or anything else the manifest records (configuration, parameters
 * and their initialisation, optimizer, kernels, inputs and outputs), and only then. The models then carry
 * the fingerprint in their {@code metadata_props} ({@value #FINGERPRINT_KEY}).
 *
 * <p>Output bytes are a function of the request only: compiling the same request twice gives identical
 * files. Stateless and thread-safe.
 */
public final class ArtifactCompiler {
    /** The {@code metadata_props} key of the fingerprint in the training and eval models. */
    public static final String FINGERPRINT_KEY = "toolkit.fingerprint";

    private ArtifactCompiler() {
    }

    /**
     * What to compile.
     *
     * @param trainingGraph built with {@code Phase.TRAINING}; declares the loss output and any metrics
     * @param evalGraph     built with {@code Phase.INFERENCE}, with the same parameters in the same order
     * @param lossOutput    name of the scalar loss among the training graph's outputs
     * @param configuration what the graphs were built from; recorded in the manifest (and so in the fingerprint)
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

    /** Compiles {@code request}; see the class comment for how the fingerprint is made. */
    public static TrainingArtifacts compile(Request request) {
        return compile(request, false);
    }

    /**
     * Compiles {@code request} with, when {@code sgd} is true, plain SGD ({@code w -= lr * g}, ORT's
     * {@code SGDOptimizerV2}) as the optimizer model instead of the request's AdamW; the manifest's optimizer
     * section then reads {@code {"algorithm": "sgd"}}.
     */
    public static TrainingArtifacts compile(Request request, boolean sgd) {
        Lowered lowered = lower(request, sgd);
        String fingerprint = fingerprint(lowered, request);
        Map<String, String> metadata = Map.of(FINGERPRINT_KEY, fingerprint);
        byte[] trainingModel = OnnxModelWriter.write(lowered.training(), "training", metadata);
        byte[] evalModel = OnnxModelWriter.write(lowered.eval(), "eval", metadata);
        Manifest manifest = lowered.manifest(fingerprint, trainingModel, evalModel);
        return new TrainingArtifacts(trainingModel, evalModel, lowered.optimizerModel(), manifest);
    }

    /**
     * The fingerprint {@link #compile} gives {@code request}, without writing the final models: lowering and
     * one serialisation of each model: tens of milliseconds for mlp-vae and conv-vae once the JVM is warm
     * (the first call in a fresh JVM also loads protobuf and Jackson, which a run needs anyway).
     */
    public static String fingerprint(Request request) {
        return fingerprint(lower(request, false), request);
    }

    /** The lowered models and what the manifest says about them, before the fingerprint exists. */
    private record Lowered(IrGraph training, IrGraph eval, byte[] optimizerModel, Request request,
                           List<Manifest.ParameterEntry> parameters, boolean sgd) {
        /** The manifest, with the SHA-256 of the given model bytes. */
        Manifest manifest(String fingerprint, byte[] trainingModel, byte[] evalModel) {
            SortedMap<String, String> files = new TreeMap<>();
            files.put(TrainingArtifacts.TRAINING_MODEL, sha256(trainingModel));
            files.put(TrainingArtifacts.EVAL_MODEL, sha256(evalModel));
            files.put(TrainingArtifacts.OPTIMIZER_MODEL, sha256(optimizerModel));
            List<String> trainOutputs = new ArrayList<>();
            for (IrGraph.IrValueInfo o : training.outputs()) {
                if (!isGradientSuffixed(o.name())) {
                    trainOutputs.add(o.name());
                }
            }
            Graph train = request.trainingGraph();
            return new Manifest(Manifest.FORMAT, fingerprint, new TreeMap<>(request.configuration()),
                    OnnxModelWriter.IR_VERSION, Op.OPSET, request.lossOutput(), request.kernels().name(),
                    sgd ? new TreeMap<>(Map.of("algorithm", "sgd")) : recordToMap(request.optimizer()), parameters, userInputs(training, train), trainOutputs,
                    userInputs(eval, train), List.copyOf(request.evalGraph().outputs().keySet()), files);
        }
    }

    private static Lowered lower(Request request, boolean sgd) {
        Graph train = request.trainingGraph();
        IrGraph trainIr = ModelAssembler.training(train, request.lossOutput(), request.kernels(),
                request.exposeGradients(), request.noiseAsInputs());
        IrGraph evalIr = ModelAssembler.eval(request.evalGraph(), train, request.noiseAsInputs());
        List<Manifest.ParameterEntry> params = new ArrayList<>();
        for (Value p : train.parameters()) {
            params.add(new Manifest.ParameterEntry(p.name(), p.shape().dims(), p.trainable(),
                    Manifest.InitEntry.of(p.init())));
        }
        return new Lowered(trainIr, evalIr, sgd ? OptimizerModelWriter.sgd() : OptimizerModelWriter.adamW(
                request.optimizer()), request, params, sgd);
    }

    /**
     * SHA-256 (hex) over the manifest without a fingerprint, whose {@code files} hold the hashes of the models
     * written without metadata, and the settings that are not already visible in it.
     */
    private static String fingerprint(Lowered lowered, Request request) {
        byte[] trainingModel = OnnxModelWriter.write(lowered.training(), "training", Map.of());
        byte[] evalModel = OnnxModelWriter.write(lowered.eval(), "eval", Map.of());
        StringBuilder sb = new StringBuilder(lowered.manifest(null, trainingModel, evalModel).toJson());
        sb.append("exposeGradients=").append(request.exposeGradients()).append('\n');
        sb.append("noiseAsInputs=").append(request.noiseAsInputs()).append('\n');
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
