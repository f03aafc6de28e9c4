package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Decodes written PNGs independently of Commons Imaging (ImageIO), as 0xRRGGBB per pixel. */
final class Pngs {
    private Pngs() {
    }

    /** The decoded pixels as {@code [y][x]} 0xRRGGBB. */
    static int[][] read(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, () -> png + " is not a readable image");
        Raster raster = image.getRaster();
        int[][] rgb = new int[image.getHeight()][image.getWidth()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (raster.getNumBands() == 1 && image.getColorModel().getPixelSize() == 8
                        && image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
                    // getRGB would convert linear grey to sRGB; the stored sample is what we wrote.
                    int g = raster.getSample(x, y, 0);
                    rgb[y][x] = (g << 16) | (g << 8) | g;
                } else {
                    rgb[y][x] = image.getRGB(x, y) & 0xFFFFFF;
                }
            }
        }
        return rgb;
    }

    static int grey(int value) {
        return (value << 16) | (value << 8) | value;
    }

    static String hex(int rgb) {
        return String.format("#%06X", rgb);
    }
}
