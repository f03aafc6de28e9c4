package org.onnxtoolkit.engine.training;

import java.util.SplittableRandom;

/**
 * Counter-based random streams: every random choice of a run (shuffling, noise, fixed sample vectors) draws
 * from a generator derived from the run's seed and the position it is used at, never from a generator
 * that carries state from step to step. So a run resumed at any step draws exactly what the uninterrupted
 * run would have drawn.
 */
public final class Seeds {
    /**
     * What a stream is for; distinct purposes never share a stream. Each purpose is keyed by its explicit
     * {@link #code()}, never by its position in this list, so adding, removing or reordering constants cannot
     * change what an existing run draws. A new purpose takes a code no other purpose ever had; a code is
     * never reused.
     */
    public enum Purpose {
        /** The order of the training images in an epoch; coordinates: epoch. */
        SHUFFLE(0),
        /** The reparameterisation noise of a training step; coordinates: epoch, batch. */
        TRAIN_NOISE(1),
        /** The reparameterisation noise of an evaluation batch; coordinates: epoch, batch. */
        EVAL_NOISE(2),
        /** The fixed latent vectors decoded into the sample pictures; no coordinates. */
        SAMPLES(3),
        /**
         * Reserved for parameter initialisation; unused today (the initial checkpoint draws each parameter from
         * its own generator, see {@code TrainingArtifacts.initialCheckpoint}).
         */
        INIT(4),
        /**
         * The latent samples of {@code toolkit evaluate}'s importance-weighted estimate; coordinates: the image's
         * index in its split (its samples are drawn in order from one stream, so they do not depend on batching).
         */
        IMPORTANCE_NOISE(5);

        private final long code;

        Purpose(long code) {
            this.code = code;
        }

        /** The number this purpose's streams are keyed by; fixed forever for a given purpose. */
        public long code() {
            return code;
        }
    }

    private Seeds() {
    }

    /**
     * A generator for {@code purpose} at the given coordinates (epoch, batch, ...): a pure function of the
     * seed, the purpose's {@link Purpose#code() code} and the coordinates.
     */
    public static SplittableRandom stream(long seed, Purpose purpose, long... coordinates) {
        long h = mix(seed ^ 0x5DEECE66DL);
        h = mix(h + purpose.code() * 0x9E3779B97F4A7C15L);
        for (long c : coordinates) {
            h = mix(h + c * 0xC2B2AE3D27D4EB4FL + 1);
        }
        return new SplittableRandom(h);
    }

    /** The finaliser of MurmurHash3: a bijective 64-bit mixer. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /** A permutation of {@code 0..n-1} (Fisher-Yates). */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Fills {@code target} with standard normal values. */
    public static void gaussians(float[] target, SplittableRandom rng) {
        for (int i = 0; i < target.length; i++) {
            target[i] = (float) rng.nextGaussian();
        }
    }
}
