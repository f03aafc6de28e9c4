package org.onnxtoolkit.api.nn;

import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Value;

/**
 * The usual layers, declared with PyTorch's parameter layouts, names and default initialisation, so that a
 * model's parameters map one-to-one onto the {@code state_dict} of the equivalent PyTorch module
 * ({@code fc1/weight} is {@code fc1.weight}). Each layer opens a scope named after it.
 */
public final class Layers {
    private Layers() {
    }

    /**
     * {@code nn.Linear}: {@code y = x W^T + b} with {@code x [N, in]}, {@code W [out, in]} (Kaiming-uniform),
     * {@code b [out]} (fan-in uniform), {@code y [N, out]}.
     */
    public static Value linear(Graph g, String name, Value x, long out) {
        if (x.rank() != 2) {
            throw new org.onnxtoolkit.api.graph.GraphBuildException("linear '" + name + "': expected input [N, in], got "
                    + x.shape());
        }
        long in = x.shape().dim(1);
        try (var s = g.scope(name)) {
            Value w = g.parameter("weight", Init.kaimingUniform(in), out, in);
            Value b = g.parameter("bias", Init.fanInUniform(in), out);
            return g.gemm(x, w, b, false, true, 1f, 1f);
        }
    }

    /**
     * {@code nn.Conv2d} with a square kernel: {@code x [N, C, H, W]}, {@code weight [out, C, k, k]}
     * (Kaiming-uniform, fan-in {@code C k k}), {@code bias [out]}.
     */
    public static Value conv2d(Graph g, String name, Value x, long out, int kernel, ConvOptions options) {
        long in = x.shape().dim(1);
        long fanIn = in * kernel * kernel;
        try (var s = g.scope(name)) {
            Value w = g.parameter("weight", Init.kaimingUniform(fanIn), out, in, kernel, kernel);
            Value b = g.parameter("bias", Init.fanInUniform(fanIn), out);
            return g.conv(x, w, b, options);
        }
    }

    /**
     * {@code nn.ConvTranspose2d} with a square kernel: {@code x [N, C, H, W]}, {@code weight [C, out, k, k]}
     * (PyTorch computes the fan-in from dimension 1: {@code out k k}), {@code bias [out]}.
     */
    public static Value convTranspose2d(Graph g, String name, Value x, long out, int kernel, ConvOptions options) {
        long in = x.shape().dim(1);
        long fanIn = out * kernel * kernel;
        try (var s = g.scope(name)) {
            Value w = g.parameter("weight", Init.kaimingUniform(fanIn), in, out, kernel, kernel);
            Value b = g.parameter("bias", Init.fanInUniform(fanIn), out);
            return g.convTranspose(x, w, b, options);
        }
    }

    /**
     * {@code nn.BatchNorm2d(C)} with PyTorch's defaults (eps 1e-5, momentum 0.1): {@code weight [C]} = 1,
     * {@code bias [C]} = 0, frozen {@code running_mean [C]} = 0 and {@code running_var [C]} = 1. The form
     * follows the graph's {@link Phase}: batch statistics while training, running statistics otherwise.
     */
    public static Value batchNorm2d(Graph g, String name, Value x) {
        long c = x.shape().dim(1);
        try (var s = g.scope(name)) {
            Value scale = g.parameter("weight", Init.ones(), c);
            Value bias = g.parameter("bias", Init.zeros(), c);
            Value mean = g.frozenParameter("running_mean", Init.zeros(), c);
            Value var = g.frozenParameter("running_var", Init.ones(), c);
            return g.batchNormalization(x, scale, bias, mean, var, 1e-5f, 0.9f, g.phase() == Phase.TRAINING);
        }
    }

    /**
     * The one-hot vectors of class labels: {@code label [N]} int64 in {@code [0, classes)} to
     * {@code [N, classes]} float32, 1 at the label's index and 0 elsewhere. Built from ops every runtime has
     * ({@code Cast}, {@code Sub}, {@code Relu}): with {@code d = label - k}, {@code relu(1 - relu(d) - relu(-d))}
     * is exactly 1 for {@code k = label} and 0 for every other integer {@code k}. A label outside the range
     * gives a row of zeros. Nothing here is differentiable, nor needs to be: labels are data.
     */
    public static Value oneHot(Graph g, Value label, int classes) {
        if (label.rank() != 1 || label.type() != org.onnxtoolkit.api.graph.DataType.INT64) {
            throw new org.onnxtoolkit.api.graph.GraphBuildException("oneHot: expected int64 labels [N], got "
                    + label.type() + " " + label.shape());
        }
        if (classes < 1) {
            throw new org.onnxtoolkit.api.graph.GraphBuildException("oneHot: expected at least one class, got "
                    + classes);
        }
        float[] indices = new float[classes];
        for (int k = 0; k < classes; k++) {
            indices[k] = k;
        }
        try (var s = g.scope("one_hot")) {
            Value d = g.cast(label, org.onnxtoolkit.api.graph.DataType.FLOAT).reshape(-1, 1)
                    .sub(g.constant("classes", indices, 1, classes));
            return g.scalar(1f).sub(d.relu()).sub(d.neg().relu()).relu();
        }
    }
}
