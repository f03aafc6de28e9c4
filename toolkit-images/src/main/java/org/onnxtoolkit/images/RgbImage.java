package org.onnxtoolkit.images;

/**
 * A decoded image as packed 8-bit sRGB, row-major: pixel {@code (x, y)} is {@code rgb[y * width + x]}, red in
 * bits 16-23, green in 8-15 and blue in 0-7 (the top byte is ignored). Grey images have equal components.
 *
 * @param width  columns, {@code >= 1}
 * @param height rows, {@code >= 1}
 * @param rgb    {@code width * height} pixels, not copied
 */
public record RgbImage(int width, int height, int[] rgb) {
    public RgbImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != (long) width * height) {
            throw new IllegalArgumentException(rgb.length + " pixels for a " + width + "x" + height + " image");
        }
    }
}
