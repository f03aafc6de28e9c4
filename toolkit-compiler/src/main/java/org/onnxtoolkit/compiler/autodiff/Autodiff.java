package org.onnxtoolkit.compiler.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onnxtoolkit.api.graph.Attributes;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.GraphBuildException;
import org.onnxtoolkit.api.graph.Node;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.onnx.IrGraph;

/**
 * Reverse-mode automatic differentiation of a plugin graph's scalar loss with respect to its trainable
 * parameters, emitted as ONNX nodes into the training {@link IrGraph} after the lowered forward pass.
 *
 * <p>The nodes are visited in reverse topological order. Each rule receives the gradient of its node's
 * output and contributes gradients to those inputs that depend on a trainable parameter. A value used by
 * several nodes (fan-out) receives the sum of all contributions ({@code Sum}). Under broadcasting, a
 * contribution is summed over the broadcast axes and reshaped back to the input's shape, so every
 * gradient has exactly its value's shape, with one exception: the gradient of a sum or mean may keep its reduced
 * shape when the value reduced comes from a rule that multiplies it by a tensor of the full shape anyway (a binary
 * cross-entropy that lowering fused, see {@link BceWithLogits}, or a product such as a square), which saves
 * expanding it to the image's size. The gradient of parameter {@code p} is named {@code p_grad}.
 *
 * <p>Which operations gradients flow through is the operator table's {@link Op#differentiable()}; every
 * differentiable builder operation has a rule in {@link #backward}. No gradient flows through
 * {@code RandomNormalLike} (noise), casts to non-float types, or the int64 shape/axes inputs of Reshape and
 * ReduceSum.
 */
final class Autodiff {
    private final Graph graph;
    private final Lowering lowering;
    private final GradientKernels kernels;
    private final Emitter e;
    private final Set<Value> requiresGrad = new HashSet<>();
    private final Map<Value, List<String>> contributions = new LinkedHashMap<>();
    private final Map<String, String> shapeNodes = new HashMap<>();
    private final Map<Value, Node> producers = new HashMap<>();

    Autodiff(Graph graph, IrGraph ir, Lowering lowering, GradientKernels kernels) {
        this.graph = graph;
        this.lowering = lowering;
        this.kernels = kernels;
        this.e = new Emitter(ir, "grad");
    }

    /**
     * Emits the backward pass.
     *
     * @return parameter name to gradient name ({@code p_grad}), for every trainable parameter, in
     *         declaration order
     * @throws GraphBuildException if the loss is not a float scalar or a trainable parameter does not
     *                             influence the loss
     */
    Map<String, String> differentiate(Value loss) {
        if (loss.type() != DataType.FLOAT || loss.rank() != 0) {
            throw new GraphBuildException("the loss must be a float scalar (rank 0), got " + loss);
        }
        for (Value p : graph.parameters()) {
            if (p.trainable()) {
                requiresGrad.add(p);
            }
        }
        for (Node n : graph.nodes()) {
            n.outputs().forEach(out -> producers.put(out, n));
            if (n.op().differentiable() && n.inputs().stream().anyMatch(requiresGrad::contains)) {
                requiresGrad.addAll(n.outputs());
            }
        }
        if (!requiresGrad.contains(loss)) {
            throw new GraphBuildException("the loss " + loss + " does not depend on any trainable parameter");
        }
        contribute(loss, e.scalar(1f));
        List<Node> nodes = graph.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            Value y = n.output();
            if (!contributions.containsKey(y) || !requiresGrad.contains(y)) {
                continue;
            }
            backward(n, total(y));
        }
        Map<String, String> grads = new LinkedHashMap<>();
        for (Value p : graph.parameters()) {
            if (!p.trainable()) {
                continue;
            }
            if (!contributions.containsKey(p)) {
                throw new GraphBuildException("trainable parameter " + p + " does not influence the loss; make it"
                        + " frozen or remove it");
            }
            String name = p.name() + "_grad";
            List<String> parts = contributions.get(p);
            e.ir().addNode(parts.size() == 1 ? Op.IDENTITY : Op.SUM, name, parts,
                    List.of(name), Attributes.NONE);
            grads.put(p.name(), name);
        }
        return grads;
    }

    private void contribute(Value v, String grad) {
        if (requiresGrad.contains(v)) {
            contributions.computeIfAbsent(v, k -> new ArrayList<>()).add(grad);
        }
    }

    private boolean needs(Value v) {
        return requiresGrad.contains(v);
    }

    /** The gradient of {@code v}: its single contribution, or the Sum of all of them. */
    private String total(Value v) {
        List<String> parts = contributions.get(v);
        return parts.size() == 1 ? parts.get(0) : e.node(Op.SUM, parts);
    }

    private void backward(Node n, String dy) {
        Value y = n.output();
        List<Value> in = n.inputs();
        Lowering.FusedBce bce = lowering.fusedBce().get(n);
        if (bce != null) {
            backwardBce(bce, y, dy);
            return;
        }
        switch (n.op()) {
            case ADD -> {
                contributeBroadcast(in.get(0), dy, y.shape());
                contributeBroadcast(in.get(1), dy, y.shape());
            }
            case SUB -> {
                contributeBroadcast(in.get(0), dy, y.shape());
                if (needs(in.get(1))) {
                    contributeBroadcast(in.get(1), e.node(Op.NEG, List.of(dy)), y.shape());
                }
            }
            // y = x * x: dx = 2 x dy, one contribution instead of two and their Sum
            case MUL -> {
                if (in.get(0) == in.get(1)) {
                    contribute(in.get(0), e.node(Op.MUL, List.of(e.node(Op.MUL, List.of(dy, e.scalar(2f))),
                            in.get(0).name())));
                    return;
                }
                if (needs(in.get(0))) {
                    contributeBroadcast(in.get(0), e.node(Op.MUL, List.of(dy, in.get(1).name())), y.shape());
                }
                if (needs(in.get(1))) {
                    contributeBroadcast(in.get(1), e.node(Op.MUL, List.of(dy, in.get(0).name())), y.shape());
                }
            }
            case DIV -> {
                // y = a / b:  da = dy / b,  db = -dy * y / b
                if (needs(in.get(0))) {
                    contributeBroadcast(in.get(0), e.node(Op.DIV, List.of(dy, in.get(1).name())), y.shape());
                }
                if (needs(in.get(1))) {
                    String t = e.node(Op.DIV, List.of(e.node(Op.MUL, List.of(dy, y.name())), in.get(1).name()));
                    contributeBroadcast(in.get(1), e.node(Op.NEG, List.of(t)), y.shape());
                }
            }
            case NEG -> contribute(in.get(0), e.node(Op.NEG, List.of(dy)));
            case IDENTITY -> contribute(in.get(0), dy);
            case EXP -> contribute(in.get(0), e.node(Op.MUL, List.of(dy, y.name())));
            case LOG -> contribute(in.get(0), e.node(Op.DIV, List.of(dy, in.get(0).name())));
            // y = sqrt(x): dx = dy / (2 y)
            case SQRT -> contribute(in.get(0), e.node(Op.DIV, List.of(dy, e.node(Op.MUL, List.of(y.name(),
                    e.scalar(2f))))));
            case RELU -> contribute(in.get(0), kernels == GradientKernels.ORT_FUSED
                    ? e.node(Op.RELU_GRAD, List.of(dy, y.name()), Attributes.NONE)
                    : e.node(Op.WHERE, List.of(positive(y.name()), dy, e.scalar(0f))));
            case LEAKY_RELU -> {
                float alpha = n.attributes().getFloat("alpha", 0.01f);
                contribute(in.get(0), kernels == GradientKernels.ORT_FUSED
                        ? e.node(Op.LEAKY_RELU_GRAD, List.of(dy, y.name()),
                        Attributes.builder().put("alpha", alpha).build())
                        : e.node(Op.WHERE, List.of(positive(in.get(0).name()), dy,
                        e.node(Op.MUL, List.of(dy, e.scalar(alpha))))));
            }
            case SIGMOID -> contribute(in.get(0), kernels == GradientKernels.ORT_FUSED
                    ? e.node(Op.SIGMOID_GRAD, List.of(dy, y.name()), Attributes.NONE)
                    // dx = dy * y * (1 - y)
                    : e.node(Op.MUL, List.of(e.node(Op.MUL, List.of(dy, y.name())),
                    e.node(Op.SUB, List.of(e.scalar(1f), y.name())))));
            case TANH -> contribute(in.get(0), kernels == GradientKernels.ORT_FUSED
                    ? e.node(Op.TANH_GRAD, List.of(dy, y.name()), Attributes.NONE)
                    // dx = dy * (1 - y^2)
                    : e.node(Op.MUL, List.of(dy, e.node(Op.SUB, List.of(e.scalar(1f),
                    e.node(Op.MUL, List.of(y.name(), y.name())))))));
            // y = log(1 + exp(x)): dx = dy * sigmoid(x)
            case SOFTPLUS -> contribute(in.get(0), e.node(Op.MUL, List.of(dy,
                    e.node(Op.SIGMOID, List.of(in.get(0).name())))));
            case MATMUL -> {
                if (needs(in.get(0))) {
                    contribute(in.get(0), gemm(dy, in.get(1).name(), false, true, 1f));
                }
                if (needs(in.get(1))) {
                    contribute(in.get(1), gemm(in.get(0).name(), dy, true, false, 1f));
                }
            }
            case GEMM -> backwardGemm(n, dy);
            case CONV -> backwardConv(n, dy);
            case CONV_TRANSPOSE -> backwardConvTranspose(n, dy);
            case BATCH_NORMALIZATION -> backwardBatchNorm(n, dy);
            case RESHAPE, FLATTEN -> contribute(in.get(0), e.node(Op.RESHAPE, List.of(dy, shapeOf(in.get(0)))));
            case TRANSPOSE -> {
                long[] perm = n.attributes().getInts("perm");
                long[] inverse = new long[perm.length];
                for (int i = 0; i < perm.length; i++) {
                    inverse[(int) perm[i]] = i;
                }
                contribute(in.get(0), e.node(Op.TRANSPOSE, List.of(dy),
                        Attributes.builder().put("perm", inverse).build()));
            }
            case REDUCE_SUM, REDUCE_MEAN -> backwardReduce(n, dy);
            case DEPTH_TO_SPACE -> backwardDepthToSpace(n, dy);
            case CAST -> {
                if (in.get(0).type() == DataType.FLOAT) {
                    contribute(in.get(0), e.cast(dy, DataType.FLOAT));
                }
            }
            case MAX_POOL -> backwardMaxPool(n, dy);
            case AVERAGE_POOL -> backwardAveragePool(n, dy);
            // y = mean over the spatial axes: dx = dy spread evenly over them
            case GLOBAL_AVERAGE_POOL -> contribute(in.get(0), e.node(Op.DIV, List.of(
                    e.node(Op.EXPAND, List.of(dy, shapeOf(in.get(0)))),
                    e.scalar((float) spatialCount(in.get(0))))));
            case CONCAT -> backwardConcat(n, dy);
            // y = softmax(x): dx = y * (dy - sum(dy * y))
            case SOFTMAX -> {
                String axes = e.ints(n.attributes().getInt("axis", -1));
                String dot = e.node(Op.REDUCE_SUM, List.of(e.node(Op.MUL, List.of(dy, y.name())), axes),
                        Attributes.builder().put("keepdims", 1L).build());
                contribute(in.get(0), e.node(Op.MUL, List.of(y.name(), e.node(Op.SUB, List.of(dy, dot)))));
            }
            // y = log softmax(x): dx = dy - exp(y) * sum(dy)
            case LOG_SOFTMAX -> {
                String sum = e.node(Op.REDUCE_SUM, List.of(dy, e.ints(n.attributes().getInt("axis", -1))),
                        Attributes.builder().put("keepdims", 1L).build());
                contribute(in.get(0), e.node(Op.SUB, List.of(dy, e.node(Op.MUL, List.of(
                        e.node(Op.EXP, List.of(y.name())), sum)))));
            }
            // y = x * mask / (1 - ratio): dx = dy * mask / (1 - ratio), the mask of this very step
            case DROPOUT -> {
                float ratio = n.input(1).floatData()[0];
                String kept = e.node(Op.MUL, List.of(dy, e.cast(lowering.sideOutputs().get(n), DataType.FLOAT)));
                contribute(in.get(0), ratio == 0f ? kept : e.node(Op.MUL, List.of(kept, e.scalar(1f / (1f - ratio)))));
            }
            // y = clamp(x, min, max): dx = dy where min <= x <= max (PyTorch's clamp passes the bounds too)
            case CLIP -> contribute(in.get(0), e.node(Op.WHERE, List.of(
                    e.node(Op.GREATER_OR_EQUAL, List.of(in.get(0).name(), in.get(1).name())),
                    e.node(Op.WHERE, List.of(e.node(Op.LESS_OR_EQUAL, List.of(in.get(0).name(), in.get(2).name())),
                            dy, e.scalar(0f))),
                    e.scalar(0f))));
            default -> throw new GraphBuildException("no gradient rule for " + n);
        }
    }

    /**
     * {@code y = softplus(l) - t l}: {@code dl = dy (sigmoid(l) - t)}, {@code dt = -dy l}; {@code sigmoid(l)} is
     * the forward pass's. {@code dy} may have the reduced shape of the sum over {@code y} (see
     * {@link #broadcastsItsGradient}).
     */
    private void backwardBce(Lowering.FusedBce bce, Value y, String dy) {
        Value l = bce.match().logits();
        Value t = bce.match().target();
        contributeBroadcast(l, e.node(Op.MUL, List.of(e.node(Op.SUB, List.of(bce.sigmoid(), t.name())), dy)),
                y.shape());
        if (needs(t)) {
            contributeBroadcast(t, e.node(Op.NEG, List.of(e.node(Op.MUL, List.of(dy, l.name())))), y.shape());
        }
    }

    /**
     * True when {@code x}'s gradient rule accepts a gradient of any shape that broadcasts to {@code x}'s, because
     * it multiplies {@code dy} by a tensor of {@code x}'s shape anyway: a fused binary cross-entropy whose target
     * needs no gradient, or a product whose operands that need a gradient each have the other at {@code x}'s
     * shape (a square {@code d * d}, as in a mean squared error).
     */
    private boolean broadcastsItsGradient(Value x) {
        Node producer = producers.get(x);
        if (producer == null) {
            return false;
        }
        Lowering.FusedBce bce = lowering.fusedBce().get(producer);
        if (bce != null) {
            return !needs(bce.match().target());
        }
        if (producer.op() != Op.MUL) {
            return false;
        }
        Value a = producer.input(0);
        Value b = producer.input(1);
        return (!needs(a) || b.shape().equals(x.shape())) && (!needs(b) || a.shape().equals(x.shape()));
    }

    /**
     * MaxPool's Indices (from lowering) are flat indices into the whole input, so the gradient is a scatter-add
     * of {@code dy} into a flat zero tensor of the input's size (overlapping windows add up), reshaped back.
     */
    private void backwardMaxPool(Node n, String dy) {
        Value x = n.input(0);
        String indices = lowering.sideOutputs().get(n);
        String flat = e.ints(-1);
        String size = e.node(Op.UNSQUEEZE, List.of(e.node(Op.SIZE, List.of(x.name())), e.ints(0)));
        String zeros = e.node(Op.EXPAND, List.of(e.scalar(0f), size));
        String scattered = e.node(Op.SCATTER_ELEMENTS, List.of(zeros, e.node(Op.RESHAPE, List.of(indices, flat)),
                e.node(Op.RESHAPE, List.of(dy, flat))),
                Attributes.builder().put("axis", 0L).put("reduction", "add").build());
        contribute(x, e.node(Op.RESHAPE, List.of(scattered, shapeOf(x))));
    }

    /**
     * Average pooling with padded zeros counted is a depthwise convolution with a constant kernel
     * {@code 1 / (kH kW)}; its gradient is the transposed depthwise convolution of {@code dy} with that kernel,
     * with an output padding that restores rows and columns the pooling windows did not reach.
     */
    private void backwardAveragePool(Node n, String dy) {
        Value x = n.input(0);
        long[] k = n.attributes().getInts("kernel_shape");
        long[] strides = n.attributes().getInts("strides");
        long[] pads = n.attributes().getInts("pads");
        long c = x.shape().dim(1);
        float[] w = new float[(int) (c * k[0] * k[1])];
        java.util.Arrays.fill(w, 1f / (k[0] * k[1]));
        long[] outputPadding = new long[2];
        for (int i = 0; i < 2; i++) {
            long covered = strides[i] * (n.output().shape().dim(2 + i) - 1) + k[i] - pads[i] - pads[i + 2];
            outputPadding[i] = x.shape().dim(2 + i) - covered;
        }
        Attributes attrs = Attributes.builder().put("kernel_shape", k).put("strides", strides).put("pads", pads)
                .put("dilations", new long[] {1, 1}).put("group", c).put("output_padding", outputPadding).build();
        contribute(x, e.node(Op.CONV_TRANSPOSE, List.of(dy, e.floats(w, c, 1, k[0], k[1])), attrs));
    }

    private static long spatialCount(Value x) {
        long n = 1;
        for (int i = 2; i < x.rank(); i++) {
            n *= x.shape().dim(i);
        }
        return n;
    }

    /** Each input gets its slice of {@code dy} along the axis. */
    private void backwardConcat(Node n, String dy) {
        long axis = n.attributes().getInt("axis", 0);
        long offset = 0;
        for (Value part : n.inputs()) {
            long length = part.shape().dim((int) axis);
            if (needs(part)) {
                contribute(part, e.node(Op.SLICE, List.of(dy, e.ints(offset), e.ints(offset + length), e.ints(axis))));
            }
            offset += length;
        }
    }

    private String positive(String x) {
        return e.node(Op.GREATER, List.of(x, e.scalar(0f)));
    }

    /**
     * {@code alpha op(A) op(B)}. A transposed A is materialised with an explicit Transpose first: ONNX
     * Runtime's CPU Gemm with {@code transA=1} ran at half the speed of the plain one on the weight gradients
     * of the MLP VAE, and the Transpose costs far less than the difference (22% less kernel time per step).
     */
    private String gemm(String a, String b, boolean transA, boolean transB, float alpha) {
        String left = transA ? e.node(Op.TRANSPOSE, List.of(a), Attributes.builder().put("perm", new long[] {1, 0}).build()) : a;
        return e.node(Op.GEMM, List.of(left, b), Attributes.builder().put("alpha", alpha).put("beta", 0f)
                .put("transA", 0L).put("transB", transB ? 1L : 0L).build());
    }

    /** Y = alpha op(A) op(B) + beta C; op transposes when the flag is set. */
    private void backwardGemm(Node n, String dy) {
        Value a = n.input(0);
        Value b = n.input(1);
        boolean transA = n.attributes().getInt("transA", 0) == 1;
        boolean transB = n.attributes().getInt("transB", 0) == 1;
        float alpha = n.attributes().getFloat("alpha", 1f);
        float beta = n.attributes().getFloat("beta", 1f);
        if (needs(a)) {
            // d op(A) = alpha dY op(B)^T
            contribute(a, transA
                    ? gemm(b.name(), dy, transB, true, alpha)     // dA = alpha op(B) dY^T
                    : gemm(dy, b.name(), false, !transB, alpha)); // dA = alpha dY op(B)^T
        }
        if (needs(b)) {
            contribute(b, transB
                    ? gemm(dy, a.name(), true, transA, alpha)     // dB = alpha dY^T op(A)
                    : gemm(a.name(), dy, !transA, false, alpha)); // dB = alpha op(A)^T dY
        }
        if (n.inputs().size() > 2 && needs(n.input(2))) {
            String scaled = beta == 1f ? dy : e.node(Op.MUL, List.of(dy, e.scalar(beta)));
            contributeBroadcast(n.input(2), scaled, n.output().shape());
        }
    }

    private Attributes convAttributes(Node n) {
        Attributes a = n.attributes();
        return Attributes.builder().put("kernel_shape", a.getInts("kernel_shape")).put("strides", a.getInts("strides"))
                .put("pads", a.getInts("pads")).put("dilations", a.getInts("dilations"))
                .put("group", a.getInt("group", 1)).build();
    }

    /** ConvGrad(dY, X, W) gives dX, dW and dB; absent outputs are not computed. */
    private void backwardConv(Node n, String dy) {
        boolean hasBias = n.inputs().size() > 2;
        boolean[] wanted = {needs(n.input(0)), needs(n.input(1)), hasBias && needs(n.input(2))};
        List<String> g = e.multi(Op.CONV_GRAD, List.of(dy, n.input(0).name(), n.input(1).name()),
                wanted, convAttributes(n));
        for (int i = 0; i < 3; i++) {
            if (wanted[i]) {
                contribute(n.input(i), g.get(i));
            }
        }
    }

    /**
     * ONNX Runtime has no ConvTranspose gradient kernel on CPU. A transposed convolution is the adjoint of a
     * convolution with the same weight, so: {@code dX = Conv(dY, W)} with the same strides, pads and
     * dilations; {@code dW = ConvGrad(dY := X, X := dY, W)}, reading the roles of the convolution whose
     * adjoint this is; {@code dB = ReduceSum(dY, [0, 2, 3])}.
     */
    private void backwardConvTranspose(Node n, String dy) {
        Value x = n.input(0);
        Value w = n.input(1);
        Attributes attrs = convAttributes(n);
        if (needs(x)) {
            contribute(x, e.node(Op.CONV, List.of(dy, w.name()), attrs));
        }
        if (needs(w)) {
            List<String> g = e.multi(Op.CONV_GRAD, List.of(x.name(), dy, w.name()),
                    new boolean[] {false, true, false}, attrs);
            contribute(w, g.get(1));
        }
        if (n.inputs().size() > 2 && needs(n.input(2))) {
            contribute(n.input(2), e.node(Op.REDUCE_SUM, List.of(dy, e.ints(0, 2, 3)),
                    Attributes.builder().put("keepdims", 0L).build()));
        }
    }

    private void backwardBatchNorm(Node n, String dy) {
        Lowering.BatchNormSaved saved = lowering.batchNormSaved().get(n);
        if (saved == null) {
            throw new GraphBuildException(n + ": batch normalisation in inference form in a training graph has no"
                    + " gradient rule; use the training form (build the training graph with Phase.TRAINING)");
        }
        boolean[] wanted = {needs(n.input(0)), needs(n.input(1)), needs(n.input(2))};
        List<String> g = e.multi(Op.BATCH_NORMALIZATION_GRAD,
                List.of(dy, n.input(0).name(), n.input(1).name(), saved.savedMean(), saved.savedInvStd()),
                new boolean[] {true, true, true},
                Attributes.builder().put("epsilon", n.attributes().getFloat("epsilon", 1e-5f)).build());
        for (int i = 0; i < 3; i++) {
            if (wanted[i]) {
                contribute(n.input(i), g.get(i));
            }
        }
    }

    /**
     * DepthToSpace is a reshape, a transpose and a reshape; its gradient undoes them in reverse order. In CRD
     * mode the input is read as {@code [N, C, r, r, H, W]} and permuted by {@code (0, 1, 4, 2, 5, 3)}; in
     * DCR mode as {@code [N, r, r, C, H, W]} permuted by {@code (0, 3, 4, 1, 5, 2)}; both give
     * {@code [N, C, H, r, W, r]}.
     */
    private void backwardDepthToSpace(Node n, String dy) {
        Value x = n.input(0);
        long r = n.attributes().getInt("blocksize", 1);
        boolean crd = "CRD".equals(n.attributes().get("mode"));
        long c = x.shape().dim(1) / (r * r);
        long h = x.shape().dim(2);
        long w = x.shape().dim(3);
        long[] perm = crd ? new long[] {0, 1, 4, 2, 5, 3} : new long[] {0, 3, 4, 1, 5, 2};
        long[] inverse = new long[6];
        for (int i = 0; i < 6; i++) {
            inverse[(int) perm[i]] = i;
        }
        String g = e.node(Op.RESHAPE, List.of(dy, e.ints(0, c, h, r, w, r)));
        g = e.node(Op.TRANSPOSE, List.of(g), Attributes.builder().put("perm", inverse).build());
        contribute(x, e.node(Op.RESHAPE, List.of(g, shapeOf(x))));
    }

    private void backwardReduce(Node n, String dy) {
        Value x = n.input(0);
        Value y = n.output();
        long[] axes = n.op() == Op.REDUCE_SUM ? n.input(1).longData() : n.attributes().getInts("axes");
        boolean keepDims = n.attributes().getInt("keepdims", 1) == 1;
        String g = dy;
        if (!keepDims && axes.length > 0) {
            g = e.node(Op.UNSQUEEZE, List.of(g, e.ints(axes)));
        }
        if (!broadcastsItsGradient(x)) {
            g = e.node(Op.EXPAND, List.of(g, shapeOf(x)));
        }
        if (n.op() == Op.REDUCE_MEAN) {
            g = e.node(Op.DIV, List.of(g, reducedCount(x, y, axes)));
        }
        contribute(x, g);
    }

    /** The number of elements averaged per output element, static when no reduced axis is the batch. */
    private String reducedCount(Value x, Value y, long[] axes) {
        long count = 1;
        boolean dynamic = false;
        for (long a : axes) {
            long d = x.shape().dim((int) a);
            if (d == Shape.BATCH) {
                dynamic = true;
            } else {
                count *= d;
            }
        }
        if (!dynamic) {
            return e.scalar((float) count);
        }
        String inputSize = e.cast(e.node(Op.SIZE, List.of(x.name())), DataType.FLOAT);
        if (y.shape().isStatic()) {
            // y has no batch axis: its size is known, and 1 for a mean over every axis
            long outputs = y.shape().elementCount();
            return outputs == 1 ? inputSize : e.node(Op.DIV, List.of(inputSize, e.scalar((float) outputs)));
        }
        return e.node(Op.DIV, List.of(inputSize, e.cast(e.node(Op.SIZE, List.of(y.name())), DataType.FLOAT)));
    }

    /**
     * Contributes {@code grad} (of the broadcast output shape) to {@code input}: summed over the axes that
     * broadcasting added or stretched, then reshaped to the input's shape.
     */
    private void contributeBroadcast(Value input, String grad, Shape outShape) {
        if (!needs(input)) {
            return;
        }
        Shape inShape = input.shape();
        int lead = outShape.rank() - inShape.rank();
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < outShape.rank(); i++) {
            if (i < lead) {
                axes.add((long) i);
            } else if (inShape.dim(i - lead) == 1 && outShape.dim(i) != 1) {
                axes.add((long) i);
            }
        }
        if (axes.isEmpty()) {
            contribute(input, grad);
            return;
        }
        // Summing away only the leading axes (keepdims 0), or only stretched ones at equal rank (keepdims 1), gives
        // the input's shape at once; both at a time need a Reshape. A bias's gradient is the first case.
        boolean onlyLeading = axes.stream().allMatch(a -> a < lead);
        String summed = e.node(Op.REDUCE_SUM, List.of(grad, e.ints(axes.stream().mapToLong(Long::longValue).toArray())),
                Attributes.builder().put("keepdims", onlyLeading ? 0L : 1L).build());
        contribute(input, onlyLeading || lead == 0 ? summed : e.node(Op.RESHAPE, List.of(summed, shapeOf(input))));
    }

    /** A Shape node for a forward value, emitted once per value. */
    private String shapeOf(Value v) {
        if (v.shape().isStatic() && v.rank() > 0) {
            return shapeNodes.computeIfAbsent(v.name(), k -> e.ints(v.shape().dims()));
        }
        return shapeNodes.computeIfAbsent(v.name(), k -> e.node(Op.SHAPE, List.of(k)));
    }
}
