package org.onnxtoolkit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a round's batches are shared out among the workers. */
class SparkDataParallelTest {
    @Test
    void workerWTakesEveryNthBatchOfTheRoundFromW() {
        List<int[]> shares = SparkDataParallel.shares(16, 8, 2);
        assertEquals(2, shares.size());
        assertArrayEquals(new int[] {16, 18, 20, 22}, shares.get(0));
        assertArrayEquals(new int[] {17, 19, 21, 23}, shares.get(1));
    }

    @Test
    void aShortLastRoundGivesSharesThatDifferByAtMostOneAndLeavesIdleWorkersOut() {
        List<int[]> shares = SparkDataParallel.shares(64, 5, 3);
        assertArrayEquals(new int[] {64, 67}, shares.get(0));
        assertArrayEquals(new int[] {65, 68}, shares.get(1));
        assertArrayEquals(new int[] {66}, shares.get(2));
        List<int[]> two = SparkDataParallel.shares(0, 2, 4);
        assertEquals(2, two.size(), "workers without a batch get no task");
        assertArrayEquals(new int[] {0}, two.get(0));
        assertArrayEquals(new int[] {1}, two.get(1));
    }

    @Test
    void everyBatchOfTheRoundIsTrainedOnce() {
        for (int workers = 1; workers <= 5; workers++) {
            for (int count = 1; count <= 3 * workers; count++) {
                boolean[] seen = new boolean[count];
                for (int[] share : SparkDataParallel.shares(10, count, workers)) {
                    for (int b : share) {
                        assertEquals(false, seen[b - 10], "batch " + b + " twice");
                        seen[b - 10] = true;
                    }
                }
                for (boolean s : seen) {
                    assertEquals(true, s);
                }
            }
        }
    }
}
