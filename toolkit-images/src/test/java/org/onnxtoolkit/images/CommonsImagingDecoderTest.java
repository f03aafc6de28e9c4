package org.onnxtoolkit.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.apache.commons.imaging.Imaging;
import org.junit.jupiter.api.Test;

class CommonsImagingDecoderTest {
    private final CommonsImagingDecoder decoder = new CommonsImagingDecoder();

    private static int red(int pixel) {
        return pixel >> 16 & 0xff;
    }

    private static int green(int pixel) {
        return pixel >> 8 & 0xff;
    }

    private static int blue(int pixel) {
        return pixel & 0xff;
    }

    @Test
    void versionNamesTheCommonsImagingOnTheClassPath() {
        assertEquals(Imaging.class.getPackage().getImplementationVersion(), CommonsImagingDecoder.IMAGING_VERSION,
                "Commons Imaging was upgraded: check what it decodes and update IMAGING_VERSION (it keys the caches)");
        assertTrue(decoder.version().contains(CommonsImagingDecoder.IMAGING_VERSION));
    }

    /** Mean absolute difference per component. */
    private static double meanDifference(int[] a, int[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(red(a[i]) - red(b[i])) + Math.abs(green(a[i]) - green(b[i]))
                    + Math.abs(blue(a[i]) - blue(b[i]));
        }
        return sum / (3.0 * a.length);
    }

    @Test
    void baselineColourJpegDecodesAsTheJdkDecoderDoes() throws Exception {
        int[] source = ImageFixtures.photoPixels(178, 218, 7);
        byte[] jpeg = ImageFixtures.jpeg(ImageFixtures.rgbImage(178, 218, source));
        RgbImage image = decoder.decode(jpeg);
        assertEquals(178, image.width());
        assertEquals(218, image.height());
        BufferedImage jdk = ImageIO.read(new ByteArrayInputStream(jpeg));
        int[] jdkPixels = jdk.getRGB(0, 0, 178, 218, null, 0, 178);
        double fromJdk = meanDifference(image.rgb(), jdkPixels);
        double fromSource = meanDifference(image.rgb(), source);
        // Decoders may differ in IDCT rounding and chroma upsampling, not more.
        assertTrue(fromJdk < 1.5, "mean difference from ImageIO's decoding " + fromJdk);
        assertTrue(fromSource < 6, "mean difference from the encoded pixels " + fromSource);
    }

    @Test
    void greyJpegBecomesEqualComponents() throws Exception {
        int[] grey = new int[100 * 37];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (i % 100) * 2;
        }
        RgbImage image = decoder.decode(ImageFixtures.jpeg(ImageFixtures.greyImage(100, 37, grey)));
        assertEquals(100, image.width());
        assertEquals(37, image.height());
        for (int i = 0; i < grey.length; i++) {
            int pixel = image.rgb()[i];
            assertEquals(red(pixel), green(pixel));
            assertEquals(red(pixel), blue(pixel));
            assertTrue(Math.abs(red(pixel) - grey[i]) <= 6, "pixel " + i + ": " + red(pixel) + " vs " + grey[i]);
        }
    }

    @Test
    void greyPngKeepsEveryLevelExactly() throws Exception {
        // Commons Imaging's default grey image would store linear-light bytes and lose dark levels.
        int[] grey = new int[256];
        for (int i = 0; i < 256; i++) {
            grey[i] = i;
        }
        RgbImage image = decoder.decode(ImageFixtures.png(ImageFixtures.greyImage(16, 16, grey)));
        for (int i = 0; i < 256; i++) {
            assertEquals(i * 0x010101, image.rgb()[i] & 0xffffff, "level " + i);
        }
    }

    @Test
    void sixteenBitGreyPngIsReducedToEightBits() throws Exception {
        BufferedImage image = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] samples = {0, 13 * 257, 128 * 257, 65535};
        image.getRaster().setSamples(0, 0, 4, 1, 0, samples);
        RgbImage decoded = decoder.decode(ImageFixtures.png(image));
        int[] expected = {0, 13, 128, 255};
        for (int x = 0; x < 4; x++) {
            assertEquals(expected[x] * 0x010101, decoded.rgb()[x] & 0xffffff, "sample " + x);
        }
    }

    @Test
    void rgbPngIsExact() throws Exception {
        int[] source = ImageFixtures.photoPixels(31, 17, 9);
        RgbImage image = decoder.decode(ImageFixtures.png(ImageFixtures.rgbImage(31, 17, source)));
        for (int i = 0; i < source.length; i++) {
            assertEquals(source[i] & 0xffffff, image.rgb()[i] & 0xffffff);
        }
    }

    @Test
    void rgbaPngDropsTheAlphaAndKeepsTheColour() throws Exception {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x80ff8040);
        image.setRGB(1, 0, 0x00123456);
        image.setRGB(2, 0, 0xff010203);
        RgbImage decoded = decoder.decode(ImageFixtures.png(image));
        assertEquals(0xff8040, decoded.rgb()[0] & 0xffffff);
        assertEquals(0x123456, decoded.rgb()[1] & 0xffffff);
        assertEquals(0x010203, decoded.rgb()[2] & 0xffffff);
    }

    @Test
    void palettePngUsesThePaletteColours() throws Exception {
        byte[] reds = {0, (byte) 200, 10};
        byte[] greens = {0, 100, (byte) 250};
        byte[] blues = {0, 50, 30};
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 3, reds, greens, blues));
        image.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {1, 2, 0});
        RgbImage decoded = decoder.decode(ImageFixtures.png(image));
        assertEquals(0xc86432, decoded.rgb()[0] & 0xffffff);
        assertEquals(0x0afa1e, decoded.rgb()[1] & 0xffffff);
        assertEquals(0x000000, decoded.rgb()[2] & 0xffffff);
    }

    @Test
    void fourComponentJpegDecodes() throws Exception {
        RgbImage image = decoder.decode(ImageFixtures.fourComponentJpeg(40, 24));
        assertEquals(40, image.width());
        assertEquals(24, image.height());
    }

    @Test
    void progressiveJpegIsReportedAsUndecodable() {
        byte[] progressive = ImageFixtures.jpeg(ImageFixtures.photo(64, 48, 1), 0.9f, true);
        UndecodableImageException e = assertThrows(UndecodableImageException.class, () -> decoder.decode(progressive));
        assertTrue(e.getMessage().contains("baseline"), e.getMessage());
    }

    @Test
    void truncatedAndDamagedJpegsAreUndecodable() {
        byte[] jpeg = ImageFixtures.jpeg(ImageFixtures.photo(178, 218, 2));
        for (int length : new int[] {2, 3, 100, 600, jpeg.length / 2, jpeg.length - 40}) {
            assertThrows(UndecodableImageException.class, () -> decoder.decode(ImageFixtures.truncated(jpeg, length)),
                    "truncated to " + length);
        }
        byte[] damaged = jpeg.clone();
        for (int i = 1000; i < 3000; i++) {
            damaged[i] = (byte) i;
        }
        assertThrows(UndecodableImageException.class, () -> decoder.decode(damaged));
    }

    @Test
    void truncatedPngIsUndecodable() {
        byte[] png = ImageFixtures.png(ImageFixtures.photo(50, 40, 3));
        for (int length : new int[] {8, 30, png.length / 2, png.length - 13}) {
            assertThrows(UndecodableImageException.class, () -> decoder.decode(ImageFixtures.truncated(png, length)),
                    "truncated to " + length);
        }
    }

    @Test
    void otherBytesAreNotAJpegOrPng() {
        UndecodableImageException random = assertThrows(UndecodableImageException.class,
                () -> decoder.decode(ImageFixtures.randomBytes(5000, 4)));
        assertTrue(random.getMessage().startsWith("not a JPEG or PNG file"), random.getMessage());
        UndecodableImageException empty = assertThrows(UndecodableImageException.class,
                () -> decoder.decode(new byte[0]));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        byte[] gif = "GIF89a....".getBytes(StandardCharsets.US_ASCII);
        UndecodableImageException other = assertThrows(UndecodableImageException.class, () -> decoder.decode(gif));
        assertTrue(other.getMessage().contains("47 49 46 38"), other.getMessage());
    }

    @Test
    void jpegSignatureFollowedByGarbageIsUndecodable() {
        byte[] bytes = ImageFixtures.randomBytes(4000, 5);
        bytes[0] = (byte) 0xff;
        bytes[1] = (byte) 0xd8;
        bytes[2] = (byte) 0xff;
        assertThrows(UndecodableImageException.class, () -> decoder.decode(bytes));
    }
}
