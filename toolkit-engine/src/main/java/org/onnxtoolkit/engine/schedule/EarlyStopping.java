package org.onnxtoolkit.engine.schedule;

import java.util.List;
import org.onnxtoolkit.api.events.EpochMetrics;

/**
 * The best epoch of a run and when {@code --early-stop N} ends it, read from the recorded history alone, so
 * that a resumed run keeps its best epoch and stops where the uninterrupted one would have. Stateless.
 */
public final class EarlyStopping {
    private EarlyStopping() {
    }

    /**
     * The epoch with the lowest test negative ELBO (the earliest of equal ones).
     *
     * @param history the completed epochs' metrics, numbered 1, 2, ...
     * @return its 1-based epoch number, or 0 when {@code history} is empty
     */
    public static int bestEpoch(List<EpochMetrics> history) {
        int best = 0;
        double value = Double.POSITIVE_INFINITY;
        for (EpochMetrics m : history) {
            if (m.testNegElbo() < value) {
                value = m.testNegElbo();
                best = m.epoch();
            }
        }
        return best;
    }

    /**
     * Whether a run with this history has stopped early: the last {@code patience} epochs brought no better test
     * negative ELBO than the best before them.
     *
     * @param patience {@code --early-stop}; 0 never stops
     */
    public static boolean stopped(List<EpochMetrics> history, int patience) {
        return patience > 0 && !history.isEmpty()
                && history.get(history.size() - 1).epoch() - bestEpoch(history) >= patience;
    }
}
