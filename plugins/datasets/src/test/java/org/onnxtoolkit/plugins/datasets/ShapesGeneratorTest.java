package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.ImageShape;

class ShapesGeneratorTest {
    @Test
    void parallelGenerationEqualsRenderingEachImageAlone() {
        ImageShape shape = new ImageShape(3, 20, 24);
        ShapesGenerator generator = new ShapesGenerator(shape, 99);
        ByteImageSplit parallel = generator.generate(ShapesGenerator.TEST, 500);
        byte[] alone = new byte[shape.size()];
        byte[] fromSplit = new byte[shape.size()];
        for (int i = 499; i >= 0; i--) {
            generator.render(ShapesGenerator.TEST, i, alone, 0);
            parallel.copyImage(i, fromSplit, 0);
            assertArrayEquals(alone, fromSplit, "image " + i);
        }
    }

    @Test
    void edgeCoverageIsTheAreaOfThePixelInsideTheEdge() {
        SplittableRandom random = new SplittableRandom(5);
        int grid = 400;
        for (int trial = 0; trial < 200; trial++) {
            double angle = random.nextDouble(2 * Math.PI);
            double nx = Math.cos(angle);
            double ny = Math.sin(angle);
            if (trial < 4) { // axis-aligned edges
                nx = Math.round(nx);
                ny = Math.round(ny);
            }
            double distance = random.nextDouble(-0.9, 0.9);
            int inside = 0;
            for (int i = 0; i < grid; i++) {
                for (int j = 0; j < grid; j++) {
                    double u = (i + 0.5) / grid - 0.5;
                    double v = (j + 0.5) / grid - 0.5;
                    if (nx * u + ny * v + distance <= 0) {
                        inside++;
                    }
                }
            }
            double p = Math.min(Math.abs(nx), Math.abs(ny));
            double q = Math.max(Math.abs(nx), Math.abs(ny));
            assertEquals(inside / (double) (grid * grid), ShapesGenerator.edgeCoverage(p, q, distance), 0.005,
                    "normal (" + nx + ", " + ny + "), distance " + distance);
        }
    }
}
