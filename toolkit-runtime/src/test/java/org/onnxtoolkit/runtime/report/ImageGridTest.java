package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.onnxtoolkit.runtime.report.Pngs.grey;
import static org.onnxtoolkit.runtime.report.Pngs.hex;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path dir;

    /** Asserts the {@code scale x scale} block of source pixel (x, y) in the tile at (tileX0, tileY0). */
    private static void assertBlock(int[][] png, int tileX0, int tileY0, int scale, int x, int y, int expected) {
        for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
                int px = tileX0 + x * scale + dx;
                int py = tileY0 + y * scale + dy;
                assertEquals(hex(expected), hex(png[py][px]), "pixel (" + px + ", " + py + ")");
            }
        }
    }

    @Test
    void greyTilesAreScaledAndPaddedAtTheDocumentedPositions() throws IOException {
        // 5 images of 2x3 (H x W), pixel value encodes (image, y, x) so a misplaced pixel is caught.
        int n = 5;
        int h = 2;
        int w = 3;
        float[] pixels = new float[n * h * w];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    pixels[(i * h + y) * w + x] = (10 + 40 * i + 10 * y + x) / 255f;
                }
            }
        }
        Path png = dir.resolve("grid.png");
        int scale = 2;
        int pad = 1;
        ImageGrid.write(png, ImageBatch.ofFloats(pixels, n, 1, h, w), new GridLayout(2, scale, pad));

        int[][] out = Pngs.read(png);
        int tileW = w * scale;
        int tileH = h * scale;
        assertEquals(2 * tileW + 3 * pad, out[0].length, "width");
        assertEquals(3 * tileH + 4 * pad, out.length, "height: 5 images in 2 columns need 3 rows");
        for (int i = 0; i < n; i++) {
            int x0 = pad + (i % 2) * (tileW + pad);
            int y0 = pad + (i / 2) * (tileH + pad);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    assertBlock(out, x0, y0, scale, x, y, grey(10 + 40 * i + 10 * y + x));
                }
            }
        }
        // Padding lines: border, between columns, between rows; and the empty sixth cell.
        assertEquals(ImageGrid.PADDING_RGB, out[0][0]);
        assertEquals(ImageGrid.PADDING_RGB, out[3][pad + tileW]);
        assertEquals(ImageGrid.PADDING_RGB, out[pad + tileH][2]);
        assertEquals(ImageGrid.PADDING_RGB, out[out.length - 1][out[0].length - 1]);
        int emptyX0 = pad + tileW + pad;
        int emptyY0 = pad + 2 * (tileH + pad);
        for (int y = 0; y < tileH; y++) {
            for (int x = 0; x < tileW; x++) {
                assertEquals(ImageGrid.PADDING_RGB, out[emptyY0 + y][emptyX0 + x], "empty cell");
            }
        }
    }

    @Test
    void rgbChannelsAreReadFromSeparatePlanes() throws IOException {
        // Two 1x2 RGB images: [N, C, H, W] = [2, 3, 1, 2].
        float[] pixels = {
            // image 0: R plane, G plane, B plane
            255 / 255f, 0, 0, 128 / 255f, 0, 64 / 255f,
            // image 1
            1 / 255f, 2 / 255f, 3 / 255f, 4 / 255f, 5 / 255f, 6 / 255f};
        Path png = dir.resolve("rgb.png");
        ImageGrid.write(png, ImageBatch.ofFloats(pixels, 2, 3, 1, 2), new GridLayout(2, 1, 0));

        int[][] out = Pngs.read(png);
        assertEquals(1, out.length);
        assertEquals(4, out[0].length);
        assertEquals(hex(0xFF0000), hex(out[0][0]));
        assertEquals(hex(0x008040), hex(out[0][1]));
        assertEquals(hex(0x010305), hex(out[0][2]));
        assertEquals(hex(0x020406), hex(out[0][3]));
    }

    @Test
    void floatSamplesAreClampedRoundedAndNanIsBlack() throws IOException {
        float[] pixels = {-0.5f, 1.5f, Float.NaN, Float.POSITIVE_INFINITY, 0.5f, 100.4f / 255f, 100.6f / 255f};
        Path png = dir.resolve("clamp.png");
        ImageGrid.write(png, ImageBatch.ofFloats(pixels, 1, 1, 1, 7), GridLayout.of(1));

        int[][] out = Pngs.read(png);
        int p = GridLayout.of(1).padding();
        int[] expected = {0, 255, 0, 255, 128, 100, 101};
        for (int x = 0; x < expected.length; x++) {
            assertEquals(hex(grey(expected[x])), hex(out[p][p + x]), "sample " + x + " = " + pixels[x]);
        }
    }

    @Test
    void uint8SamplesAreUnsigned() throws IOException {
        byte[] pixels = {0, 1, (byte) 128, (byte) 200, (byte) 255, 77};
        Path png = dir.resolve("bytes.png");
        ImageGrid.write(png, ImageBatch.ofUint8(pixels, 2, 1, 1, 3), new GridLayout(1, 3, 0));

        int[][] out = Pngs.read(png);
        assertEquals(6, out.length);
        assertEquals(9, out[0].length);
        assertBlock(out, 0, 0, 3, 2, 0, grey(128));
        assertBlock(out, 0, 3, 3, 0, 0, grey(200));
        assertBlock(out, 0, 3, 3, 1, 0, grey(255));
        assertBlock(out, 0, 3, 3, 2, 0, grey(77));
    }

    @Test
    void fewerImagesThanColumnsGiveANarrowerGrid() throws IOException {
        Path png = dir.resolve("narrow.png");
        ImageGrid.write(png, ImageBatch.ofFloats(new float[2 * 4 * 4], 2, 1, 4, 4), new GridLayout(8, 1, 2));
        int[][] out = Pngs.read(png);
        assertEquals(2 * 4 + 3 * 2, out[0].length);
        assertEquals(4 + 2 * 2, out.length);
    }

    @Test
    void arrayLengthMustMatchTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageBatch.ofFloats(new float[10], 2, 1, 2, 3));
        assertEquals("pixel array has 10 values but shape [N, C, H, W] = [2, 1, 2, 3] needs 12", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageBatch.ofUint8(new byte[13], 2, 1, 2, 3));
    }

    @Test
    void onlyGreyAndRgbAreSupported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageBatch.ofFloats(new float[2 * 2 * 2], 1, 2, 2, 2));
        assertEquals("unsupported channel count 2: expected 1 (grey) or 3 (RGB)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageBatch.ofUint8(new byte[4 * 4], 1, 4, 2, 2));
    }

    @Test
    void emptyOrNegativeDimensionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageBatch.ofFloats(new float[0], 0, 1, 28, 28));
        assertTrue(e.getMessage().contains("must have N, H and W at least 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageBatch.ofFloats(new float[4], -1, 1, -2, 2));
    }

    @Test
    void layoutIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GridLayout(0, 1, 0));
        assertEquals("grid columns must be at least 1, got 0", e.getMessage());
        assertEquals("grid scale must be in [1, 64], got 0",
                assertThrows(IllegalArgumentException.class, () -> new GridLayout(1, 0, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GridLayout(1, 65, 0));
        assertEquals("grid padding must be at least 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new GridLayout(1, 1, -1)).getMessage());
    }

    @Test
    void theBatchCopiesItsInput() throws IOException {
        float[] pixels = {1f};
        ImageBatch batch = ImageBatch.ofFloats(pixels, 1, 1, 1, 1);
        pixels[0] = 0f;
        Path png = dir.resolve("copy.png");
        ImageGrid.write(png, batch, new GridLayout(1, 1, 0));
        assertEquals(grey(255), Pngs.read(png)[0][0]);
    }

    @Test
    void aGridTooLargeForOneImageIsRejectedBeforeAllocating() {
        // 1024 * 64 = 65536 pixels square: 2^32 pixels, more than an int-indexed raster holds.
        ImageBatch big = ImageBatch.ofUint8(new byte[1024 * 1024], 1, 1, 1024, 1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(dir.resolve("huge.png"), big, new GridLayout(1, 64, 0)));
        assertTrue(e.getMessage().contains("too large for one image"), e.getMessage());
    }
}
