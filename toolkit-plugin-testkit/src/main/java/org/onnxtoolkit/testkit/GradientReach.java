package org.onnxtoolkit.testkit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Node;
import org.onnxtoolkit.api.graph.Value;

/**
 * Which trainable parameters of a graph a loss can send gradients to, found by walking the graph builder's
 * nodes backwards from the loss along the inputs that have a gradient. The edges without one are those the
 * toolkit's compiler does not differentiate either: the input of {@code RandomNormalLike} (only its shape is
 * read), the shape input of {@code Reshape}, the running mean and variance of {@code BatchNormalization},
 * and a {@code Cast} from a non-float type. A trainable parameter the walk does not reach would make the
 * compiler refuse the model ("does not influence the loss"), so it is found here without compiling anything.
 */
final class GradientReach {
    private GradientReach() {
    }

    /** The trainable parameters of {@code g} that {@code loss} does not reach, in declaration order. */
    static List<Value> unreached(Graph g, Value loss) {
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Value> todo = new ArrayDeque<>();
        todo.add(loss);
        seen.add(loss);
        while (!todo.isEmpty()) {
            Node producer = todo.poll().producer();
            if (producer == null) {
                continue;
            }
            for (int i : differentiableInputs(producer)) {
                Value input = producer.input(i);
                if (seen.add(input)) {
                    todo.add(input);
                }
            }
        }
        List<Value> missing = new ArrayList<>();
        for (Value p : g.parameters()) {
            if (p.trainable() && !seen.contains(p)) {
                missing.add(p);
            }
        }
        return missing;
    }

    /** The inputs of {@code n} that receive a gradient from its output, as the compiler's rules say. */
    static int[] differentiableInputs(Node n) {
        int count = n.inputs().size();
        switch (n.op()) {
            case RANDOM_NORMAL_LIKE:
                return new int[0];
            case CAST:
                return n.input(0).type() == DataType.FLOAT ? new int[] {0} : new int[0];
            case BATCH_NORMALIZATION:
                return upTo(Math.min(count, 3));
            case RESHAPE, FLATTEN, TRANSPOSE, DEPTH_TO_SPACE, REDUCE_SUM, REDUCE_MEAN, IDENTITY, NEG, EXP, LOG, SQRT,
                    RELU, LEAKY_RELU, SIGMOID, TANH, SOFTPLUS:
                return upTo(Math.min(count, 1));
            default:
                // Element-wise arithmetic, MatMul, Gemm, Conv, ConvTranspose: every input; and any operation added
                // to the builder later, until this list learns its rule.
                return upTo(count);
        }
    }

    private static int[] upTo(int n) {
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            indices[i] = i;
        }
        return indices;
    }
}
