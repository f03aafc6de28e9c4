package org.onnxtoolkit.compiler.testutil;

/**
 * Plain-Java reference for {@link TinyModels.Linear}: forward pass, MSE loss and gradients in double, and
 * ORT's AdamW {@code adam_mode=0} update in float32 as the CPU kernel computes it.
 */
public final class LinearReference {

    private LinearReference() {}

    /** Forward and backward results for one batch. */
    public record Result(double loss, float[] yhat, float[] weightGrad, float[] biasGrad) {}

    /**
     * @param x [batch, in] row-major
     * @param target [batch, out]
     * @param weight [in, out]
     * @param bias [out]
     * @param offset [out] frozen offset, or null
     * @return loss = mean((x.W + b + offset - target)^2), yhat, dLoss/dW, dLoss/db
     */
    public static Result forwardBackward(float[] x, float[] target, float[] weight, float[] bias, float[] offset,
            int batch, int in, int out) {
        double[] yhat = new double[batch * out];
        for (int n = 0; n < batch; n++) {
            for (int j = 0; j < out; j++) {
                double s = bias[j] + (offset == null ? 0 : offset[j]);
                for (int i = 0; i < in; i++) {
                    s += (double) x[n * in + i] * weight[i * out + j];
                }
                yhat[n * out + j] = s;
            }
        }
        double loss = 0;
        double[] dy = new double[batch * out];
        int count = batch * out;
        for (int k = 0; k < count; k++) {
            double d = yhat[k] - target[k];
            loss += d * d;
            dy[k] = 2 * d / count;
        }
        loss /= count;
        float[] gw = new float[in * out];
        float[] gb = new float[out];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                double s = 0;
                for (int n = 0; n < batch; n++) {
                    s += x[n * in + i] * dy[n * out + j];
                }
                gw[i * out + j] = (float) s;
            }
        }
        for (int j = 0; j < out; j++) {
            double s = 0;
            for (int n = 0; n < batch; n++) {
                s += dy[n * out + j];
            }
            gb[j] = (float) s;
        }
        float[] y = new float[count];
        for (int k = 0; k < count; k++) {
            y[k] = (float) yhat[k];
        }
        return new Result(loss, y, gw, gb);
    }

    /**
     * ORT AdamW, adam_mode 0, correct_bias 1, in float32 (in place).
     *
     * @param step the 1-based optimizer step
     */
    public static void adamStep(float[] w, float[] g, float[] m, float[] v, int step, float lr, float beta1,
            float beta2, float eps, float weightDecay) {
        float alphaCorrection = 1f - (float) Math.pow(beta1, step);
        float betaCorrection = 1f - (float) Math.pow(beta2, step);
        for (int k = 0; k < w.length; k++) {
            w[k] = w[k] - w[k] * lr * weightDecay;
            m[k] = beta1 * m[k] + (1f - beta1) * g[k];
            v[k] = beta2 * v[k] + (1f - beta2) * g[k] * g[k];
            float denom = (float) Math.sqrt(v[k] / betaCorrection) + eps;
            w[k] = w[k] - (lr * m[k]) / (alphaCorrection * denom);
        }
    }
}
