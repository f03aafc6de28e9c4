package org.onnxtoolkit.compiler.model;

import java.util.HashSet;
import java.util.Set;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Node;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;

/**
 * The floating-point operations per image of a graph's matrix products and convolutions (MatMul, Gemm, Conv,
 * ConvTranspose), forward and backward: the work that bounds a training step from below, against which a
 * machine's measured GEMM and convolution throughput can be compared.
 *
 * <p>Counting rules: one multiply-add is 2 FLOPs; the symbolic batch dimension counts as 1, so the numbers
 * are per image. Backward, each product costs its forward count once for the gradient of each operand that
 * needs one: the weight's when the weight is trainable, the data input's when that input depends on a
 * trainable parameter (the images {@code x} need no gradient, so the first layer's input gradient is not
 * counted; ORT's training graph does not compute it either). Elementwise operations, reductions, the loss
 * and the optimizer are not counted: they are memory-bound, and a profile shows their time separately.
 *
 * @param forward  FLOPs per image of the forward pass
 * @param backward FLOPs per image of the gradients
 */
public record GraphFlops(long forward, long backward) {

    public GraphFlops {
        if (forward < 0 || backward < 0) {
            throw new IllegalArgumentException("FLOP counts must be >= 0: " + forward + ", " + backward);
        }
    }

    /** @return forward plus backward FLOPs per image: one training step's counted work per image */
    public long training() {
        return forward + backward;
    }

    /**
     * Counts a graph's products.
     *
     * @param graph a graph whose shapes are static except for the batch dimension
     * @return the counts per image
     */
    public static GraphFlops of(Graph graph) {
        Set<Value> needsGradient = new HashSet<>();
        long forward = 0;
        long backward = 0;
        for (Node node : graph.nodes()) {
            boolean anyInputNeedsGradient = false;
            for (Value in : node.inputs()) {
                if (requiresGradient(in, needsGradient)) {
                    anyInputNeedsGradient = true;
                }
            }
            if (anyInputNeedsGradient) {
                needsGradient.addAll(node.outputs());
            }
            long f = 2 * multiplyAdds(node);
            if (f == 0) {
                continue;
            }
            forward += f;
            if (requiresGradient(node.input(0), needsGradient)) {
                backward += f;
            }
            if (requiresGradient(node.input(1), needsGradient)) {
                backward += f;
            }
        }
        return new GraphFlops(forward, backward);
    }

    private static boolean requiresGradient(Value v, Set<Value> needsGradient) {
        return (v.kind() == Value.Kind.PARAMETER && v.trainable()) || needsGradient.contains(v);
    }

    /**
     * @param node a node of a graph built with the graph builder
     * @return the multiply-adds per image of a product or convolution node; 0 for any other node
     */
    public static long multiplyAdds(Node node) {
        return switch (node.op()) {
            case MATMUL -> perImage(node.input(0).shape().dim(0)) * node.input(0).shape().dim(1)
                    * node.input(1).shape().dim(1);
            case GEMM -> {
                boolean transA = node.attributes().getInt("transA", 0) != 0;
                boolean transB = node.attributes().getInt("transB", 0) != 0;
                Shape a = node.input(0).shape();
                Shape b = node.input(1).shape();
                long m = perImage(a.dim(transA ? 1 : 0));
                long k = a.dim(transA ? 0 : 1);
                long n = b.dim(transB ? 0 : 1);
                yield m * k * n;
            }
            case CONV -> {
                // every output element takes C * kH * kW multiply-adds
                Shape y = node.output().shape();
                Shape w = node.input(1).shape();
                yield y.dim(1) * y.dim(2) * y.dim(3) * w.dim(1) * w.dim(2) * w.dim(3);
            }
            case CONV_TRANSPOSE -> {
                // every input element scatters into M * kH * kW outputs
                Shape x = node.input(0).shape();
                Shape w = node.input(1).shape();
                yield x.dim(1) * x.dim(2) * x.dim(3) * w.dim(1) * w.dim(2) * w.dim(3);
            }
            default -> 0;
        };
    }

    private static long perImage(long rows) {
        return rows == Shape.BATCH ? 1 : rows;
    }
}
