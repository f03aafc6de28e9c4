package org.onnxtoolkit.runtime.cli;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.onnxtoolkit.api.graph.GraphBuildException;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.Manifest;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.compiler.imports.ImportedTraining;
import org.onnxtoolkit.compiler.imports.OnnxImport;
import org.onnxtoolkit.compiler.imports.OnnxImportException;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.compiler.io.FileKind;

/**
 * {@code artifacts --model} (training artifacts for an imported ONNX model) and {@code artifacts --inspect}
 * (what a set of training artifacts takes and holds). Stateless.
 */
final class ImportedArtifacts {
    /** The checkpoint file written beside the models. */
    static final String CHECKPOINT = "checkpoint";
    static final String README = "README.md";
    private static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;

    private ImportedArtifacts() {
    }

    /** Imports {@code options.model} and writes the artifacts, the checkpoint and a README into {@code out}. */
    static int write(ImportOptions options, Path out, PrintWriter stdout, PrintWriter stderr) throws IOException {
        if (out == null) {
            throw new UsageException("--model needs --out DIR, the folder to write the artifacts to");
        }
        if (options.loss == null) {
            throw new UsageException("--model needs --loss mse|bce-logits|cross-entropy[:OUTPUT]");
        }
        if (FileKind.of(options.model, true) == FileKind.MISSING) {
            throw new UsageException("--model " + options.model + " does not exist");
        }
        String[] lossParts = options.loss.split(":", 2);
        ImportedTraining.Loss loss;
        try {
            loss = ImportedTraining.Loss.of(lossParts[0]);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--loss: " + e.getMessage(), e);
        }
        boolean sgd = switch (options.optimizer) {
            case "adamw" -> false;
            case "sgd" -> true;
            default -> throw new UsageException("--optimizer must be adamw or sgd, not '" + options.optimizer + "'");
        };
        if (!(options.lr > 0) || Float.isInfinite(options.lr)) {
            throw new UsageException("--lr must be a positive number, not " + options.lr);
        }
        Predicate<String> frozen;
        try {
            frozen = options.frozen == null ? name -> false : Pattern.compile(options.frozen).asPredicate();
        } catch (PatternSyntaxException e) {
            throw new UsageException("--frozen '" + options.frozen + "' is not a regular expression: "
                    + e.getDescription(), e);
        }
        OnnxImport model;
        ImportedTraining training;
        TrainingArtifacts artifacts;
        try {
            model = OnnxImport.read(options.model);
            try {
                training = ImportedTraining.of(model, loss, lossParts.length > 1 ? lossParts[1] : null,
                        options.target, frozen);
            } catch (GraphBuildException e) {
                throw new OnnxImportException(options.model + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new UsageException(options.model + ": " + e.getMessage(), e);
            }
            try {
                artifacts = training.compile(sgd, AdamWSettings.pytorchAdam(), false);
            } catch (GraphBuildException e) {
                throw new OnnxImportException(options.model + ": cannot differentiate the model: " + e.getMessage(), e);
            }
        } catch (OnnxImportException e) {
            // The one case with several lines: one per unsupported operator type.
            stderr.println(e.getMessage());
            return ToolkitCli.FAILURE;
        }
        artifacts.writeTo(out);
        AtomicFiles.write(out.resolve(CHECKPOINT), training.checkpoint(Map.of(
                "toolkit.fingerprint", artifacts.manifest().fingerprint(),
                "toolkit.learning_rate", Float.toString(options.lr))));
        String readme = ImportedTraining.readme(artifacts.manifest(), options.model.getFileName().toString(),
                sgd ? "SGD (w -= lr * g)" : "Adam as PyTorch's (betas 0.9, 0.999, eps 1e-8, no weight decay)",
                options.lr);
        AtomicFiles.write(out.resolve(README), readme.getBytes(StandardCharsets.UTF_8));
        long trainable = 0;
        List<String> frozenNames = new ArrayList<>();
        for (var p : artifacts.manifest().parameters()) {
            if (p.trainable()) {
                trainable += p.elementCount();
            } else {
                frozenNames.add(p.name());
            }
        }
        stdout.println("wrote training artifacts for " + options.model.getFileName() + " (" + loss.id() + " on '"
                + training.output() + "', " + trainable + " trainable values, " + frozenNames.size()
                + " frozen tensors) to " + out + "; see " + out.resolve(README));
        return ToolkitCli.OK;
    }

    /** Prints what the artifacts in {@code dir} take, return and hold. */
    static int inspect(Path dir, PrintWriter stdout) throws IOException {
        if (FileKind.of(dir, true) != FileKind.DIRECTORY) {
            throw new UsageException("--inspect " + dir + " is not a folder");
        }
        Path checkpointFile = dir.resolve(CHECKPOINT);
        CheckpointContents checkpoint = null;
        Set<String> parameters = new HashSet<>();
        if (Files.exists(checkpointFile)) {
            checkpoint = CheckpointReader.read(checkpointFile);
            checkpoint.trainableParameters().forEach(t -> parameters.add(t.name()));
            checkpoint.frozenParameters().forEach(t -> parameters.add(t.name()));
        }
        // Without a checkpoint, our manifest names the parameters; an input with a gradient buffer is one too.
        Path manifestFile = dir.resolve(TrainingArtifacts.MANIFEST);
        if (Files.exists(manifestFile)) {
            try {
                Manifest.fromJson(Files.readString(manifestFile)).parameters().forEach(p -> parameters.add(p.name()));
            } catch (IllegalArgumentException e) {
                throw new IOException(manifestFile + ": " + e.getMessage(), e);
            }
        }
        Path trainingFile = dir.resolve(TrainingArtifacts.TRAINING_MODEL);
        if (Files.exists(trainingFile)) {
            for (OnnxMl.ValueInfoProto v : parse(trainingFile).getGraph().getInputList()) {
                String buffer = "_grad.accumulation.buffer";
                if (v.getName().endsWith(buffer)) {
                    parameters.add(v.getName().substring(0, v.getName().length() - buffer.length()));
                }
            }
        }
        boolean any = false;
        for (String name : List.of(TrainingArtifacts.TRAINING_MODEL, TrainingArtifacts.EVAL_MODEL)) {
            Path file = dir.resolve(name);
            if (!Files.exists(file)) {
                stdout.println(name + ": absent");
                continue;
            }
            any = true;
            OnnxMl.GraphProto g = parse(file).getGraph();
            List<String> inputs = new ArrayList<>();
            int paramInputs = 0;
            for (OnnxMl.ValueInfoProto v : g.getInputList()) {
                if (parameters.contains(v.getName()) || isTrainingPlumbing(v.getName())) {
                    paramInputs += parameters.contains(v.getName()) ? 1 : 0;
                    continue;
                }
                inputs.add(describe(v));
            }
            List<String> outputs = new ArrayList<>();
            for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
                if (!isTrainingPlumbing(v.getName())) {
                    outputs.add(describe(v));
                }
            }
            stdout.println(name + " (" + (name.equals(TrainingArtifacts.TRAINING_MODEL) ? "TrainStep" : "EvalStep")
                    + ")");
            stdout.println("  inputs, in order: " + (inputs.isEmpty() ? "none" : String.join(", ", inputs)));
            stdout.println("  outputs: " + (outputs.isEmpty() ? "none" : String.join(", ", outputs)));
            stdout.println("  parameter inputs: " + paramInputs);
        }
        Path optimizer = dir.resolve(TrainingArtifacts.OPTIMIZER_MODEL);
        if (Files.exists(optimizer)) {
            List<String> ops = new ArrayList<>();
            for (OnnxMl.NodeProto n : parse(optimizer).getGraph().getNodeList()) {
                ops.add((n.getDomain().isEmpty() ? "" : n.getDomain() + ".") + n.getOpType());
            }
            stdout.println(TrainingArtifacts.OPTIMIZER_MODEL + ": " + String.join(", ", ops));
        } else {
            stdout.println(TrainingArtifacts.OPTIMIZER_MODEL + ": absent (no optimizer)");
        }
        if (checkpoint == null) {
            stdout.println(CHECKPOINT + ": absent");
        } else {
            stdout.println(CHECKPOINT + ": " + count(checkpoint.trainableParameters()) + " trainable values in "
                    + checkpoint.trainableParameters().size() + " tensors, " + count(checkpoint.frozenParameters())
                    + " frozen values in " + checkpoint.frozenParameters().size() + " tensors"
                    + (checkpoint.optimizerGroups().isEmpty() ? "" : ", with optimizer state"));
            List<String> frozen = new ArrayList<>();
            for (NamedTensor t : checkpoint.frozenParameters()) {
                frozen.add(t.name() + ImportedTrainingDims.of(t.dims()));
            }
            stdout.println("frozen parameters: " + (frozen.isEmpty() ? "none" : String.join(", ", frozen)));
        }
        if (!any && checkpoint == null) {
            throw new UsageException(dir + " holds no training artifacts (no " + TrainingArtifacts.TRAINING_MODEL
                    + ", " + TrainingArtifacts.EVAL_MODEL + " or " + CHECKPOINT + ")");
        }
        return ToolkitCli.OK;
    }

    private static long count(List<NamedTensor> tensors) {
        long n = 0;
        for (NamedTensor t : tensors) {
            n += t.data().length;
        }
        return n;
    }

    /** The inputs and outputs ONNX Runtime's training API hides from TrainStep and EvalStep. */
    private static boolean isTrainingPlumbing(String name) {
        return name.equals("lazy_reset_grad") || name.endsWith("_grad.accumulation.buffer")
                || name.endsWith("_grad.accumulation.out") || name.endsWith("_grad");
    }

    private static OnnxMl.ModelProto parse(Path file) throws IOException {
        byte[] bytes = org.onnxtoolkit.compiler.io.InputFiles.readAllBytes(file, MAX_MODEL_BYTES, "an ONNX model");
        try {
            return OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not a readable ONNX model (truncated or damaged)", e);
        }
    }

    private static String describe(OnnxMl.ValueInfoProto v) {
        if (!v.getType().hasTensorType()) {
            return v.getName() + " (not a tensor)";
        }
        OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
        String type = switch (t.getElemType()) {
            case 1 -> "float";
            case 7 -> "int64";
            case 9 -> "bool";
            default -> "type " + t.getElemType();
        };
        StringBuilder sb = new StringBuilder(v.getName()).append(' ').append(type).append('[');
        for (int i = 0; i < t.getShape().getDimCount(); i++) {
            OnnxMl.TensorShapeProto.Dimension d = t.getShape().getDim(i);
            sb.append(i > 0 ? ", " : "").append(d.hasDimValue() ? Long.toString(d.getDimValue())
                    : d.getDimParam().isEmpty() ? "?" : d.getDimParam());
        }
        return sb.append(']').toString();
    }

    /** Shapes in messages: {@code [16, 3, 3, 3]}. */
    private static final class ImportedTrainingDims {
        static String of(long[] dims) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < dims.length; i++) {
                sb.append(i > 0 ? ", " : "").append(dims[i]);
            }
            return sb.append(']').toString();
        }
    }
}
