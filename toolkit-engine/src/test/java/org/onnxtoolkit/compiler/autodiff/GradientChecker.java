package org.onnxtoolkit.compiler.autodiff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.ArtifactCompiler;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.engine.ort.Outputs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;

/**
 * Checks the compiler's gradients against central finite differences, both computed by ONNX Runtime
 * through the training model: the analytic gradients are exposed as extra TrainStep outputs, the
 * numeric ones come from TrainSteps with one parameter element moved by {@code ±h} (replaced by name
 * through {@code updateParameter}).
 *
 * <p>A case declares user inputs and parameters and returns a value {@code y}; the checker appends
 * {@code loss = sum(y * w)} where {@code w} is a random user input of {@code y}'s shape, so every output
 * element gets a distinct weight. Parameter values are drawn from their declared {@code Init}.
 */
final class GradientChecker {
    /** Outcome of one case. */
    record Result(String label, int checked, double maxAbsError, double maxRelError) {
    }

    static final int BATCH = 3;

    private GradientChecker() {
    }

    static Result check(String label, GradientKernels kernels, Function<Graph, Value> body, Path workDir,
                        double h) throws IOException {
        Graph train = new Graph(Phase.TRAINING);
        Value y = body.apply(train);
        Value w = train.input("loss_weights", y.shape().dims());
        train.output("loss", y.mul(w).sum());
        Graph eval = new Graph(Phase.INFERENCE);
        Value ye = body.apply(eval);
        eval.output("y", ye);

        TrainingArtifacts artifacts = ArtifactCompiler.compile(new ArtifactCompiler.Request(train, eval, "loss",
                Map.of("case", label), kernels, AdamWSettings.pytorchAdam(), true, false));
        SplittableRandom rng = new SplittableRandom(label.hashCode());
        Path dir = Files.createTempDirectory(workDir, "gradcheck");
        artifacts.writeTo(dir);
        Path checkpoint = dir.resolve("checkpoint");
        Files.write(checkpoint, artifacts.initialCheckpoint(label.hashCode()));

        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (Value in : train.inputs()) {
            long[] dims = concrete(in.shape());
            float[] data = new float[(int) count(dims)];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            feeds.put(in.name(), Tensor.of(data, dims));
        }
        try (TrainingSession session = TrainingSession.open(checkpoint, artifacts.trainingModel(),
                artifacts.evalModel(), null, SessionConfig.cpu().withIntraOpThreads(1))) {
            Outputs first = session.trainStep(feeds);
            Map<String, float[]> analytic = new LinkedHashMap<>();
            for (String name : first.names()) {
                if (name.startsWith(ModelAssembler.GRADIENT_OUTPUT_PREFIX)) {
                    analytic.put(name.substring(ModelAssembler.GRADIENT_OUTPUT_PREFIX.length()),
                            first.get(name).toFloatArray());
                }
            }
            int checked = 0;
            double maxAbs = 0;
            double maxRel = 0;
            for (Value p : train.parameters()) {
                if (!p.trainable()) {
                    continue;
                }
                Tensor original = session.parameter(p.name());
                float[] values = original.toFloatArray();
                long[] shape = original.shape();
                float[] g = analytic.get(p.name());
                int n = g.length;
                int samples = Math.min(n, 24);
                for (int s = 0; s < samples; s++) {
                    int idx = n <= 24 ? s : rng.nextInt(n);
                    float orig = values[idx];
                    values[idx] = (float) (orig + h);
                    session.updateParameter(p.name(), Tensor.of(values, shape));
                    double plus = session.trainStep(feeds).get("loss").item();
                    values[idx] = (float) (orig - h);
                    session.updateParameter(p.name(), Tensor.of(values, shape));
                    double minus = session.trainStep(feeds).get("loss").item();
                    values[idx] = orig;
                    double numeric = (plus - minus) / (2 * h);
                    double abs = Math.abs(numeric - g[idx]);
                    double rel = abs / Math.max(Math.max(Math.abs(numeric), Math.abs(g[idx])), 0.1);
                    maxAbs = Math.max(maxAbs, abs);
                    maxRel = Math.max(maxRel, rel);
                    checked++;
                }
                session.updateParameter(p.name(), original);
            }
            return new Result(label, checked, maxAbs, maxRel);
        }
    }

    static long[] concrete(Shape s) {
        long[] dims = s.dims();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == Shape.BATCH) {
                dims[i] = BATCH;
            }
        }
        return dims;
    }

    static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }
}
