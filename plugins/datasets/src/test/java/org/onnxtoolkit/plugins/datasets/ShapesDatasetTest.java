package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;

class ShapesDatasetTest {
    private static final ImageShape GREY = new ImageShape(1, 28, 28);
    private static final ImageShape COLOUR = new ImageShape(3, 64, 64);

    private final ShapesDataset shapes = new ShapesDataset();

    private DatasetSplits open(ImageShape shape, long seed, int train, int test) throws DatasetException {
        return shapes.open(new DatasetOptions(null, shape, seed,
                Map.of("train-size", Integer.toString(train), "test-size", Integer.toString(test))));
    }

    private static byte[] all(ImageSplit split) {
        int size = split.shape().size();
        byte[] pixels = new byte[split.size() * size];
        for (int i = 0; i < split.size(); i++) {
            split.copyImage(i, pixels, i * size);
        }
        return pixels;
    }

    private static byte[] image(ImageSplit split, int index) {
        byte[] pixels = new byte[split.shape().size()];
        split.copyImage(index, pixels, 0);
        return pixels;
    }

    @Test
    void sameSeedGivesIdenticalImages() throws Exception {
        for (ImageShape shape : new ImageShape[] {GREY, COLOUR}) {
            DatasetSplits first = open(shape, 42, 300, 50);
            DatasetSplits second = open(shape, 42, 300, 50);
            assertArrayEquals(all(first.train()), all(second.train()), shape.toString());
            assertArrayEquals(all(first.test()), all(second.test()), shape.toString());
            assertEquals(first.fingerprint(), second.fingerprint());
        }
    }

    @Test
    void differentSeedGivesDifferentImages() throws Exception {
        DatasetSplits a = open(GREY, 1, 200, 20);
        DatasetSplits b = open(GREY, 2, 200, 20);
        int same = 0;
        for (int i = 0; i < 200; i++) {
            if (Arrays.equals(image(a.train(), i), image(b.train(), i))) {
                same++;
            }
        }
        assertEquals(0, same, "images equal across seeds");
        assertNotEquals(a.fingerprint(), b.fingerprint());
    }

    @Test
    void trainAndTestSplitsShareNoImage() throws Exception {
        DatasetSplits splits = open(GREY, 7, 1000, 1000);
        Set<ByteBuffer> train = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            train.add(ByteBuffer.wrap(image(splits.train(), i)));
        }
        assertEquals(1000, train.size(), "train images repeat");
        for (int i = 0; i < 1000; i++) {
            assertFalse(train.contains(ByteBuffer.wrap(image(splits.test(), i))), "test image " + i + " is in train");
        }
    }

    @Test
    void imagesDependOnlyOnSeedSplitAndIndex() throws Exception {
        DatasetSplits small = open(COLOUR, 5, 10, 4);
        DatasetSplits large = open(COLOUR, 5, 40, 8);
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(image(small.train(), i), image(large.train(), i), "train image " + i);
        }
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(image(small.test(), i), image(large.test(), i), "test image " + i);
        }
    }

    @Test
    void greyPixelStatisticsArePlausible() throws Exception {
        ImageSplit train = open(GREY, 3, 2000, 10).train();
        PixelStats stats = PixelStats.of(all(train));
        assertTrue(stats.mean > 25 && stats.mean < 110, "mean intensity " + stats.mean);
        assertTrue(stats.brightShare > 0.05, "share of pixels >= 200: " + stats.brightShare);
        assertTrue(stats.darkShare > 0.4, "share of pixels < 50: " + stats.darkShare);
        // Backgrounds are below 49 and grey shapes above 109: only anti-aliased edge pixels fall in between.
        assertTrue(stats.midShare > 0.01, "share of pixels in [60, 100): " + stats.midShare);
        for (int i = 0; i < train.size(); i++) {
            PixelStats one = PixelStats.of(image(train, i));
            assertTrue(one.max - one.min >= 60, "image " + i + " has no visible shape: " + one.min + ".." + one.max);
        }
    }

    @Test
    void colourImagesHaveColouredShapes() throws Exception {
        DatasetSplits splits = open(COLOUR, 9, 300, 30);
        assertEquals(COLOUR, splits.train().shape());
        byte[] pixels = all(splits.train());
        PixelStats stats = PixelStats.of(pixels);
        assertTrue(stats.mean > 25 && stats.mean < 130, "mean intensity " + stats.mean);
        assertTrue(stats.brightShare > 0.05, "share of values >= 200: " + stats.brightShare);
        int plane = 64 * 64;
        long saturated = 0;
        for (int i = 0; i < 300; i++) {
            for (int p = 0; p < plane; p++) {
                int base = i * COLOUR.size() + p;
                int r = Byte.toUnsignedInt(pixels[base]);
                int g = Byte.toUnsignedInt(pixels[base + plane]);
                int b = Byte.toUnsignedInt(pixels[base + 2 * plane]);
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 100) {
                    saturated++;
                }
            }
        }
        assertTrue(saturated > 0.05 * 300 * plane, "strongly coloured pixels: " + saturated);
    }

    @Test
    void defaultsToGrey28x28WithDefaultSplitSizes() throws Exception {
        long start = System.nanoTime();
        DatasetSplits splits = shapes.open(new DatasetOptions(null, null, 0, Map.of()));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("shapes: %d + %d images of %s in %.3f s%n", splits.train().size(), splits.test().size(),
                splits.train().shape(), seconds);
        // Measured about 0.3-0.6 s on 2 cores; the bound only catches gross slowdowns on a busy machine.
        assertTrue(seconds < 10, "generation took " + seconds + " s");
        assertEquals(GREY, splits.train().shape());
        assertEquals(ShapesDataset.DEFAULT_TRAIN_SIZE, splits.train().size());
        assertEquals(ShapesDataset.DEFAULT_TEST_SIZE, splits.test().size());
        assertNull(shapes.nativeShape());
        assertEquals("shapes", shapes.id());
    }

    @Test
    void rendersUnusualShapes() throws Exception {
        for (ImageShape shape : new ImageShape[] {new ImageShape(3, 1, 1), new ImageShape(1, 5, 200),
                new ImageShape(3, 97, 31)}) {
            DatasetSplits splits = open(shape, 11, 20, 3);
            assertEquals(shape, splits.test().shape());
            PixelStats stats = PixelStats.of(all(splits.train()));
            assertTrue(stats.max > stats.min, shape + " is blank");
        }
    }

    @Test
    void rejectsInvalidOptions() {
        assertRejected(Map.of("train-size", "0"), "option train-size", "must be a positive integer", "'0'");
        assertRejected(Map.of("test-size", "-5"), "option test-size", "'-5'");
        assertRejected(Map.of("train-size", "lots"), "option train-size", "'lots'");
        assertRejected(Map.of("train-size", "1.5"), "'1.5'");
        assertRejected(Map.of("test-size", "99999999999"), "'99999999999'");
        assertRejected(Map.of("train-size", ""), "option train-size", "''");
        assertRejected(Map.of("trainsize", "10"), "no option 'trainsize' (options: test-size, train-size)");
    }

    @Test
    void rejectsSplitsTooLargeForTheHeap() {
        DatasetException e = assertThrows(DatasetException.class, () -> open(COLOUR, 1, 2_000_000_000, 1));
        assertTrue(e.getMessage().contains("MiB") && e.getMessage().contains("raise -Xmx"), e.getMessage());
    }

    /** Options are read with the SPI's PluginOptions: a wrong one is a usage error, an IllegalArgumentException. */
    private void assertRejected(Map<String, String> options, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shapes.open(new DatasetOptions(null, GREY, 1, options)));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith("dataset shapes"), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
        }
    }

    @Test
    void fingerprintNamesGeneratorAndParameters() {
        String base = ShapesDataset.fingerprint(GREY, 1, 100, 10);
        assertTrue(base.matches("[0-9a-f]{64}"), base);
        assertEquals(base, ShapesDataset.fingerprint(GREY, 1, 100, 10));
        assertNotEquals(base, ShapesDataset.fingerprint(GREY, 2, 100, 10));
        assertNotEquals(base, ShapesDataset.fingerprint(COLOUR, 1, 100, 10));
        assertNotEquals(base, ShapesDataset.fingerprint(GREY, 1, 101, 10));
        assertNotEquals(base, ShapesDataset.fingerprint(GREY, 1, 100, 11));
    }

    /** Writes an 8x8 grid per shape; set -Dshapes.preview.dir=... to keep the PNGs for a look. */
    @Test
    void writesPreviewGrids(@TempDir Path dir) throws Exception {
        String keep = System.getProperty("shapes.preview.dir");
        for (ImageShape shape : new ImageShape[] {GREY, COLOUR}) {
            ImageSplit train = open(shape, 1, 64, 1).train();
            BufferedImage grid = grid(train, 8, 4);
            Path png = (keep != null ? Files.createDirectories(Path.of(keep)) : dir)
                    .resolve("shapes-" + shape + ".png");
            assertTrue(ImageIO.write(grid, "png", png.toFile()));
            BufferedImage back = ImageIO.read(png.toFile());
            assertEquals(8 * shape.width() * 4, back.getWidth());
        }
    }

    /** {@code columns x columns} images, each pixel scaled up {@code zoom} times. */
    private static BufferedImage grid(ImageSplit split, int columns, int zoom) {
        ImageShape shape = split.shape();
        int w = shape.width();
        int h = shape.height();
        BufferedImage out = new BufferedImage(columns * w * zoom, columns * h * zoom, BufferedImage.TYPE_INT_RGB);
        byte[] pixels = new byte[shape.size()];
        for (int i = 0; i < columns * columns; i++) {
            split.copyImage(i, pixels, 0);
            for (int y = 0; y < h * zoom; y++) {
                for (int x = 0; x < w * zoom; x++) {
                    int p = (y / zoom) * w + x / zoom;
                    int r = Byte.toUnsignedInt(pixels[p]);
                    int g = shape.channels() == 3 ? Byte.toUnsignedInt(pixels[p + w * h]) : r;
                    int b = shape.channels() == 3 ? Byte.toUnsignedInt(pixels[p + 2 * w * h]) : r;
                    out.setRGB((i % columns) * w * zoom + x, (i / columns) * h * zoom + y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return out;
    }

    private record PixelStats(double mean, int min, int max, double brightShare, double darkShare, double midShare) {
        static PixelStats of(byte[] pixels) {
            long sum = 0;
            int min = 255;
            int max = 0;
            long bright = 0;
            long dark = 0;
            long mid = 0;
            for (byte b : pixels) {
                int v = Byte.toUnsignedInt(b);
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
                bright += v >= 200 ? 1 : 0;
                dark += v < 50 ? 1 : 0;
                mid += v >= 60 && v < 100 ? 1 : 0;
            }
            double n = pixels.length;
            return new PixelStats(sum / n, min, max, bright / n, dark / n, mid / n);
        }
    }
}
