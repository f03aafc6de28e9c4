package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LatentManifoldTest {
    /** Reference quantiles computed with mpmath at 40 digits for the same double p. */
    @ParameterizedTest
    @CsvSource({
        "0.5, 0.0",
        "0.6, 0.2533471031357997",
        "0.75, 0.6744897501960817",
        "0.9, 1.2815515655446006",
        "0.95, 1.6448536269514722",
        "0.975, 1.9599639845400538",
        "0.99, 2.3263478740408408",
        "0.999, 3.090232306167813",
        "0.9999999, 5.199337582290661",
        "0.05, -1.6448536269514726",
        "0.02425, -1.972961051311885",
        "0.02, -2.053748910631823",
        "0.01, -2.326347874040841",
        "1e-5, -4.264890793922825",
        "1e-10, -6.361340902404057",
        "1e-20, -9.262340089798407",
        "1e-300, -37.0470962993612"})
    void inverseNormalCdfMatchesKnownQuantiles(double p, double expected) {
        assertEquals(expected, LatentManifold.inverseNormalCdf(p), 1e-13 * Math.max(1, Math.abs(expected)),
                "Phi^-1(" + p + ")");
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-300, 1e-12, 0.001, 0.0242, 0.0243, 0.1, 0.3, 0.4999, 0.7, 0.97, 0.9999})
    void inverseNormalCdfInvertsTheCdf(double p) {
        double x = LatentManifold.inverseNormalCdf(p);
        double back = p <= 0.5 ? LatentManifold.normalCdf(x) : 1 - LatentManifold.normalCdf(-x);
        // Phi's relative condition number grows like x^2 in the tail.
        assertEquals(p, back, 1e-15 * (10 + x * x) * p);
    }

    @Test
    void inverseNormalCdfIsOddAroundOneHalf() {
        for (double p = 0.001; p < 0.5; p += 0.0137) {
            assertEquals(-LatentManifold.inverseNormalCdf(p), LatentManifold.inverseNormalCdf(1 - p), 1e-12);
        }
    }

    @Test
    void normalCdfMatchesKnownValues() {
        // mpmath ncdf at 40 digits; relative accuracy holds in the far tail too.
        assertEquals(0.15865525393145705, LatentManifold.normalCdf(-1), 5e-15 * 0.16);
        assertEquals(0.02275013194817921, LatentManifold.normalCdf(-2), 5e-15 * 0.023);
        assertEquals(7.619853024160525e-24, LatentManifold.normalCdf(-10), 5e-15 * 7.6e-24);
        assertEquals(0.8413447460685429, LatentManifold.normalCdf(1), 1e-15);
        assertEquals(0.5, LatentManifold.normalCdf(0));
        assertEquals(0, LatentManifold.normalCdf(-40));
    }

    @Test
    void endpointsAndInvalidProbabilities() {
        assertEquals(Double.NEGATIVE_INFINITY, LatentManifold.inverseNormalCdf(0));
        assertEquals(Double.POSITIVE_INFINITY, LatentManifold.inverseNormalCdf(1));
        assertEquals("probability must be in [0, 1], got NaN", assertThrows(IllegalArgumentException.class,
                () -> LatentManifold.inverseNormalCdf(Double.NaN)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.inverseNormalCdf(-0.1));
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.inverseNormalCdf(1.0001));
    }

    @Test
    void gridIsRowMajorWithXIncreasingAlongRowsAndYDecreasingDownRows() {
        int steps = 5;
        float[] z = LatentManifold.gridPoints(steps);
        assertEquals(steps * steps * 2, z.length);
        // scipy.stats.norm.ppf(np.linspace(0.05, 0.95, 5))
        double[] q = {-1.6448536269514729, -0.5977601260424786, 0, 0.5977601260424784, 1.6448536269514722};
        for (int r = 0; r < steps; r++) {
            for (int c = 0; c < steps; c++) {
                int i = 2 * (r * steps + c);
                assertEquals((float) q[c], z[i], 1e-6, "z0 at row " + r + ", column " + c);
                assertEquals((float) q[steps - 1 - r], z[i + 1], 1e-6, "z1 at row " + r + ", column " + c);
            }
        }
        // Top-left is (low x, high y); bottom-right is (high x, low y).
        assertEquals(-1.6448536f, z[0], 1e-6);
        assertEquals(1.6448536f, z[1], 1e-6);
        assertEquals(1.6448536f, z[z.length - 2], 1e-6);
        assertEquals(-1.6448536f, z[z.length - 1], 1e-6);
    }

    @Test
    void customProbabilityRange() {
        float[] z = LatentManifold.gridPoints(2, 0.5, 0.975);
        // Row 0: y = q(0.975); row 1: y = q(0.5) = 0.
        float[] expected = {0f, 1.959964f, 1.959964f, 1.959964f, 0f, 0f, 1.959964f, 0f};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], z[i], 1e-6, "index " + i);
        }
    }

    @Test
    void gridArgumentsAreValidated() {
        assertEquals("manifold steps must be at least 2, got 1",
                assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(1)).getMessage());
        assertEquals("manifold probabilities must satisfy 0 < low < high < 1, got low=0.0, high=0.95",
                assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(3, 0, 0.95))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(3, 0.6, 0.4));
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(3, 0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(3, Double.NaN, 0.9));
    }
}
