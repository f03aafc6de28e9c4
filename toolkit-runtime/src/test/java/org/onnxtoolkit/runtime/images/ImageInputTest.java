package org.onnxtoolkit.runtime.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.ImageShape;

/** Pictures in, model inputs out: exact pass-through, area averaging, centre crop, channel conversion, bad files. */
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

    @Test
    void aGreyPngOfTheModelsSizePassesThroughExactly() throws IOException {
        BufferedImage img = grey(28, 28, (x, y) -> (x * 9 + y * 7) % 256);
        Path png = dir.resolve("g.png");
        ImageIO.write(img, "png", png.toFile());
        float[] v = ImageInput.read(png, new ImageShape(1, 28, 28));
        assertEquals(28 * 28, v.length);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(((x * 9 + y * 7) % 256) / 255f, v[y * 28 + x], "pixel " + x + "," + y);
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
                assertEquals(x * 60 / 255f, v[y * 4 + x]);
                assertEquals(y * 100 / 255f, v[12 + y * 4 + x]);
                assertEquals(7 / 255f, v[24 + y * 4 + x]);
            }
        }
    }

    @Test
    void halvingAveragesEachTwoByTwoBlock() {
        BufferedImage img = grey(8, 8, (x, y) -> x * 10 + y * 20);
        float[] v = ImageInput.fit(img, new ImageShape(1, 4, 4));
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                double mean = (2 * x * 10 + 5) + (2 * y * 20 + 10);
                assertEquals(mean / 255, v[y * 4 + x], 1e-6);
            }
        }
    }

    @Test
    void aNonIntegerFactorWeighsPartlyCoveredPixels() {
        // 3 pixels to 2: output 0 covers pixel 0 and half of pixel 1, output 1 the other half and pixel 2.
        BufferedImage img = grey(3, 3, (x, y) -> new int[] {0, 90, 210}[x]);
        float[] v = ImageInput.fit(img, new ImageShape(1, 2, 2));
        assertEquals((0 + 45) / 1.5 / 255, v[0], 1e-6);
        assertEquals((45 + 210) / 1.5 / 255, v[1], 1e-6);
        assertEquals(v[0], v[2], 1e-7);
    }

    @Test
    void aWidePictureIsCroppedToItsCentreSquare() {
        // 12x4: the centre square is columns 4..7, which are white; the sides are black.
        BufferedImage img = grey(12, 4, (x, y) -> x >= 4 && x < 8 ? 255 : 0);
        float[] v = ImageInput.fit(img, new ImageShape(1, 2, 2));
        assertArrayEquals(new float[] {1, 1, 1, 1}, v);
        // A tall one likewise keeps its middle rows.
        BufferedImage tall = grey(2, 6, (x, y) -> y >= 2 && y < 4 ? 200 : 10);
        assertArrayEquals(new float[] {200 / 255f, 200 / 255f, 200 / 255f, 200 / 255f},
                ImageInput.fit(tall, new ImageShape(1, 2, 2)));
    }

    @Test
    void colourBecomesLumaAndGreyBecomesThreeEqualChannels() {
        BufferedImage red = rgb(1, 1, (x, y) -> 0xFF0000);
        assertEquals(0.299 * 255 / 255, ImageInput.fit(red, new ImageShape(1, 1, 1))[0], 1e-6);
        BufferedImage g = grey(1, 1, (x, y) -> 51);
        assertArrayEquals(new float[] {0.2f, 0.2f, 0.2f}, ImageInput.fit(g, new ImageShape(3, 1, 1)));
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

    @Test
    void resizeWeightsPreserveAConstant() {
        for (int src = 1; src <= 40; src += 3) {
            for (int dst = 1; dst <= 40; dst += 5) {
                double[] plane = new double[src * src];
                java.util.Arrays.fill(plane, 77.5);
                for (double d : ImageInput.resize(plane, src, src, dst, dst)) {
                    assertEquals(77.5, d, 1e-9, src + " -> " + dst);
                }
            }
        }
    }
}
