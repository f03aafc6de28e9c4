package org.onnxtoolkit.runtime.report;

/**
 * Latent points for the manifold plot of a model with a 2-D latent: decode them in order and write the
 * images with {@code ImageGrid} at {@code columns = steps} to see how the decoder's output changes across the
 * latent plane.
 *
 * <p>As in the classic Keras and PyTorch VAE examples, the grid is not evenly spaced in {@code z} but in
 * probability: coordinates are standard-normal quantiles of {@code steps} evenly spaced probabilities, so
 * each cell covers the same prior mass.
 *
 * <p>Stateless and thread-safe.
 */
public final class LatentManifold {
    /** Default lowest probability of the grid, as in the Keras example. */
    public static final double DEFAULT_LOW = 0.05;
    /** Default highest probability of the grid, as in the Keras example. */
    public static final double DEFAULT_HIGH = 0.95;

    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

    // Coefficients of Acklam's algorithm (P. J. Acklam, "An algorithm for computing the inverse normal
    // cumulative distribution function", 2003).
    private static final double[] A = {
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] B = {
        -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] C = {
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] D = {
        7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
    private static final double P_LOW = 0.02425;

    private LatentManifold() {
    }

    /** {@link #gridPoints(int, double, double)} over probabilities {@code [0.05, 0.95]}. */
    public static float[] gridPoints(int steps) {
        return gridPoints(steps, DEFAULT_LOW, DEFAULT_HIGH);
    }

    /**
     * The {@code steps x steps} latent grid as a {@code [steps * steps, 2]} row-major array, ready to feed a
     * decoder's {@code z} input.
     *
     * <p>With {@code q[k] = inverseNormalCdf(low + k * (high - low) / (steps - 1))} for {@code k = 0..steps-1},
     * the point for grid row {@code r} and column {@code c} is at index {@code r * steps + c} and equals
     * {@code (z0, z1) = (q[c], q[steps - 1 - r])}: {@code z0} (x) increases to the right along a row, {@code z1}
     * (y) decreases down the rows, so the picture has the usual mathematical orientation.
     *
     * @param steps points per axis, at least 2
     * @param low   lowest probability, in (0, 1)
     * @param high  highest probability, in (low, 1)
     * @throws IllegalArgumentException if the arguments are out of range
     */
    public static float[] gridPoints(int steps, double low, double high) {
        if (steps < 2) {
            throw new IllegalArgumentException("manifold steps must be at least 2, got " + steps);
        }
        if (!(low > 0 && low < high && high < 1)) {
            throw new IllegalArgumentException(
                    "manifold probabilities must satisfy 0 < low < high < 1, got low=" + low + ", high=" + high);
        }
        double[] q = new double[steps];
        for (int k = 0; k < steps; k++) {
            // Endpoints exact, as numpy's linspace gives them.
            double p = k == steps - 1 ? high : low + k * (high - low) / (steps - 1);
            q[k] = inverseNormalCdf(p);
        }
        float[] z = new float[steps * steps * 2];
        for (int r = 0; r < steps; r++) {
            for (int c = 0; c < steps; c++) {
                int i = 2 * (r * steps + c);
                z[i] = (float) q[c];
                z[i + 1] = (float) q[steps - 1 - r];
            }
        }
        return z;
    }

    /**
     * The points of {@link #gridPoints(int)} embedded in a latent space of {@code latentSize} dimensions: the grid's
     * x coordinate in dimension {@code dimX}, its y coordinate in dimension {@code dimY}, every other coordinate 0
     * (the prior's mean). For {@code latentSize = 2, dimX = 0, dimY = 1} this is {@link #gridPoints(int)}.
     *
     * @return {@code [steps * steps, latentSize]}, row-major, in the order of {@link #gridPoints(int)}
     * @throws IllegalArgumentException if {@code steps < 2} or the dimensions are not two different ones in
     *                                  {@code [0, latentSize)}
     */
    public static float[] gridPoints(int steps, int latentSize, int dimX, int dimY) {
        if (dimX < 0 || dimY < 0 || dimX >= latentSize || dimY >= latentSize || dimX == dimY) {
            throw new IllegalArgumentException("manifold dimensions must be two different ones in [0, " + latentSize
                    + "), got " + dimX + " and " + dimY);
        }
        float[] plane = gridPoints(steps);
        int n = steps * steps;
        float[] z = new float[n * latentSize];
        for (int i = 0; i < n; i++) {
            z[i * latentSize + dimX] = plane[2 * i];
            z[i * latentSize + dimY] = plane[2 * i + 1];
        }
        return z;
    }

    /**
     * The standard normal quantile function {@code Phi^-1(p)}, accurate to about 1e-15 relative error.
     *
     * <p>Acklam's rational approximation (relative error below 1.2e-9) refined by one Halley step against
     * {@link #normalCdf(double)}.
     *
     * @param p a probability in [0, 1]
     * @return the {@code x} with {@code Phi(x) = p}; {@code -Infinity} for 0 and {@code +Infinity} for 1
     * @throws IllegalArgumentException if {@code p} is NaN or outside [0, 1]
     */
    public static double inverseNormalCdf(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        if (p == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p == 1) {
            return Double.POSITIVE_INFINITY;
        }
        // Work in the lower half: 1 - p is exact for p >= 0.5, and lower-tail probabilities keep their
        // relative precision, which the upper tail would lose to rounding near 1.
        return p > 0.5 ? -lowerQuantile(1 - p) : lowerQuantile(p);
    }

    /** Quantile for {@code 0 < p <= 0.5}; the result is at most 0. */
    private static double lowerQuantile(double p) {
        double x = acklam(p);
        // exp(x^2 / 2) in the Halley step overflows beyond |x| ~ 37.6 (p ~ 1e-309); keep Acklam's value there.
        if (x * x / 2 < 700) {
            double e = normalCdf(x) - p;
            double u = e * SQRT_2PI * Math.exp(x * x / 2);
            x = x - u / (1 + x * u / 2);
        }
        return x;
    }

    /** Acklam's approximation for {@code 0 < p <= 0.5}. */
    private static double acklam(double p) {
        if (p < P_LOW) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                    / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
    }

    /**
     * The standard normal CDF for {@code x <= 0}, with relative (not only absolute) accuracy in the tail: the
     * Taylor series {@code Phi(x) = 1/2 + phi(x) (x + x^3/3 + x^5/(3*5) + ...)} below t = 1.5 and Laplace's continued
     * fraction {@code Phi(-t) = phi(t) / (t + 1/(t + 2/(t + 3/(t + ...))))} further out, where the series would
     * cancel.
     */
    static double normalCdf(double x) {
        if (x > 0) {
            return 1 - normalCdf(-x);
        }
        double t = -x;
        double density = Math.exp(-t * t / 2) / SQRT_2PI;
        if (density == 0) {
            return 0;
        }
        if (t < 1.5) {
            double term = t;
            double sum = t;
            for (int k = 1; Math.abs(term) > 1e-17 * sum; k++) {
                term *= t * t / (2 * k + 1);
                sum += term;
            }
            return 0.5 - density * sum;
        }
        // Modified Lentz evaluation of t + 1/(t + 2/(t + 3/(t + ...))).
        double tiny = 1e-300;
        double f = t;
        double cj = f;
        double dj = 0;
        for (int j = 1; j < 5000; j++) {
            dj = t + j * dj;
            dj = dj == 0 ? 1 / tiny : 1 / dj;
            cj = t + j / cj;
            if (cj == 0) {
                cj = tiny;
            }
            double delta = cj * dj;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return density / f;
    }
}
