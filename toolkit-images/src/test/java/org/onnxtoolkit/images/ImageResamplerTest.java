package org.onnxtoolkit.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.ImageShape;

public class ImageResamplerTest {
    /**
     * The reference, written independently of the class under test: every output pixel is the mean of all crop
     * pixels weighted by the 2-D triangle {@code tri(dx / s) * tri(dy / s)}, where {@code dx, dy} are the
     * distances between pixel centres in input pixels and {@code s = max(crop / size, 1)}. No kernel tables,
     * no separable passes, no window clipping. Also the reference of the image-folder datasets' tests.
     *
     * @return {@code [channels, size, size]}, unrounded
     */
    public static double[] reference(RgbImage image, int crop, int size, int channels) {
        return reference(image, crop, crop, size, size, channels);
    }

    /**
     * The same for the centred {@code cropWidth x cropHeight} region resized to {@code width x height}, each
     * direction stretched by its own scale.
     *
     * @return {@code [channels, height, width]}, unrounded
     */
    public static double[] reference(RgbImage image, int cropWidth, int cropHeight, int width, int height,
                                     int channels) {
        int left = (int) Math.rint((image.width() - cropWidth) / 2.0);
        int top = (int) Math.rint((image.height() - cropHeight) / 2.0);
        double scaleX = (double) cropWidth / width;
        double scaleY = (double) cropHeight / height;
        double stretchX = Math.max(scaleX, 1);
        double stretchY = Math.max(scaleY, 1);
        double[] out = new double[channels * width * height];
        for (int oy = 0; oy < height; oy++) {
            for (int ox = 0; ox < width; ox++) {
                double cx = (ox + 0.5) * scaleX;
                double cy = (oy + 0.5) * scaleY;
                double[] sums = new double[channels];
                double weights = 0;
                for (int y = 0; y < cropHeight; y++) {
                    double wy = Math.max(0, 1 - Math.abs(y + 0.5 - cy) / stretchY);
                    for (int x = 0; x < cropWidth && wy > 0; x++) {
                        double w = wy * Math.max(0, 1 - Math.abs(x + 0.5 - cx) / stretchX);
                        if (w == 0) {
                            continue;
                        }
                        int pixel = image.rgb()[(top + y) * image.width() + left + x];
                        double r = pixel >> 16 & 0xff;
                        double g = pixel >> 8 & 0xff;
                        double b = pixel & 0xff;
                        if (channels == 1) {
                            sums[0] += w * (0.299 * r + 0.587 * g + 0.114 * b);
                        } else {
                            sums[0] += w * r;
                            sums[1] += w * g;
                            sums[2] += w * b;
                        }
                        weights += w;
                    }
                }
                for (int c = 0; c < channels; c++) {
                    out[(c * height + oy) * width + ox] = sums[c] / weights;
                }
            }
        }
        return out;
    }

    private static byte[] resize(RgbImage image, int crop, ImageShape shape) {
        byte[] out = new byte[shape.size()];
        ImageResampler.cropAndResize(image, crop, shape, out, 0);
        return out;
    }

    /** Every pixel within rounding of the reference, and almost all equal to its rounded value. */
    private static void assertMatchesReference(RgbImage image, int crop, ImageShape shape) {
        double[] expected = reference(image, crop, shape.height(), shape.channels());
        byte[] actual = resize(image, crop, shape);
        int exact = 0;
        for (int i = 0; i < expected.length; i++) {
            int value = actual[i] & 0xff;
            assertTrue(Math.abs(value - expected[i]) <= 0.5 + 1e-9,
                    "pixel " + i + ": " + value + " vs reference " + expected[i] + " (" + shape + ", crop " + crop + ")");
            if (value == Math.round(expected[i])) {
                exact++;
            }
        }
        assertTrue(exact >= expected.length - 2, exact + " of " + expected.length + " exact");
    }

    @Test
    void celebaSizedImageMatchesTheReferenceCropAndResize() {
        RgbImage image = new RgbImage(178, 218, ImageFixtures.photoPixels(178, 218, 1));
        assertMatchesReference(image, 168, new ImageShape(3, 64, 64));
        assertMatchesReference(image, 168, new ImageShape(1, 64, 64));
        assertMatchesReference(image, 178, new ImageShape(3, 32, 32));
        assertMatchesReference(image, 100, new ImageShape(3, 37, 37));
    }

    @Test
    void oddSizesAndUpscalingMatchTheReference() {
        RgbImage wide = new RgbImage(100, 37, ImageFixtures.photoPixels(100, 37, 2));
        assertMatchesReference(wide, 37, new ImageShape(3, 16, 16));
        assertMatchesReference(wide, 37, new ImageShape(3, 64, 64)); // upscale: plain bilinear
        assertMatchesReference(wide, 36, new ImageShape(3, 36, 36)); // same size: a pure crop
    }

    @Test
    void shrinkingWeighsInputsByTheStretchedTriangle() {
        // 8 -> 4, output 1: centred at 3.0, support 2; inputs 1..4 at distances 1.5, 0.5, 0.5, 1.5, halved:
        // weights 0.25, 0.75, 0.75, 0.25, i.e. 1/8, 3/8, 3/8, 1/8.
        ImageResampler.Kernel halving = ImageResampler.Kernel.of(8, 4);
        assertEquals(1, halving.starts()[1]);
        assertEquals(4, halving.lengths()[1]);
        assertArrayEquals(new double[] {1 / 8.0, 3 / 8.0, 3 / 8.0, 1 / 8.0},
                Arrays.copyOfRange(halving.weights(), halving.taps(), halving.taps() + 4), 1e-12);
        // At the border the missing input's weight is left out and the rest renormalised: 4 -> 2, output 0
        // (centre 1.0) reads inputs 0..2 at distances 0.5, 0.5, 1.5: 0.75, 0.75, 0.25, i.e. 3/7, 3/7, 1/7.
        ImageResampler.Kernel border = ImageResampler.Kernel.of(4, 2);
        assertEquals(0, border.starts()[0]);
        assertEquals(3, border.lengths()[0]);
        assertArrayEquals(new double[] {3 / 7.0, 3 / 7.0, 1 / 7.0},
                Arrays.copyOfRange(border.weights(), 0, 3), 1e-12);
        // 8 -> 2, output 0: centre 2.0, support 4; inputs 0..5 at distances 1.5 .5 .5 1.5 2.5 3.5 (/4).
        ImageResampler.Kernel quarter = ImageResampler.Kernel.of(8, 2);
        double[] expected = {2.5, 3.5, 3.5, 2.5, 1.5, 0.5};
        double total = Arrays.stream(expected).sum();
        assertArrayEquals(Arrays.stream(expected).map(w -> w / total).toArray(),
                Arrays.copyOfRange(quarter.weights(), 0, 6), 1e-12);
    }

    @Test
    void sameSizeIsTheIdentity() {
        int[] rgb = ImageFixtures.photoPixels(20, 20, 3);
        byte[] out = resize(new RgbImage(20, 20, rgb), 20, new ImageShape(3, 20, 20));
        for (int i = 0; i < rgb.length; i++) {
            assertEquals(rgb[i] >> 16 & 0xff, out[i] & 0xff);
            assertEquals(rgb[i] >> 8 & 0xff, out[400 + i] & 0xff);
            assertEquals(rgb[i] & 0xff, out[800 + i] & 0xff);
        }
    }

    @Test
    void downscalingAFinePatternAveragesInsteadOfAliasing() {
        // A one-pixel checkerboard: without anti-aliasing a 4x shrink samples all-black or all-white pixels.
        int[] rgb = new int[64 * 64];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = ((i % 64 + i / 64) % 2 == 0) ? 0xffffff : 0;
        }
        byte[] out = resize(new RgbImage(64, 64, rgb), 64, new ImageShape(1, 16, 16));
        for (byte value : out) {
            assertTrue(Math.abs((value & 0xff) - 127.5) <= 12, "pixel " + (value & 0xff));
        }
    }

    @Test
    void cropIsCentredAndRoundsHalfToEven() {
        assertEquals(25, ImageResampler.cropStart(218, 168));
        assertEquals(5, ImageResampler.cropStart(178, 168));
        assertEquals(0, ImageResampler.cropStart(37, 36)); // 0.5 -> 0
        assertEquals(2, ImageResampler.cropStart(39, 36)); // 1.5 -> 2
        // The crop window of a 5x3 image cropped to 3: columns 1..3.
        int[] rgb = new int[15];
        for (int i = 0; i < 15; i++) {
            rgb[i] = (i % 5) * 10;
        }
        byte[] out = resize(new RgbImage(5, 3, rgb), 3, new ImageShape(3, 3, 3));
        assertArrayEquals(new byte[] {10, 20, 30}, Arrays.copyOfRange(out, 18, 21)); // blue plane, first row
    }

    @Test
    void constantImagesStayConstant() {
        int[] rgb = new int[178 * 218];
        Arrays.fill(rgb, 0x123456);
        byte[] out = resize(new RgbImage(178, 218, rgb), 168, new ImageShape(3, 64, 64));
        for (int i = 0; i < out.length; i++) {
            assertEquals(new int[] {0x12, 0x34, 0x56}[i / 4096], out[i] & 0xff);
        }
    }

    @Test
    void fittingToASquareShapeIsTheImageFoldersLargestCentredSquare() {
        // interpolate fits pictures with fitToShape, the image folders crop their largest centred square: for a
        // square model both must give the same bytes, including odd differences where the crop start rounds.
        for (RgbImage image : new RgbImage[] {new RgbImage(100, 37, ImageFixtures.photoPixels(100, 37, 4)),
                new RgbImage(37, 100, ImageFixtures.photoPixels(37, 100, 5)),
                new RgbImage(178, 218, ImageFixtures.photoPixels(178, 218, 6)),
                new RgbImage(28, 28, ImageFixtures.photoPixels(28, 28, 7))}) {
            for (ImageShape shape : new ImageShape[] {new ImageShape(3, 16, 16), new ImageShape(1, 28, 28),
                    new ImageShape(3, 64, 64)}) {
                byte[] fitted = new byte[shape.size()];
                ImageResampler.fitToShape(image, shape, fitted, 0);
                assertArrayEquals(resize(image, Math.min(image.width(), image.height()), shape), fitted,
                        image.width() + "x" + image.height() + " to " + shape);
            }
        }
    }

    @Test
    void fittingToAWideOrTallShapeCutsTheLargestCentredRegionOfItsAspectRatio() {
        RgbImage image = new RgbImage(90, 60, ImageFixtures.photoPixels(90, 60, 8));
        // 2:1 (width 40, height 20): all 90 columns, round(90 / 2) = 45 rows starting at rint(7.5) = 8.
        assertFitMatchesReference(image, new ImageShape(3, 20, 40), 90, 45);
        // 1:3 (width 10, height 30): all 60 rows, 20 columns starting at 35.
        assertFitMatchesReference(image, new ImageShape(1, 30, 10), 20, 60);
        // 3:2 exactly: no crop at all, only the resize.
        assertFitMatchesReference(image, new ImageShape(3, 12, 18), 90, 60);
        // The region's edge: a 5x3 image fitted to 1x1 keeps columns 1..3 (their mean), not the outer ones.
        int[] rgb = new int[15];
        for (int i = 0; i < 15; i++) {
            rgb[i] = i % 5 == 0 || i % 5 == 4 ? 0xffffff : 0x102030;
        }
        byte[] one = new byte[3];
        ImageResampler.fitToShape(new RgbImage(5, 3, rgb), new ImageShape(3, 1, 1), one, 0);
        assertArrayEquals(new byte[] {0x10, 0x20, 0x30}, one);
    }

    private static void assertFitMatchesReference(RgbImage image, ImageShape shape, int cropWidth, int cropHeight) {
        double[] expected = reference(image, cropWidth, cropHeight, shape.width(), shape.height(), shape.channels());
        byte[] actual = new byte[shape.size()];
        ImageResampler.fitToShape(image, shape, actual, 0);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs((actual[i] & 0xff) - expected[i]) <= 0.5 + 1e-9,
                    "pixel " + i + ": " + (actual[i] & 0xff) + " vs reference " + expected[i] + " (" + shape + ")");
        }
    }

    @Test
    void cropLargerThanTheImageIsRejected() {
        RgbImage image = new RgbImage(100, 37, new int[3700]);
        assertThrows(IllegalArgumentException.class, () -> resize(image, 38, new ImageShape(3, 8, 8)));
    }
}
