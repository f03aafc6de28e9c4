package org.onnxtoolkit.compiler.autodiff;

/**
 * Which nodes the backward pass of the element-wise activations (Relu, LeakyRelu, Sigmoid, Tanh) uses.
 * Both are exact; they differ in speed and in which runtimes can execute the training graph.
 */
public enum GradientKernels {
    /**
     * ONNX Runtime's fused gradient kernels ({@code com.microsoft} ReluGrad, LeakyReluGrad, SigmoidGrad,
     * TanhGrad): one kernel per activation, present on CPU and CUDA. The default.
     */
    ORT_FUSED,
    /** Standard ONNX ops only (Greater/Where, Mul, Sub): two or three kernels per activation. */
    STANDARD_ONNX
}
