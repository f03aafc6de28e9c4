package org.onnxtoolkit.engine.training;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a training loss has diverged, so that the run stops before an optimizer step spoils the
 * parameters further and the last good checkpoint is kept.
 *
 * <p>The rule: a batch loss diverges when it is not finite, or when its magnitude is more than
 * {@value #FACTOR} times the typical magnitude, which is the median of {@code |loss|} over the last
 * {@value #WINDOW} accepted batch losses. The rule is relative because objectives differ in scale (bce-kl's
 * loss is in nats per image, around 100-550; mse-kl's is a mean squared error plus a weighted KL, around
 * 0.03-0.1). The first batch loss of a run has nothing to be compared with and is only checked for being
 * finite. There is no warm-up of several steps: the measured explosions all happen on the second step, right
 * after the first update, and the loss falling fast in the first steps only makes ratios smaller.
 *
 * <p>Why these numbers (measured on this project's built-in models, recorded in the tests' loss traces and
 * tabled in {@code docs/runs.md}): over whole normal runs (mlp-vae on shapes and Fashion-MNIST, conv-vae with
 * both presets on shapes, batch sizes from 1 to 128, learning rates up to 0.01) the largest ratio of a batch
 * loss to the median of the 50 before it was 1.93 (conv-vae at batch size 4; 1.84 for mlp-vae at batch size 1,
 * 1.05-1.65 at the usual batch sizes), while every run with a learning rate of 0.1 or more showed a ratio of at
 * least 2,200 on its second step (2 * 10^7 to 10^31 from {@code --lr 1} up; conv-vae at {@code --lr 1} and
 * above is not finite at once). A factor of 100 is 50 times above anything normal training did and 22 times
 * below the mildest explosion; {@code --lr 0.03} (a ratio of 32 on the second step, after which training
 * settles) is not stopped. The median, not the mean, keeps one spike from raising the bar for the next ones; magnitudes, not signed
 * values, keep the rule meaningful for objectives whose loss can be negative.
 *
 * <p>The window is part of {@link RunState} ({@code recentLosses}), so a resumed run judges its steps exactly
 * as the uninterrupted run would have. Not thread-safe.
 */
final class DivergenceGuard {
    /** How many recent batch losses make the typical value. */
    static final int WINDOW = org.onnxtoolkit.engine.run.RunState.RECENT_LOSSES;
    /** How many times the typical magnitude a batch loss may reach. */
    static final double FACTOR = 100;
    /** The smallest typical magnitude (only a window of exact zeros is this small). */
    static final double FLOOR = Double.MIN_NORMAL;

    private final ArrayDeque<Double> recent = new ArrayDeque<>(WINDOW);

    /** @param recent the last accepted losses, oldest first (at most {@link #WINDOW} are kept) */
    DivergenceGuard(List<Double> recent) {
        for (double loss : recent) {
            accept(loss);
        }
    }

    /**
     * @param loss a batch loss, before its optimizer step
     * @return null when the loss is acceptable, else why it is not, as a phrase that follows "the loss
     *         became" (the value, and for a finite value the typical magnitude it exceeds)
     */
    String check(double loss) {
        if (!Double.isFinite(loss)) {
            return Double.toString(loss);
        }
        if (recent.isEmpty()) {
            return null;
        }
        double typical = typical();
        if (Math.abs(loss) > FACTOR * typical) {
            return String.format(Locale.ROOT, "%.4g, more than %.0f times its typical magnitude %.4g", loss, FACTOR,
                    typical);
        }
        return null;
    }

    /** Adds a loss that passed {@link #check} and was stepped on. */
    void accept(double loss) {
        if (recent.size() == WINDOW) {
            recent.removeFirst();
        }
        recent.addLast(loss);
    }

    /** The accepted losses the next check compares with, oldest first. */
    List<Double> recent() {
        return List.copyOf(recent);
    }

    /** The median of the recent magnitudes, at least {@link #FLOOR}. */
    double typical() {
        double[] m = recent.stream().mapToDouble(Math::abs).sorted().toArray();
        int n = m.length;
        double median = n % 2 == 1 ? m[n / 2] : (m[n / 2 - 1] + m[n / 2]) / 2;
        return Math.max(median, FLOOR);
    }

    @Override
    public String toString() {
        return "DivergenceGuard" + Arrays.toString(recent.toArray());
    }
}
