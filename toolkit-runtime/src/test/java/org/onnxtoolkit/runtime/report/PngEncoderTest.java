package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.commons.imaging.Imaging;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

    /** Every pixel as 0xAARRGGBB, decoded by ImageIO and by Commons Imaging, must equal the source's. */
    private static void assertRoundTrip(BufferedImage source, int expectedColorType) throws IOException {
        byte[] png = PngEncoder.encode(source);
        assertEquals(expectedColorType, png[25], "colour type in IHDR");
        assertChunksIntact(png);
        int w = source.getWidth();
        int h = source.getHeight();
        int[] expected = source.getRGB(0, 0, w, h, null, 0, w);
        BufferedImage byImageIo = ImageIO.read(new ByteArrayInputStream(png));
        BufferedImage byImaging = Imaging.getBufferedImage(png);
        for (BufferedImage decoded : new BufferedImage[] {byImageIo, byImaging}) {
            assertEquals(w, decoded.getWidth());
            assertEquals(h, decoded.getHeight());
            int[] actual = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    // ImageIO's grey image is linear grey, whose getRGB converts: read the stored sample.
                    actual[y * w + x] = expectedColorType == 0 && decoded == byImageIo
                            ? 0xFF000000 | Pngs.grey(decoded.getRaster().getSample(x, y, 0))
                            : decoded.getRGB(x, y);
                }
            }
            // Commons Imaging decodes grey through a linear-grey image, which moves dark values (8 -> 13), so for
            // grey only ImageIO's stored samples are compared.
            if (expectedColorType != 0 || decoded == byImageIo) {
                assertArrayEquals(expected, actual, decoded == byImageIo ? "ImageIO" : "Commons Imaging");
            }
        }
    }

    /** Signature, then chunks whose lengths add up and whose CRCs match; IHDR first, IEND last. */
    private static void assertChunksIntact(byte[] png) {
        ByteBuffer b = ByteBuffer.wrap(png);
        assertEquals(0x89504E470D0A1A0AL, b.getLong());
        String first = null;
        String last = null;
        while (b.hasRemaining()) {
            int length = b.getInt();
            byte[] typeAndData = new byte[4 + length];
            b.get(typeAndData);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            assertEquals((int) crc.getValue(), b.getInt(), "CRC");
            last = new String(typeAndData, 0, 4, java.nio.charset.StandardCharsets.US_ASCII);
            first = first == null ? last : first;
        }
        assertEquals("IHDR", first);
        assertEquals("IEND", last);
    }

    private static BufferedImage random(int w, int h, int type, long seed, boolean grey) {
        BufferedImage image = new BufferedImage(w, h, type);
        Random random = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = random.nextInt(256);
                int rgb = grey ? (v << 16) | (v << 8) | v : random.nextInt(1 << 24);
                int alpha = type == BufferedImage.TYPE_INT_ARGB ? random.nextInt(256) : 0xFF;
                image.setRGB(x, y, (alpha << 24) | rgb);
            }
        }
        return image;
    }

    @Test
    void randomPixelsRoundTripInEachColourType() throws IOException {
        assertRoundTrip(random(37, 23, BufferedImage.TYPE_INT_RGB, 1, false), 2);
        assertRoundTrip(random(37, 23, BufferedImage.TYPE_INT_RGB, 2, true), 0);
        assertRoundTrip(random(37, 23, BufferedImage.TYPE_INT_ARGB, 3, false), 6);
        assertRoundTrip(random(1, 1, BufferedImage.TYPE_INT_RGB, 4, false), 2);
        assertRoundTrip(random(1, 9, BufferedImage.TYPE_INT_RGB, 5, true), 0);
        assertRoundTrip(random(9, 1, BufferedImage.TYPE_INT_ARGB, 6, false), 6);
    }

    @Test
    void smoothAndDrawnImagesRoundTrip() throws IOException {
        BufferedImage gradient = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 300; x++) {
                gradient.setRGB(x, y, ((x * 255 / 299) << 16) | ((y * 255 / 199) << 8) | ((x + y) & 0xFF));
            }
        }
        assertRoundTrip(gradient, 2);
        BufferedImage chart = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = chart.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 400, 300);
        g.setColor(new Color(0x1F77B4));
        g.setStroke(new BasicStroke(2f));
        g.drawLine(10, 290, 390, 20);
        g.drawOval(100, 100, 150, 80);
        g.dispose();
        assertRoundTrip(chart, 2);
        byte[] png = PngEncoder.encode(chart);
        assertTrue(png.length < 400 * 300 * 3 / 20, "a mostly white chart compresses well: " + png.length + " bytes");
    }
}
