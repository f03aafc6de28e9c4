package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pictures of a run, decoded back and checked pixel by pixel. */
class ReportPicturesTest {
    @TempDir
    Path dir;

    /**
     * The PNG's stored samples as 0xRRGGBB, bypassing ImageIO's colour conversion (getRGB on a grey PNG
     * converts from the linear grey colour space and would not show the stored values).
     */
    private static final class Png {
        final BufferedImage img;

        Png(BufferedImage img) {
            this.img = img;
        }

        int getWidth() {
            return img.getWidth();
        }

        int getHeight() {
            return img.getHeight();
        }

        int getRGB(int x, int y) {
            var r = img.getRaster();
            if (r.getNumBands() < 3) {
                int v = r.getSample(x, y, 0);
                return (v << 16) | (v << 8) | v;
            }
            return (r.getSample(x, y, 0) << 16) | (r.getSample(x, y, 1) << 8) | r.getSample(x, y, 2);
        }
    }

    private Png read(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null, "not a PNG: " + png);
        return new Png(img);
    }

    @Test
    void greyGridPlacesScalesPadsAndClamps() throws IOException {
        // Three 2x3 grey images, values chosen per pixel; image 2 has out-of-range values.
        float[] px = new float[3 * 6];
        for (int i = 0; i < 6; i++) {
            px[i] = i / 5f;
            px[6 + i] = 1f - i / 5f;
        }
        px[12] = -0.5f;
        px[13] = 1.7f;
        Path png = dir.resolve("grid.png");
        ImageGrid.write(png, ImageBatch.ofFloats(px, 3, 1, 2, 3), new GridLayout(2, 2, 1));
        Png img = read(png);
        // 2 columns of 3*2 pixels + 3 padding columns; 2 rows of 2*2 + 3 padding rows.
        assertEquals(2 * 6 + 3, img.getWidth());
        assertEquals(2 * 4 + 3, img.getHeight());
        assertEquals(ImageGrid.PADDING_RGB, img.getRGB(0, 0) & 0xFFFFFF);
        // Image 0, pixel (y=1, x=2) = value 5/5 -> 255, at output (1 + 2*2 .. +1, 1 + 1*2 .. +1).
        assertEquals(0xFFFFFF, img.getRGB(1 + 4, 1 + 2) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(1 + 5, 1 + 3) & 0xFFFFFF);
        // Image 0, pixel (0, 1) = 1/5 -> 51.
        int v = Math.round(255f / 5f);
        assertEquals((v << 16) | (v << 8) | v, img.getRGB(1 + 2, 1) & 0xFFFFFF);
        // Image 1 is in the second tile column: x0 = 1 + 6 + 1.
        assertEquals(0xFFFFFF, img.getRGB(8, 1) & 0xFFFFFF);
        // Image 2 on the second row, clamped to 0 and 255.
        int y2 = 1 + 4 + 1;
        assertEquals(0x000000, img.getRGB(1, y2) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(3, y2) & 0xFFFFFF);
        // The empty cell of the incomplete last row is padding.
        assertEquals(ImageGrid.PADDING_RGB, img.getRGB(9, y2) & 0xFFFFFF);
    }

    @Test
    void rgbChannelsAreInterpretedChannelFirst() throws IOException {
        // One 1x2 RGB image in [C, H, W]: R = [1, 0], G = [0, 1], B = [0.5, 0].
        byte[] px = {(byte) 255, 0, 0, (byte) 255, (byte) 128, 0};
        Path png = dir.resolve("rgb.png");
        ImageGrid.write(png, ImageBatch.ofUint8(px, 1, 3, 1, 2), new GridLayout(1, 1, 0));
        Png img = read(png);
        assertEquals(0xFF0080, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, img.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void reconstructionsSitRightOfTheirOriginals() throws IOException {
        byte[] originals = {10, 20};
        byte[] recon = {(byte) 200, (byte) 250};
        Path png = dir.resolve("recon.png");
        ReconstructionGrid.write(png, ImageBatch.ofUint8(originals, 2, 1, 1, 1), ImageBatch.ofUint8(recon, 2, 1, 1, 1),
                new GridLayout(1, 1, 0));
        Png img = read(png);
        assertEquals(2, img.getWidth());
        assertEquals(2, img.getHeight());
        assertEquals(10, img.getRGB(0, 0) & 0xFF);
        assertEquals(200, img.getRGB(1, 0) & 0xFF);
        assertEquals(20, img.getRGB(0, 1) & 0xFF);
        assertEquals(250, img.getRGB(1, 1) & 0xFF);
        assertThrows(IllegalArgumentException.class, () -> ReconstructionGrid.write(dir.resolve("x.png"),
                ImageBatch.ofUint8(originals, 2, 1, 1, 1), ImageBatch.ofUint8(new byte[4], 1, 1, 2, 2),
                new GridLayout(1, 1, 0)));
    }

    @Test
    void invalidArgumentsAreRejectedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageBatch.ofFloats(new float[5], 1, 1, 2, 3));
        assertTrue(e.getMessage().contains("6") || e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageBatch.ofFloats(new float[8], 1, 2, 2, 2));
        e = assertThrows(IllegalArgumentException.class, () -> new GridLayout(0, 1, 0));
        assertTrue(e.getMessage().contains("columns"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GridLayout(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new GridLayout(1, 1, -1));
    }

    @Test
    void lossChartIsAReadableNonBlankPicture() throws IOException {
        Path png = dir.resolve("loss.png");
        double[] epochs = {1, 2, 3, 4};
        LossChart.write(png, "loss per epoch", "epoch", "nats per image", List.of(
                new LossChart.Series("train", epochs, new double[] {300, 260, Double.NaN, 245}),
                new LossChart.Series("test", epochs, new double[] {280, 255, 250, 247})));
        Png img = read(png);
        assertEquals(LossChart.WIDTH, img.getWidth());
        assertEquals(LossChart.HEIGHT, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() > 10, "a chart has axes, text and two coloured lines: " + colours.size() + " colours");
        Path single = dir.resolve("single.png");
        LossChart.write(single, "t", "x", "y", List.of(new LossChart.Series("one", new double[] {1}, new double[] {5})));
        assertTrue(Files.size(single) > 0);
        assertThrows(IllegalArgumentException.class, () -> LossChart.write(dir.resolve("e.png"), "t", "x", "y", List.of()));
    }

    @Test
    void atomicWritesLeaveNoTemporaryFiles() throws IOException {
        Path png = dir.resolve("a.png");
        for (int i = 0; i < 3; i++) {
            ImageGrid.write(png, ImageBatch.ofUint8(new byte[] {(byte) i}, 1, 1, 1, 1), new GridLayout(1, 1, 0));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("a.png"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void manifoldGridUsesNormalQuantiles() {
        assertEquals(0.0, LatentManifold.inverseNormalCdf(0.5), 1e-12);
        assertEquals(1.959963984540054, LatentManifold.inverseNormalCdf(0.975), 1e-8);
        assertEquals(-2.326347874040841, LatentManifold.inverseNormalCdf(0.01), 1e-8);
        assertEquals(-1.6448536269514722, LatentManifold.inverseNormalCdf(0.05), 1e-8);
        float[] z = LatentManifold.gridPoints(3);
        assertEquals(3 * 3 * 2, z.length);
        // Corners: first row has the largest y, x grows along the row.
        float q = (float) LatentManifold.inverseNormalCdf(0.95);
        assertEquals(-q, z[0], 1e-6);
        assertEquals(q, z[1], 1e-6);
        assertEquals(q, z[2 * 2], 1e-6);
        assertEquals(0f, z[4 * 2], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.gridPoints(1));
        assertThrows(IllegalArgumentException.class, () -> LatentManifold.inverseNormalCdf(Double.NaN));
    }
}
