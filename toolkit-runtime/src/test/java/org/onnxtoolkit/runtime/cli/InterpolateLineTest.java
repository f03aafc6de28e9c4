package org.onnxtoolkit.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The latent points of {@code toolkit interpolate}. */
class InterpolateLineTest {
    @Test
    void theEndsAreExactAndTheStepsEven() {
        float[] ends = {0.1f, -3f, 1e-3f, 2.7f, 5f, 1f / 3};
        float[] z = InterpolateCommand.line(ends, 3, 4);
        assertEquals(12, z.length);
        for (int d = 0; d < 3; d++) {
            assertEquals(ends[d], z[d]);
            assertEquals(ends[3 + d], z[9 + d]);
            for (int k = 1; k < 3; k++) {
                double expected = ends[d] + k / 3.0 * (ends[3 + d] - ends[d]);
                assertEquals(expected, z[k * 3 + d], 1e-6);
            }
        }
    }
}
