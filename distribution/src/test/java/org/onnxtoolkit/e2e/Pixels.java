package org.onnxtoolkit.e2e;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A PNG's stored samples as {@code 0xRRGGBB} per pixel, read from the raster (ImageIO's {@code getRGB} converts
 * grey PNGs from a linear grey colour space and would not show the stored values).
 */
record Pixels(int width, int height, int[] rgb) {
    static Pixels read(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        if (img == null) {
            throw new IOException("not a PNG: " + png);
        }
        Raster r = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = new int[w * h];
        boolean grey = r.getNumBands() < 3;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = grey ? r.getSample(x, y, 0) * 0x010101
                        : r.getSample(x, y, 0) << 16 | r.getSample(x, y, 1) << 8 | r.getSample(x, y, 2);
            }
        }
        return new Pixels(w, h, rgb);
    }

    int at(int x, int y) {
        return rgb[y * width + x];
    }

    /** The largest difference of any channel of any pixel; the sizes must agree. */
    int maxChannelDifference(Pixels other) {
        if (width != other.width || height != other.height) {
            throw new AssertionError("sizes differ: " + width + "x" + height + " vs " + other.width + "x" + other.height);
        }
        int max = 0;
        for (int i = 0; i < rgb.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                max = Math.max(max, Math.abs((rgb[i] >> shift & 0xFF) - (other.rgb[i] >> shift & 0xFF)));
            }
        }
        return max;
    }

    /** How many pixels differ at all. */
    int differingPixels(Pixels other) {
        int n = 0;
        for (int i = 0; i < rgb.length; i++) {
            n += rgb[i] != other.rgb[i] ? 1 : 0;
        }
        return n;
    }
}
