package org.onnxtoolkit.engine.training;

/**
 * Plain-Java double-precision forward passes used as an independent reference for the compiled training
 * graphs. Layouts follow ONNX and PyTorch: images {@code [N, C, H, W]}, conv weights {@code [M, C, k, k]},
 * transposed-conv weights {@code [C, M, k, k]}, linear weights {@code [out, in]}; all row-major.
 */
public final class JavaReference {
    private JavaReference() {
    }

    /** {@code y = x W^T + b}: x [n, in], w [out, in], b [out] -> [n, out]. */
    public static double[] linear(double[] x, int n, int in, double[] w, double[] b, int out) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int k = 0; k < in; k++) {
                    s += x[i * in + k] * w[o * in + k];
                }
                y[i * out + o] = s;
            }
        }
        return y;
    }

    public static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, x[i]);
        }
        return y;
    }

    public static double softplus(double v) {
        return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
    }

    /** Convolution with square kernel k, stride s, padding p; returns [n, m, ho, wo]. */
    public static double[] conv2d(double[] x, int n, int c, int h, int w, double[] wt, double[] b, int m, int k, int s,
                           int p) {
        int ho = (h + 2 * p - k) / s + 1;
        int wo = (w + 2 * p - k) / s + 1;
        double[] y = new double[n * m * ho * wo];
        for (int in = 0; in < n; in++) {
            for (int om = 0; om < m; om++) {
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double sum = b == null ? 0 : b[om];
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * s - p + ky;
                                    int ix = ox * s - p + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    sum += x[((in * c + ic) * h + iy) * w + ix] * wt[((om * c + ic) * k + ky) * k + kx];
                                }
                            }
                        }
                        y[((in * m + om) * ho + oy) * wo + ox] = sum;
                    }
                }
            }
        }
        return y;
    }

    /** Transposed convolution, weight [c, m, k, k]; output size s(h-1) + k - 2p + op. */
    public static double[] convTranspose2d(double[] x, int n, int c, int h, int w, double[] wt, double[] b, int m, int k,
                                    int s, int p, int op) {
        int ho = s * (h - 1) + k - 2 * p + op;
        int wo = s * (w - 1) + k - 2 * p + op;
        double[] y = new double[n * m * ho * wo];
        for (int in = 0; in < n; in++) {
            for (int om = 0; om < m; om++) {
                for (int i = 0; i < ho * wo; i++) {
                    y[(in * m + om) * ho * wo + i] = b == null ? 0 : b[om];
                }
            }
            for (int ic = 0; ic < c; ic++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < w; ix++) {
                        double v = x[((in * c + ic) * h + iy) * w + ix];
                        for (int om = 0; om < m; om++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int oy = iy * s - p + ky;
                                    int ox = ix * s - p + kx;
                                    if (oy < 0 || oy >= ho || ox < 0 || ox >= wo) {
                                        continue;
                                    }
                                    y[((in * m + om) * ho + oy) * wo + ox] += v * wt[((ic * m + om) * k + ky) * k + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    /** Batch statistics of {@code x [n, c, hw]}: mean and biased variance per channel. */
    public static double[][] batchStats(double[] x, int n, int c, int hw) {
        double[] mean = new double[c];
        double[] var = new double[c];
        int count = n * hw;
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < hw; j++) {
                    s += x[(i * c + ch) * hw + j];
                }
            }
            mean[ch] = s / count;
            double v = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < hw; j++) {
                    double d = x[(i * c + ch) * hw + j] - mean[ch];
                    v += d * d;
                }
            }
            var[ch] = v / count;
        }
        return new double[][] {mean, var};
    }

    /** Batch normalisation with batch statistics (training form). */
    public static double[] batchNormTrain(double[] x, int n, int c, int hw, double[] scale, double[] bias, double eps) {
        double[][] st = batchStats(x, n, c, hw);
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double inv = 1.0 / Math.sqrt(st[1][ch] + eps);
                for (int j = 0; j < hw; j++) {
                    int idx = (i * c + ch) * hw + j;
                    y[idx] = (x[idx] - st[0][ch]) * inv * scale[ch] + bias[ch];
                }
            }
        }
        return y;
    }

    /** Batch normalisation with running statistics (inference form). */
    public static double[] batchNormInference(double[] x, int n, int c, int hw, double[] scale, double[] bias,
                                              double[] mean, double[] var, double eps) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double inv = 1.0 / Math.sqrt(var[ch] + eps);
                for (int j = 0; j < hw; j++) {
                    int idx = (i * c + ch) * hw + j;
                    y[idx] = (x[idx] - mean[ch]) * inv * scale[ch] + bias[ch];
                }
            }
        }
        return y;
    }

    /**
     * One step of PyTorch's {@code Adam} (weight decay 0) from zero moments at step {@code t}: updates
     * {@code w}, {@code m} and {@code v} in place.
     */
    public static void adamStep(double[] w, double[] g, double[] m, double[] v, int t, double lr, double b1, double b2,
                         double eps) {
        for (int i = 0; i < w.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            double mhat = m[i] / (1 - Math.pow(b1, t));
            double vhat = v[i] / (1 - Math.pow(b2, t));
            w[i] -= lr * mhat / (Math.sqrt(vhat) + eps);
        }
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
