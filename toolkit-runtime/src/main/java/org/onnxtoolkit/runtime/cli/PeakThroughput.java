package org.onnxtoolkit.runtime.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Node;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.model.GraphFlops;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.training.ModelExport;

/**
 * What this machine's ONNX Runtime reaches on the operations that bound a VAE's training step: a large square
 * float32 matrix product (the machine's GEMM peak as ORT's kernels see it), and each matrix product and
 * convolution of a model, alone, at the training batch (the best its layer shapes allow). A training step's
 * achieved GFLOP/s divided by these gives the fraction of the peak that {@code toolkit benchmark --peak}
 * prints.
 *
 * <p>Each measurement builds a one-operation ONNX model with the toolkit's own compiler, opens an inference
 * session with the given configuration and times {@code run} (median of repeated runs after warm-up). Not
 * thread-safe; holds no native resources between calls.
 */
final class PeakThroughput {
    /** The square GEMM's size: large enough that ORT's kernels run at their best on any CPU we meet. */
    static final int GEMM_SIZE = 1024;

    private PeakThroughput() {}

    /** One timed operation: its label, FLOPs per run and median seconds per run. */
    record Timing(String label, double flops, double seconds) {
        double gflops() {
            return flops / seconds / 1e9;
        }
    }

    /**
     * Times {@code [n, n] x [n, n]} float32 matrix products.
     *
     * @param config the device and threads
     * @param minSeconds how long to keep timing (at least 5 runs)
     */
    static Timing squareGemm(SessionConfig config, double minSeconds) {
        Graph g = new Graph(Phase.INFERENCE);
        Value a = g.input("a", Shape.BATCH, GEMM_SIZE);
        Value b = g.parameter("b", Init.zeros(), GEMM_SIZE, GEMM_SIZE);
        g.output("y", g.matmul(a, b));
        double flops = 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE;
        return new Timing("MatMul " + GEMM_SIZE + "x" + GEMM_SIZE + "x" + GEMM_SIZE, flops,
                time(g, GEMM_SIZE, config, minSeconds));
    }

    /**
     * Times each matrix product and convolution of a graph alone, at a batch size, forward.
     *
     * @param graph the model's graph (e.g. the training objective's), static but for the batch dimension
     * @param batch the batch size
     * @param config the device and threads
     * @param minSeconds how long to time each operation (at least 5 runs)
     * @return one timing per product or convolution, in graph order
     */
    static List<Timing> products(Graph graph, int batch, SessionConfig config, double minSeconds) {
        List<Timing> out = new ArrayList<>();
        for (Node node : graph.nodes()) {
            Graph single = alone(node);
            if (single == null) {
                continue;
            }
            double flops = GraphFlops.of(single).forward() * (double) batch;
            out.add(new Timing(node.op().onnxName() + " " + node.name(), flops, time(single, batch, config,
                    minSeconds)));
        }
        return out;
    }

    /** The sum of FLOPs over the sum of seconds: the rate of running the operations one after the other. */
    static double combinedGflops(List<Timing> timings) {
        double flops = 0;
        double seconds = 0;
        for (Timing t : timings) {
            flops += t.flops();
            seconds += t.seconds();
        }
        return seconds == 0 ? 0 : flops / seconds / 1e9;
    }

    /** A graph with just this product or convolution (same shapes and attributes), or null for other ops. */
    private static Graph alone(Node node) {
        if (GraphFlops.multiplyAdds(node) == 0) {
            return null;
        }
        Graph g = new Graph(Phase.INFERENCE);
        Value a = operand(g, "a", node.input(0));
        Value b = operand(g, "b", node.input(1));
        Value bias = node.inputs().size() > 2 ? operand(g, "c", node.input(2)) : null;
        Value y = switch (node.op()) {
            case MATMUL -> g.matmul(a, b);
            case GEMM -> g.gemm(a, b, bias, node.attributes().getInt("transA", 0) != 0,
                    node.attributes().getInt("transB", 0) != 0, node.attributes().getFloat("alpha", 1f),
                    node.attributes().getFloat("beta", 1f));
            case CONV -> g.conv(a, b, bias, convOptions(node));
            case CONV_TRANSPOSE -> g.convTranspose(a, b, bias, convOptions(node));
            default -> null;
        };
        if (y == null) {
            return null;
        }
        g.output("y", y);
        return g;
    }

    private static ConvOptions convOptions(Node node) {
        long[] outputPadding = node.attributes().has("output_padding")
                ? node.attributes().getInts("output_padding") : new long[] {0};
        return new ConvOptions((int) node.attributes().getInts("strides")[0],
                (int) node.attributes().getInts("pads")[0], (int) node.attributes().getInts("dilations")[0],
                (int) outputPadding[0]);
    }

    /** Parameters stay parameters (embedded in the model); anything else becomes an input fed per run. */
    private static Value operand(Graph g, String name, Value v) {
        if (v.kind() == Value.Kind.PARAMETER) {
            return g.parameter(name, Init.zeros(), v.shape().dims());
        }
        return g.input(name, v.shape().dims());
    }

    /** Median seconds of one run of the graph with random inputs (batch dimension = {@code batch}). */
    private static double time(Graph g, int batch, SessionConfig config, double minSeconds) {
        SplittableRandom rng = new SplittableRandom(3);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (Value p : g.parameters()) {
            params.put(p.name(), random(Math.toIntExact(count(p.shape().dims(), batch)), rng));
        }
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (Value in : g.inputs()) {
            long[] dims = in.shape().dims();
            for (int i = 0; i < dims.length; i++) {
                dims[i] = dims[i] == Shape.BATCH ? batch : dims[i];
            }
            feeds.put(in.name(), Tensor.of(random(Math.toIntExact(count(dims, batch)), rng), dims));
        }
        byte[] model = ModelExport.inferenceModel(g, params, Map.of(), "peak");
        try (InferenceSession s = InferenceSession.open(model, config)) {
            for (int i = 0; i < 3; i++) {
                s.run(feeds);
            }
            List<Double> seconds = new ArrayList<>();
            long start = System.nanoTime();
            while (seconds.size() < 5 || (System.nanoTime() - start) / 1e9 < minSeconds) {
                long t0 = System.nanoTime();
                s.run(feeds);
                seconds.add((System.nanoTime() - t0) / 1e9);
            }
            double[] sorted = seconds.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }
    }

    private static long count(long[] dims, int batch) {
        long n = 1;
        for (long d : dims) {
            n *= d == Shape.BATCH ? batch : d;
        }
        return n;
    }

    private static float[] random(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() - 0.5);
        }
        return v;
    }
}
