package org.onnxtoolkit.plugins.datasets;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Image files for tests, written with the JDK's ImageIO (an encoder independent of the decoder under test). */
final class ImageFixtures {
    private ImageFixtures() {
    }

    /** Packed RGB like a photo: smooth gradients and a blob plus noise, so JPEG compresses it as it would a photo. */
    static int[] photoPixels(int width, int height, long seed) {
        Random random = new Random(seed);
        double phase = random.nextDouble() * Math.PI;
        double cx = width * (0.3 + 0.4 * random.nextDouble());
        double cy = height * (0.3 + 0.4 * random.nextDouble());
        int[] rgb = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double blob = Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (0.08 * width * height));
                int r = clamp(40 + 150 * x / (double) width + 60 * blob + random.nextGaussian() * 6);
                int g = clamp(30 + 120 * y / (double) height + 80 * blob * Math.sin(phase) + random.nextGaussian() * 6);
                int b = clamp(90 + 80 * Math.sin(phase + x * 0.05 + y * 0.03) + random.nextGaussian() * 6);
                rgb[y * width + x] = r << 16 | g << 8 | b;
            }
        }
        return rgb;
    }

    static BufferedImage rgbImage(int width, int height, int[] rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    static BufferedImage photo(int width, int height, long seed) {
        return rgbImage(width, height, photoPixels(width, height, seed));
    }

    /** A grey image whose raster holds {@code grey} (8-bit samples, row-major) exactly. */
    static BufferedImage greyImage(int width, int height, int[] grey) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSamples(0, 0, width, height, 0, grey);
        return image;
    }

    static byte[] jpeg(BufferedImage image, float quality, boolean progressive) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ImageWriteParam parameters = writer.getDefaultWriteParam();
            parameters.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            parameters.setCompressionQuality(quality);
            if (progressive) {
                parameters.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, null), parameters);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    static byte[] jpeg(BufferedImage image) {
        return jpeg(image, 0.95f, false);
    }

    /** A four-component (CMYK-style) JPEG, written from a raster as ImageIO allows. */
    static byte[] fourComponentJpeg(int width, int height) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, new int[] {x * 255 / width, y * 255 / height, 60, 20});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(raster, null, null), null);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("no PNG writer for " + image);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] truncated(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    static Path write(Path folder, String name, byte[] bytes) {
        try {
            Files.createDirectories(folder);
            return Files.write(folder.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int clamp(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }
}
