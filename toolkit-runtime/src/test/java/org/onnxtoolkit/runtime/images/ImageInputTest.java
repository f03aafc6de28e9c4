package org.onnxtoolkit.runtime.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.images.ImageFixtures;
import org.onnxtoolkit.images.ImageResampler;
import org.onnxtoolkit.images.ImageResamplerTest;
import org.onnxtoolkit.images.PhotoDecoder;
import org.onnxtoolkit.images.RgbImage;

/**
 * Pictures in, model inputs out: the image folders' decoding and crop + resize, exact pass-through, channel
 * conversion, the trainer's scaling, other formats, bad files.
 */
class ImageInputTest {
    @TempDir
    Path dir;

    private static BufferedImage grey(int w, int h, java.util.function.IntBinaryOperator value) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        return img;
    }

    private static BufferedImage rgb(int w, int h, java.util.function.IntBinaryOperator rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb.applyAsInt(x, y));
            }
        }
        return img;
    }

    /** Fits a grey or colour image the JDK holds, as if it had been read from a file. */
    private static byte[] fit(BufferedImage image, ImageShape shape) {
        int[] packed = image.getType() == BufferedImage.TYPE_BYTE_GRAY
                ? Arrays.stream(image.getRaster().getSamples(0, 0, image.getWidth(), image.getHeight(), 0, (int[]) null))
                        .map(v -> v << 16 | v << 8 | v).toArray()
                : image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        return ImageInput.fit(new RgbImage(image.getWidth(), image.getHeight(), packed), shape);
    }

    private static int[] unsigned(byte[] pixels) {
        int[] values = new int[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            values[i] = pixels[i] & 0xFF;
        }
        return values;
    }

    /** The trainer's conversion of a sample (engine.training.Batches): what the model sees for it. */
    private static float trained(int sample) {
        return sample * (1f / 255f);
    }

    @Test
    void aGreyPngOfTheModelsSizePassesThroughExactly() throws IOException {
        // Commons Imaging 1.0.0-alpha6 would read a stored 9 as 13 through its linear grey image; the stored values
        // must come through, as the toolkit itself writes grey PNGs.
        BufferedImage img = grey(28, 28, (x, y) -> (x * 9 + y * 7) % 256);
        Path png = dir.resolve("g.png");
        ImageIO.write(img, "png", png.toFile());
        float[] v = ImageInput.read(png, new ImageShape(1, 28, 28));
        assertEquals(28 * 28, v.length);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(trained((x * 9 + y * 7) % 256), v[y * 28 + x], "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void anRgbPngKeepsItsChannelsInPlanarOrder() throws IOException {
        BufferedImage img = rgb(4, 3, (x, y) -> (x * 60) << 16 | (y * 100) << 8 | 7);
        Path png = dir.resolve("c.png");
        ImageIO.write(img, "png", png.toFile());
        float[] v = ImageInput.read(png, new ImageShape(3, 3, 4));
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(trained(x * 60), v[y * 4 + x]);
                assertEquals(trained(y * 100), v[12 + y * 4 + x]);
                assertEquals(trained(7), v[24 + y * 4 + x]);
            }
        }
    }

    @Test
    void halvingUsesTheTrainingPipelinesAntialiasedBilinearFilter() {
        // A linear ramp 10 x + 20 y, 8 -> 4: output i weighs inputs 2i-1 .. 2i+2 by 1/8, 3/8, 3/8, 1/8 (the triangle
        // stretched 2x), so inside it is the ramp at 2i + 0.5; at the borders the missing input's weight is left out
        // and the rest renormalised: inputs 0, 1, 2 by 3/7, 3/7, 1/7 (mean position 5/7), inputs 5, 6, 7 by 1/7,
        // 3/7, 3/7 (44/7). Area averaging would give 10 (2i + 0.5) everywhere, 5 at the first border.
        double[] position = {5 / 7.0, 2.5, 4.5, 44 / 7.0};
        byte[] v = fit(grey(8, 8, (x, y) -> x * 10 + y * 20), new ImageShape(1, 4, 4));
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(Math.round(10 * position[x] + 20 * position[y]), v[y * 4 + x] & 0xFF, "pixel " + x + "," + y);
            }
        }
        assertEquals(21, v[0] & 0xFF, "the corner: 150 / 7 = 21.4");
    }

    @Test
    void aNonIntegerFactorWeighsNeighboursByTheStretchedTriangle() {
        // 3 pixels to 2, scale 1.5: output 0 is centred at 0.75 and reads pixels 0 and 1 at distances 0.25 and 0.75,
        // weights 1 - 0.25 / 1.5 and 1 - 0.75 / 1.5, i.e. 0.625 and 0.375: 0.375 * 90 = 33.75. Output 1 likewise
        // 0.375 * 90 + 0.625 * 210 = 165.
        byte[] v = fit(grey(3, 3, (x, y) -> new int[] {0, 90, 210}[x]), new ImageShape(1, 2, 2));
        assertArrayEquals(new int[] {34, 165, 34, 165}, unsigned(v));
    }

    @Test
    void aWidePictureIsCroppedToItsCentreSquare() {
        // 12x4: the centre square is columns 4..7, which are white; the sides are black.
        BufferedImage img = grey(12, 4, (x, y) -> x >= 4 && x < 8 ? 255 : 0);
        assertArrayEquals(new float[] {1, 1, 1, 1}, ImageInput.toFloats(fit(img, new ImageShape(1, 2, 2))));
        // A tall one likewise keeps its middle rows.
        BufferedImage tall = grey(2, 6, (x, y) -> y >= 2 && y < 4 ? 200 : 10);
        assertArrayEquals(new int[] {200, 200, 200, 200}, unsigned(fit(tall, new ImageShape(1, 2, 2))));
    }

    @Test
    void aPictureIsCroppedToTheAspectRatioOfANonSquareModel() {
        // 9x9 to a model 6 wide and 2 high: all 9 columns, the middle 3 rows (rows 3..5), resized 9 -> 6 and 3 -> 2.
        BufferedImage img = grey(9, 9, (x, y) -> y >= 3 && y <= 5 ? 100 + x * 10 + (y - 3) * 30 : 0);
        byte[] v = fit(img, new ImageShape(1, 2, 6));
        int[] packed = img.getRaster().getSamples(0, 0, 9, 9, 0, (int[]) null);
        double[] expected = ImageResamplerTest.reference(new RgbImage(9, 9,
                Arrays.stream(packed).map(p -> p << 16 | p << 8 | p).toArray()), 9, 3, 6, 2, 1);
        for (int i = 0; i < 12; i++) {
            assertTrue((v[i] & 0xFF) >= 100, "only the middle rows count: pixel " + i + " is " + (v[i] & 0xFF));
            assertEquals(expected[i], v[i] & 0xFF, 0.5 + 1e-9, "pixel " + i);
        }
    }

    @Test
    void colourBecomesLumaAndGreyBecomesThreeEqualChannels() {
        BufferedImage red = rgb(1, 1, (x, y) -> 0xFF0000);
        assertArrayEquals(new int[] {76}, unsigned(fit(red, new ImageShape(1, 1, 1))), "0.299 * 255 = 76.2");
        BufferedImage g = grey(1, 1, (x, y) -> 51);
        assertArrayEquals(new float[] {trained(51), trained(51), trained(51)},
                ImageInput.toFloats(fit(g, new ImageShape(3, 1, 1))));
    }

    @Test
    void constantPicturesStayConstantAtAnySizeAndAspectRatio() {
        for (int w = 1; w <= 40; w += 3) {
            for (int h = 1; h <= 40; h += 7) {
                for (ImageShape shape : new ImageShape[] {new ImageShape(3, 5, 5), new ImageShape(1, 28, 28),
                        new ImageShape(3, 4, 9)}) {
                    byte[] v = fit(rgb(w, h, (x, y) -> 0x4D7A10), shape);
                    int plane = shape.height() * shape.width();
                    for (int i = 0; i < v.length; i++) {
                        int expected = shape.channels() == 1 ? (int) Math.round(0.299 * 0x4D + 0.587 * 0x7A + 0.114 * 0x10)
                                : new int[] {0x4D, 0x7A, 0x10}[i / plane];
                        assertEquals(expected, v[i] & 0xFF, w + "x" + h + " to " + shape + ", sample " + i);
                    }
                }
            }
        }
    }

    private Path resource(String name) throws IOException {
        try (InputStream in = ImageInputTest.class.getResourceAsStream("/pillow/" + name)) {
            assertTrue(in != null, "test resource /pillow/" + name);
            return Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    /** Pictures of the kinds image folders hold: EXIF-turned, CMYK, progressive, subsampled, 16-bit, palette, grey. */
    private Map<String, Path> photos() throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("exif-6", resource("hopper_orientation_6.jpg"));
        files.put("adobe-cmyk", resource("pil_sample_cmyk.jpg"));
        files.put("grey-jpeg", resource("hopper_gray.jpg"));
        files.put("progressive", ImageFixtures.write(dir, "p.jpg",
                ImageFixtures.jpeg(ImageFixtures.photo(90, 60, 1), 0.9f, true)));
        files.put("baseline-420", ImageFixtures.write(dir, "b.jpg", ImageFixtures.jpeg(ImageFixtures.photo(41, 77, 2))));
        files.put("sof1", ImageFixtures.write(dir, "e.jpg",
                ImageFixtures.withFrameMarker(ImageFixtures.jpeg(ImageFixtures.photo(64, 48, 3)), 0xc1)));
        int[] samples = new int[3 * 33 * 21];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (int) (i * 2654435761L % 65536);
        }
        files.put("rgb16", ImageFixtures.write(dir, "rgb16.png", ImageFixtures.rgb16Png(33, 21, samples)));
        byte[] palette = new byte[16];
        byte[] alpha = new byte[16];
        for (int i = 0; i < 16; i++) {
            palette[i] = (byte) (i * 17);
            alpha[i] = (byte) (i == 3 ? 0 : 255);
        }
        BufferedImage indexed = new BufferedImage(30, 20, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(4, 16, palette, palette, palette, alpha));
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                indexed.getRaster().setSample(x, y, 0, (x + y) % 16);
            }
        }
        Path palettePng = dir.resolve("palette.png");
        assertTrue(ImageIO.write(indexed, "png", palettePng.toFile()));
        files.put("palette-with-transparency", palettePng);
        Path greyPng = dir.resolve("grey.png");
        ImageIO.write(grey(50, 31, (x, y) -> (x * 7 + y * 3) % 40), "png", greyPng.toFile());
        files.put("dark-grey-png", greyPng);
        return files;
    }

    @Test
    void picturesGetExactlyThePixelsAnImageFolderPreparesForThem() throws IOException {
        // The image-folder recipe for a square model with the default crop: PhotoDecoder (EXIF applied), then the
        // largest centred square, resized.
        PhotoDecoder folderDecoder = new PhotoDecoder();
        for (Map.Entry<String, Path> photo : photos().entrySet()) {
            RgbImage decoded;
            try {
                decoded = folderDecoder.decode(Files.readAllBytes(photo.getValue()));
            } catch (org.onnxtoolkit.images.UndecodableImageException e) {
                throw new AssertionError(photo.getKey() + ": " + e.getMessage(), e);
            }
            for (ImageShape shape : new ImageShape[] {new ImageShape(3, 16, 16), new ImageShape(1, 28, 28)}) {
                byte[] folder = new byte[shape.size()];
                ImageResampler.cropAndResize(decoded, Math.min(decoded.width(), decoded.height()), shape, folder, 0);
                byte[] ours = ImageInput.readPixels(photo.getValue(), shape);
                assertArrayEquals(folder, ours, photo.getKey() + " to " + shape);
                assertArrayEquals(ImageInput.toFloats(folder), ImageInput.read(photo.getValue(), shape), photo.getKey());
            }
        }
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        // Pillow's hopper_orientation_6.jpg stores hopper turned, with orientation 6 saying how to turn it back: read
        // with its orientation applied it is upright hopper again, within JPEG noise; its stored pixels are not.
        Path turned = resource("hopper_orientation_6.jpg");
        RgbImage upright = ImageInput.decode(resource("hopper.jpg"));
        RgbImage read = ImageInput.decode(turned);
        RgbImage stored = new PhotoDecoder(false).decode(Files.readAllBytes(turned));
        double applied = meanDifference(read, upright);
        double ignored = meanDifference(stored, upright);
        assertTrue(applied < 8 && ignored > 40, "mean difference to upright hopper: " + applied + " with the orientation"
                + " applied, " + ignored + " without");
    }

    private static double meanDifference(RgbImage a, RgbImage b) {
        assertEquals(a.width(), b.width());
        assertEquals(a.height(), b.height());
        long total = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                total += Math.abs((a.rgb()[i] >> shift & 0xFF) - (b.rgb()[i] >> shift & 0xFF));
            }
        }
        return total / (3.0 * a.rgb().length);
    }

    @Test
    void aDamagedJpegIsRefusedAsImageFoldersRefuseIt() throws IOException {
        // ImageIO would fill the missing rows with grey; libjpeg's warning makes the picture undecodable, as in training.
        byte[] whole = ImageFixtures.jpeg(ImageFixtures.photo(64, 64, 4));
        Path cut = ImageFixtures.write(dir, "cut.jpg", ImageFixtures.truncated(whole, whole.length / 2));
        ImageInput.NotAnImageException e = assertThrows(ImageInput.NotAnImageException.class,
                () -> ImageInput.read(cut, new ImageShape(3, 8, 8)));
        assertTrue(e.getMessage().contains("cut.jpg") && e.getMessage().toLowerCase().contains("premature end"),
                e.getMessage());
    }

    @Test
    void otherFormatsStillReadThroughImageIo() throws IOException {
        Path gif = dir.resolve("a.gif");
        assertTrue(ImageIO.write(grey(6, 6, (x, y) -> x < 3 ? 0 : 255), "gif", gif.toFile()));
        assertArrayEquals(new int[] {0, 0, 0, 255, 255, 255}, Arrays.copyOf(unsigned(ImageInput.readPixels(gif,
                new ImageShape(1, 6, 6))), 6));
        Path bmp = dir.resolve("a.bmp");
        assertTrue(ImageIO.write(rgb(4, 4, (x, y) -> 0x102030), "bmp", bmp.toFile()));
        assertArrayEquals(new int[] {0x10, 0x20, 0x30}, unsigned(ImageInput.readPixels(bmp, new ImageShape(3, 1, 1))));
    }

    @Test
    void aJpegIsRead() throws IOException {
        BufferedImage img = rgb(40, 30, (x, y) -> 0x808080);
        Path jpg = dir.resolve("a.jpg");
        assertTrue(ImageIO.write(img, "jpeg", jpg.toFile()));
        float[] v = ImageInput.read(jpg, new ImageShape(1, 10, 10));
        for (float f : v) {
            assertEquals(128 / 255f, f, 3 / 255f);
        }
    }

    @Test
    void aFileThatIsNoPictureIsRejectedWithItsName() throws IOException {
        Path txt = dir.resolve("notes.png");
        Files.writeString(txt, "not a picture at all");
        ImageInput.NotAnImageException e = assertThrows(ImageInput.NotAnImageException.class,
                () -> ImageInput.read(txt, new ImageShape(1, 28, 28)));
        assertTrue(e.getMessage().contains("notes.png") && e.getMessage().contains("not a PNG or JPEG"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> ImageInput.read(dir.resolve("missing.png"), new ImageShape(1, 2, 2)));
    }
}
