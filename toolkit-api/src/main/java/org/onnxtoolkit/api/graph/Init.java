package org.onnxtoolkit.api.graph;

import java.util.random.RandomGenerator;

/**
 * How a parameter's initial values are drawn. The schemes are PyTorch's defaults, so that a model built
 * here starts from the same distribution as the reference notebooks: {@code nn.Linear}, {@code nn.Conv2d}
 * and {@code nn.ConvTranspose2d} draw weights with Kaiming-uniform ({@code a = sqrt(5)}, bound
 * {@code 1/sqrt(fanIn)}) and biases uniformly in {@code ±1/sqrt(fanIn)}; {@code nn.BatchNorm2d} starts at
 * scale 1, bias 0, running mean 0 and running variance 1.
 *
 * <p>Values are drawn by the runtime from a seeded generator when it writes a run's first checkpoint.
 */
public sealed interface Init {

    /** Fills {@code target} with initial values, in row-major order, drawing from {@code rng}. */
    void fill(float[] target, RandomGenerator rng);

    /** A short description for manifests, for example {@code kaiming_uniform(a=2.2361, fan_in=784)}. */
    String describe();

    /** PyTorch's default weight initialisation for a layer whose fan-in is {@code fanIn}. */
    static Init kaimingUniform(long fanIn) {
        return new KaimingUniform(fanIn, Math.sqrt(5.0));
    }

    /** PyTorch's default bias initialisation: uniform in {@code ±1/sqrt(fanIn)}. */
    static Init fanInUniform(long fanIn) {
        return new FanInUniform(fanIn);
    }

    static Init constant(float value) {
        return new Constant(value);
    }

    /** Uniform in {@code [low, high)}. */
    static Init uniform(double low, double high) {
        return new Uniform(low, high);
    }

    static Init zeros() {
        return new Constant(0f);
    }

    static Init ones() {
        return new Constant(1f);
    }

    /**
     * Exactly {@code values} (row-major, copied): the initializer {@code initializer} of the ONNX model
     * {@code file}, where the runtime reads them again when it writes a run's first checkpoint from a manifest
     * (checking that they are still the same).
     */
    static Init given(float[] values, String file, String initializer) {
        return new Given(values.clone(), file, initializer);
    }

    /**
     * Kaiming (He) uniform: {@code U(-b, b)} with {@code b = gain * sqrt(3 / fanIn)} and
     * {@code gain = sqrt(2 / (1 + a^2))} (leaky-ReLU gain). With {@code a = sqrt(5)}, {@code b = 1/sqrt(fanIn)}.
     */
    record KaimingUniform(long fanIn, double a) implements Init {
        public KaimingUniform {
            if (fanIn <= 0) {
                throw new GraphBuildException("kaiming_uniform: fan_in must be positive, got " + fanIn);
            }
        }

        public double bound() {
            double gain = Math.sqrt(2.0 / (1.0 + a * a));
            return gain * Math.sqrt(3.0 / fanIn);
        }

        @Override
        public void fill(float[] target, RandomGenerator rng) {
            fillUniform(target, rng, bound());
        }

        @Override
        public String describe() {
            return String.format(java.util.Locale.ROOT, "kaiming_uniform(a=%.4f, fan_in=%d)", a, fanIn);
        }
    }

    /** {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}, PyTorch's default for biases. */
    record FanInUniform(long fanIn) implements Init {
        public FanInUniform {
            if (fanIn <= 0) {
                throw new GraphBuildException("fan_in_uniform: fan_in must be positive, got " + fanIn);
            }
        }

        public double bound() {
            return 1.0 / Math.sqrt(fanIn);
        }

        @Override
        public void fill(float[] target, RandomGenerator rng) {
            fillUniform(target, rng, bound());
        }

        @Override
        public String describe() {
            return "fan_in_uniform(fan_in=" + fanIn + ")";
        }
    }

    /** {@code U(low, high)}. */
    record Uniform(double low, double high) implements Init {
        public Uniform {
            if (!(low < high)) {
                throw new GraphBuildException("uniform: expected low < high, got [" + low + ", " + high + ")");
            }
        }

        @Override
        public void fill(float[] target, RandomGenerator rng) {
            for (int i = 0; i < target.length; i++) {
                target[i] = (float) (low + rng.nextDouble() * (high - low));
            }
        }

        @Override
        public String describe() {
            return "uniform(" + low + ", " + high + ")";
        }
    }

    /** Every element equal to {@code value}. */
    record Constant(float value) implements Init {
        @Override
        public void fill(float[] target, RandomGenerator rng) {
            java.util.Arrays.fill(target, value);
        }

        @Override
        public String describe() {
            return "constant(" + value + ")";
        }
    }

    /**
     * Fixed values read from an ONNX model; {@link #describe()} names their count, origin and SHA-256, so a
     * manifest (and the artifacts' fingerprint) changes whenever they do.
     */
    record Given(float[] values, String file, String initializer) implements Init {
        public Given {
            if (values == null || values.length == 0 || file == null || initializer == null) {
                throw new GraphBuildException("given: expected at least one value, a file and an initializer name");
            }
        }

        @Override
        public void fill(float[] target, RandomGenerator rng) {
            if (target.length != values.length) {
                throw new IllegalArgumentException("given: " + values.length + " values for " + target.length
                        + " elements");
            }
            System.arraycopy(values, 0, target, 0, values.length);
        }

        /** SHA-256 (hex) of the values as little-endian float32 bytes. */
        public String sha256() {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 4)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            try {
                return java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(b.array()));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String describe() {
            return "given(" + values.length + " values of '" + initializer + "' in " + file + ", sha256=" + sha256() + ")";
        }
    }

    private static void fillUniform(float[] target, RandomGenerator rng, double bound) {
        for (int i = 0; i < target.length; i++) {
            target[i] = (float) ((rng.nextDouble() * 2.0 - 1.0) * bound);
        }
    }
}
