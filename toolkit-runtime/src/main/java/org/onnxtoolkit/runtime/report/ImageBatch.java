package org.onnxtoolkit.runtime.report;

import java.util.Objects;

/**
 * A batch of images in {@code [N, C, H, W]} layout (the layout of our decoders' output), quantised to 8 bits
 * per sample on construction. {@code C} is 1 (grey) or 3 (RGB, channel order R, G, B).
 *
 * <p>The batch copies its input, so the caller may reuse its array. Immutable and thread-safe.
 */
public final class ImageBatch {
    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    /** Samples 0..255 as unsigned bytes, {@code [N, C, H, W]}. */
    private final byte[] samples;

    private ImageBatch(int count, int channels, int height, int width, byte[] samples) {
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.samples = samples;
    }

    /**
     * Images with float samples in {@code [0, 1]}, as a sigmoid decoder produces them. A sample {@code v} becomes
     * {@code round(clamp(v, 0, 1) * 255)}; values outside {@code [0, 1]} are clamped and NaN becomes 0 (black),
     * so a diverged model still gives a picture rather than an exception.
     *
     * @param pixels   {@code [count, channels, height, width]}, row-major; length must be the product
     * @param count    number of images, at least 1
     * @param channels 1 (grey) or 3 (RGB)
     * @param height   image height in pixels, at least 1
     * @param width    image width in pixels, at least 1
     * @throws IllegalArgumentException if the shape is invalid or does not match {@code pixels.length}
     */
    public static ImageBatch ofFloats(float[] pixels, int count, int channels, int height, int width) {
        Objects.requireNonNull(pixels, "pixels");
        checkShape(pixels.length, count, channels, height, width);
        byte[] samples = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            samples[i] = (byte) quantise(pixels[i]);
        }
        return new ImageBatch(count, channels, height, width, samples);
    }

    /**
     * Images with unsigned 8-bit samples (0..255 stored in Java's signed {@code byte}), as IDX files and image
     * folders give them.
     *
     * @param pixels {@code [count, channels, height, width]}, row-major; length must be the product
     * @throws IllegalArgumentException if the shape is invalid or does not match {@code pixels.length}
     * @see #ofFloats(float[], int, int, int, int) for the other parameters
     */
    public static ImageBatch ofUint8(byte[] pixels, int count, int channels, int height, int width) {
        Objects.requireNonNull(pixels, "pixels");
        checkShape(pixels.length, count, channels, height, width);
        return new ImageBatch(count, channels, height, width, pixels.clone());
    }

    /** Number of images {@code N}. */
    public int count() {
        return count;
    }

    /** Channels per image {@code C}: 1 or 3. */
    public int channels() {
        return channels;
    }

    /** Image height {@code H} in pixels. */
    public int height() {
        return height;
    }

    /** Image width {@code W} in pixels. */
    public int width() {
        return width;
    }

    /** Shape as {@code [N, C, H, W]} for messages. */
    String shapeString() {
        return "[" + count + ", " + channels + ", " + height + ", " + width + "]";
    }

    boolean sameShapeAs(ImageBatch other) {
        return count == other.count && channels == other.channels && height == other.height
                && width == other.width;
    }

    /** The pixel at ({@code x}, {@code y}) of image {@code image} as opaque {@code 0xRRGGBB}; grey gives R = G = B. */
    int rgb(int image, int y, int x) {
        int plane = height * width;
        int base = image * channels * plane + y * width + x;
        if (channels == 1) {
            int g = samples[base] & 0xFF;
            return (g << 16) | (g << 8) | g;
        }
        int r = samples[base] & 0xFF;
        int g = samples[base + plane] & 0xFF;
        int b = samples[base + 2 * plane] & 0xFF;
        return (r << 16) | (g << 8) | b;
    }

    /** Copies image {@code image} of this batch into image {@code slot} of {@code dest} (same C, H, W). */
    void copyImageTo(int image, byte[] dest, int slot) {
        int size = channels * height * width;
        System.arraycopy(samples, image * size, dest, slot * size, size);
    }

    static ImageBatch wrap(byte[] samples, int count, int channels, int height, int width) {
        checkShape(samples.length, count, channels, height, width);
        return new ImageBatch(count, channels, height, width, samples);
    }

    private static int quantise(float v) {
        if (!(v > 0f)) { // also NaN
            return 0;
        }
        if (v >= 1f) {
            return 255;
        }
        return Math.round(v * 255f);
    }

    private static void checkShape(int length, int count, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(
                    "unsupported channel count " + channels + ": expected 1 (grey) or 3 (RGB)");
        }
        if (count < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image batch shape [N, C, H, W] = [" + count + ", " + channels
                    + ", " + height + ", " + width + "] must have N, H and W at least 1");
        }
        long expected = (long) count * channels * height * width;
        if (expected != length) {
            throw new IllegalArgumentException("pixel array has " + length + " values but shape [N, C, H, W] = ["
                    + count + ", " + channels + ", " + height + ", " + width + "] needs " + expected);
        }
    }
}
