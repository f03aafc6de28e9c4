package org.onnxtoolkit.api.graph;

import java.util.Arrays;

/**
 * Geometry of a 2-D convolution or transposed convolution, as in PyTorch's {@code Conv2d} and
 * {@code ConvTranspose2d}. The kernel size comes from the weight's shape. Padding is symmetric.
 *
 * @param stride        step between kernel applications, {@code >= 1}
 * @param padding       zero padding on each side, {@code >= 0}
 * @param dilation      spacing of kernel taps, {@code >= 1}
 * @param outputPadding extra rows/columns added on one side of a transposed convolution's output;
 *                      {@code 0 <= outputPadding < max(stride, dilation)}; must be 0 for a convolution
 */
public record ConvOptions(int stride, int padding, int dilation, int outputPadding) {
    public ConvOptions {
        if (stride < 1 || padding < 0 || dilation < 1 || outputPadding < 0) {
            throw new GraphBuildException("invalid convolution options " + describe(stride, padding, dilation,
                    outputPadding) + ": expected stride >= 1, padding >= 0, dilation >= 1, output_padding >= 0");
        }
        if (outputPadding > 0 && outputPadding >= Math.max(stride, dilation)) {
            throw new GraphBuildException("invalid convolution options " + describe(stride, padding, dilation,
                    outputPadding) + ": output_padding must be smaller than the stride or the dilation");
        }
    }

    /** Stride and padding, dilation 1, no output padding. */
    public static ConvOptions of(int stride, int padding) {
        return new ConvOptions(stride, padding, 1, 0);
    }

    /** For a transposed convolution: stride, padding and output padding, dilation 1. */
    public static ConvOptions transposed(int stride, int padding, int outputPadding) {
        return new ConvOptions(stride, padding, 1, outputPadding);
    }

    long[] strides(int spatialRank) {
        return filled(spatialRank, stride);
    }

    long[] dilations(int spatialRank) {
        return filled(spatialRank, dilation);
    }

    long[] pads(int spatialRank) {
        return filled(2 * spatialRank, padding);
    }

    long[] outputPaddings(int spatialRank) {
        return filled(spatialRank, outputPadding);
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    private static String describe(int s, int p, int d, int op) {
        return "(stride=" + s + ", padding=" + p + ", dilation=" + d + ", output_padding=" + op + ")";
    }
}
