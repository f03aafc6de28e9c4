package org.onnxtoolkit.images;

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
public final class ImageFixtures {
    private ImageFixtures() {
    }

    /** Packed RGB like a photo: smooth gradients and a blob plus noise, so JPEG compresses it as it would a photo. */
    public static int[] photoPixels(int width, int height, long seed) {
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

    public static BufferedImage rgbImage(int width, int height, int[] rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    public static BufferedImage photo(int width, int height, long seed) {
        return rgbImage(width, height, photoPixels(width, height, seed));
    }

    /** A grey image whose raster holds {@code grey} (8-bit samples, row-major) exactly. */
    public static BufferedImage greyImage(int width, int height, int[] grey) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSamples(0, 0, width, height, 0, grey);
        return image;
    }

    public static byte[] jpeg(BufferedImage image, float quality, boolean progressive) {
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

    public static byte[] jpeg(BufferedImage image) {
        return jpeg(image, 0.95f, false);
    }

    /** A four-component (CMYK-style) JPEG, written from a raster as ImageIO allows. */
    public static byte[] fourComponentJpeg(int width, int height) {
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

    public static byte[] png(BufferedImage image) {
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

    /**
     * A 16-bit-per-sample RGB PNG of {@code samples} ({@code 3 * width * height} values in 0-65535, row-major,
     * interleaved), written by ImageIO (PIL cannot write 16-bit colour PNGs).
     */
    public static byte[] rgb16Png(int width, int height, int[] samples) {
        java.awt.color.ColorSpace srgb = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB);
        java.awt.image.ComponentColorModel model = new java.awt.image.ComponentColorModel(srgb, new int[] {16, 16, 16},
                false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(width, height);
        raster.setPixels(0, 0, width, height, samples);
        return png(new BufferedImage(model, raster, false, null));
    }

    /**
     * {@code jpeg} with the marker of its frame header (SOF) replaced by {@code 0xff, marker}: a baseline file
     * with {@code 0xc1} is a valid extended-sequential (SOF1) JPEG, since SOF1 allows everything SOF0 does.
     */
    public static byte[] withFrameMarker(byte[] jpeg, int marker) {
        byte[] copy = jpeg.clone();
        copy[frameHeaderOffset(copy) + 1] = (byte) marker;
        return copy;
    }

    /** {@code jpeg} with the sample precision in its frame header set to {@code bits}. */
    public static byte[] withPrecision(byte[] jpeg, int bits) {
        byte[] copy = jpeg.clone();
        copy[frameHeaderOffset(copy) + 4] = (byte) bits;
        return copy;
    }

    /** {@code jpeg} with its frame header's height and width replaced (the data is not changed). */
    public static byte[] withDeclaredSize(byte[] jpeg, int width, int height) {
        byte[] copy = jpeg.clone();
        int at = frameHeaderOffset(copy);
        copy[at + 5] = (byte) (height >> 8);
        copy[at + 6] = (byte) height;
        copy[at + 7] = (byte) (width >> 8);
        copy[at + 8] = (byte) width;
        return copy;
    }

    /** {@code jpeg} with two stray bytes before its first scan (SOS), as some cameras write: no pixel is lost. */
    public static byte[] withStrayBytesBeforeScan(byte[] jpeg) {
        int at = 2;
        while ((jpeg[at + 1] & 0xff) != 0xda) {
            at += 2 + ((jpeg[at + 2] & 0xff) << 8 | jpeg[at + 3] & 0xff);
        }
        byte[] copy = new byte[jpeg.length + 2];
        System.arraycopy(jpeg, 0, copy, 0, at);
        copy[at] = 0x12;
        copy[at + 1] = 0x34;
        System.arraycopy(jpeg, at, copy, at + 2, jpeg.length - at);
        return copy;
    }

    /** Where the frame header's 0xff byte is: walks the marker segments from the start, never scanning data. */
    private static int frameHeaderOffset(byte[] jpeg) {
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xff) == 0xff) {
            int marker = jpeg[at + 1] & 0xff;
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                return at;
            }
            if (marker == 0xda) {
                break;
            }
            at += 2 + ((jpeg[at + 2] & 0xff) << 8 | jpeg[at + 3] & 0xff);
        }
        throw new IllegalArgumentException("no frame header before the first scan");
    }

    public static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static byte[] truncated(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    public static Path write(Path folder, String name, byte[] bytes) {
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
