package org.onnxtoolkit.compiler.autodiff;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Node;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;

/**
 * Finds the binary cross-entropy from logits, {@code softplus(l) - t * l} (PyTorch's
 * {@code BCEWithLogitsLoss} before its reduction), in a plugin's graph, so that the compiler can lower and
 * differentiate it as one unit instead of operation by operation.
 *
 * <p>Why: written as three builder operations, its forward pass is nine element-wise ONNX nodes (the stable
 * Softplus alone is seven) and its gradient six more (the sum of the two branches' contributions, a Sigmoid
 * recomputed for Softplus' rule, a Neg and two Muls, after the reduction's gradient was expanded to the full
 * shape), each a pass over a tensor of the image's size. Fused, the forward pass is eight nodes that compute
 * {@code p = sigmoid(l)} on the way, and the gradient is {@code dl = dy (p - t)}, two nodes that read the
 * unexpanded {@code dy} (see {@link Autodiff}). Measured on the MLP VAE in docs/performance.md.
 *
 * <p>A match is a {@code Sub(a, b)} where {@code a = Softplus(l)} and {@code b = Mul(t, l)} or
 * {@code Mul(l, t)} (the same value {@code l}), and neither {@code a} nor {@code b} is used by any other node
 * or declared as an output: only then may their own nodes be left out.
 *
 * <p>When the cross-entropy itself is read only by a {@code ReduceSum} over every axis but the first (the
 * per-image sum of a VAE's reconstruction term), that sum joins the match ({@link Match#perImageSum}): its
 * logarithms can then be summed as the logarithm of products, which saves the element-wise {@code Log}, the
 * most expensive node of the form (see {@code Lowering}). This needs the target to be a graph input or constant
 * (no gradient flows to it, so the element-wise value is never needed), {@code l} to have the cross-entropy's
 * shape, and the per-image element count to be static. Stateless.
 */
final class BceWithLogits {
    /**
     * One match.
     *
     * @param sub      the {@code Sub} node whose output is the cross-entropy, element-wise
     * @param logits   {@code l}
     * @param target   {@code t}; broadcasts with {@code l}
     * @param absorbed    the Softplus and Mul nodes (and the per-image sum, if any), whose work the fused form does
     * @param perImageSum the {@code ReduceSum} over every axis but the first that is the cross-entropy's only
     *                    reader, or null
     */
    record Match(Node sub, Value logits, Value target, Set<Node> absorbed, Node perImageSum) {
    }

    private BceWithLogits() {
    }

    /** Every match in {@code graph}, by its {@code Sub} node, in graph order. */
    static Map<Node, Match> find(Graph graph) {
        Map<Value, Node> producer = new HashMap<>();
        Map<Value, Integer> uses = new HashMap<>();
        Map<Value, Node> reader = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (Value out : n.outputs()) {
                producer.put(out, n);
            }
            for (Value in : n.inputs()) {
                uses.merge(in, 1, Integer::sum);
                reader.put(in, n);
            }
        }
        Set<Value> declared = new HashSet<>(graph.outputs().values());
        Map<Node, Match> matches = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.op() != Op.SUB) {
                continue;
            }
            Node softplus = producer.get(n.input(0));
            Node mul = producer.get(n.input(1));
            if (softplus == null || mul == null || softplus.op() != Op.SOFTPLUS || mul.op() != Op.MUL) {
                continue;
            }
            Value l = softplus.input(0);
            Value target;
            if (mul.input(1) == l && mul.input(0) != l) {
                target = mul.input(0);
            } else if (mul.input(0) == l && mul.input(1) != l) {
                target = mul.input(1);
            } else {
                continue;
            }
            if (privateTo(n.input(0), uses, declared) && privateTo(n.input(1), uses, declared)) {
                Node sum = reader.get(n.output());
                if (sum != null && privateTo(n.output(), uses, declared) && isPerImageSum(sum)
                        && producer.get(target) == null && l.shape().equals(n.output().shape())) {
                    matches.put(n, new Match(n, l, target, Set.of(softplus, mul, sum), sum));
                } else {
                    matches.put(n, new Match(n, l, target, Set.of(softplus, mul), null));
                }
            }
        }
        return matches;
    }

    /** A ReduceSum over axes 1 to rank - 1 of an input whose dimensions after the first are static. */
    private static boolean isPerImageSum(Node n) {
        if (n.op() != Op.REDUCE_SUM || n.inputs().size() < 2 || n.input(1).longData() == null) {
            return false;
        }
        Value x = n.input(0);
        long[] axes = n.input(1).longData();
        if (x.rank() < 2 || axes.length != x.rank() - 1) {
            return false;
        }
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] != i + 1 || x.shape().dim(i + 1) < 1) {
                return false;
            }
        }
        return productChunk(perImageCount(x.shape())) > 0;
    }

    /** The number of elements of one image: the product of every dimension but the first (all static). */
    static long perImageCount(Shape shape) {
        long count = 1;
        for (int i = 1; i < shape.rank(); i++) {
            count *= shape.dim(i);
        }
        return count;
    }

    /**
     * How many factors of {@code [0.5, 1]} one product may take: the largest divisor of {@code count} up to 100
     * (so that a product is at least {@code 2^-100}, a normal float even when subnormals are flushed to zero),
     * or 0 when it would be below 8 (too many products to save anything).
     */
    static int productChunk(long count) {
        for (int c = 100; c >= 8; c--) {
            if (count % c == 0) {
                return c;
            }
        }
        return 0;
    }

    /** True when {@code v} is read by exactly one node and is not a declared output. */
    private static boolean privateTo(Value v, Map<Value, Integer> uses, Set<Value> declared) {
        return uses.getOrDefault(v, 0) == 1 && !declared.contains(v);
    }

    /** The nodes that matches absorb, which lowering leaves out. */
    static Set<Node> absorbed(Map<Node, Match> matches) {
        Set<Node> out = new HashSet<>();
        for (Match m : matches.values()) {
            out.addAll(m.absorbed());
        }
        return out;
    }
}
