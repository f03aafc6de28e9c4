package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.onnxtoolkit.runtime.report.Pngs.grey;
import static org.onnxtoolkit.runtime.report.Pngs.hex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconstructionGridTest {
    @TempDir
    Path dir;

    /** n single-pixel grey images with values {@code base + i}. */
    private static ImageBatch ramp(int n, int base) {
        byte[] pixels = new byte[n];
        for (int i = 0; i < n; i++) {
            pixels[i] = (byte) (base + i);
        }
        return ImageBatch.ofUint8(pixels, n, 1, 1, 1);
    }

    @Test
    void eachOriginalIsImmediatelyLeftOfItsReconstruction() throws IOException {
        int n = 5;
        int pairs = 2;
        int scale = 2;
        int p = 1;
        Path png = dir.resolve("recon.png");
        ReconstructionGrid.write(png, ramp(n, 10), ramp(n, 100), new GridLayout(pairs, scale, p));

        int[][] out = Pngs.read(png);
        int w = scale;
        assertEquals(pairs * (2 * w + 4 * p) - p, out[0].length, "width");
        assertEquals(3 * scale + 4 * p, out.length, "5 pairs at 2 per row need 3 rows");
        for (int i = 0; i < n; i++) {
            int x = p + (i % pairs) * (2 * w + 4 * p);
            int y = p + (i / pairs) * (scale + p);
            for (int d = 0; d < scale; d++) {
                assertEquals(hex(grey(10 + i)), hex(out[y + d][x + d]), "original " + i);
                assertEquals(hex(grey(100 + i)), hex(out[y + d][x + w + p + d]), "reconstruction " + i);
            }
            // The padding inside a pair and the wider gap after it.
            assertEquals(ImageGrid.PADDING_RGB, out[y][x + w]);
            if (i % pairs == 0) {
                for (int gap = 1; gap <= 3 * p; gap++) {
                    assertEquals(ImageGrid.PADDING_RGB, out[y][x + 2 * w + p + gap - 1], "gap after pair " + i);
                }
            }
        }
    }

    @Test
    void rgbPairsKeepTheirColours() throws IOException {
        float[] red = {1, 0, 0};
        float[] blue = {0, 0, 1};
        Path png = dir.resolve("rgb.png");
        ReconstructionGrid.write(png, ImageBatch.ofFloats(red, 1, 3, 1, 1), ImageBatch.ofFloats(blue, 1, 3, 1, 1),
                new GridLayout(4, 1, 0));
        int[][] out = Pngs.read(png);
        assertEquals(2, out[0].length, "one pair, no padding");
        assertEquals(hex(0xFF0000), hex(out[0][0]));
        assertEquals(hex(0x0000FF), hex(out[0][1]));
    }

    @Test
    void shapesMustMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionGrid.write(dir.resolve("x.png"), ramp(3, 0), ramp(4, 0), GridLayout.of(2)));
        assertEquals("originals [3, 1, 1, 1] and reconstructions [4, 1, 1, 1] must have the same shape"
                + " [N, C, H, W]", e.getMessage());
        assertEquals(0, dir.toFile().list().length, "nothing written");
        assertThrows(IllegalArgumentException.class, () -> ReconstructionGrid.write(dir.resolve("y.png"),
                ImageBatch.ofFloats(new float[3], 1, 3, 1, 1), ImageBatch.ofFloats(new float[3], 1, 1, 1, 3),
                GridLayout.of(1)));
        assertEquals(false, Files.exists(dir.resolve("y.png")));
    }
}
