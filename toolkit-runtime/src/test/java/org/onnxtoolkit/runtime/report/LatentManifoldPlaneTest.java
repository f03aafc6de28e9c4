package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The manifold grid placed on two dimensions of a larger latent space. */
class LatentManifoldPlaneTest {
    @Test
    void aTwoDimensionalLatentGivesThePlaneItself() {
        assertArrayEquals(LatentManifold.gridPoints(7), LatentManifold.gridPoints(7, 2, 0, 1));
    }

    @Test
    void otherDimensionsAreZeroAndTheChosenOnesCarryTheGrid() {
        float[] plane = LatentManifold.gridPoints(4);
        float[] z = LatentManifold.gridPoints(4, 6, 5, 2);
        assertEquals(16 * 6, z.length);
        for (int i = 0; i < 16; i++) {
            for (int d = 0; d < 6; d++) {
                float expected = d == 5 ? plane[2 * i] : d == 2 ? plane[2 * i + 1] : 0f;
                assertEquals(expected, z[i * 6 + d], "point " + i + " dimension " + d);
            }
        }
    }

    @Test
    void dimensionsMustBeTwoDifferentOnesInRange() {
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(4, 6, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(4, 6, 0, 6));
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(4, 6, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(1, 6, 0, 1));
    }
}
