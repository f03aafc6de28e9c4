package com.example.toolkitplugin;

/**
 * One decoded PGM image.
 *
 * @param width  columns, {@code >= 1}
 * @param height rows, {@code >= 1}
 * @param maxval the file's maximum sample value, {@code 1..255}
 * @param pixels {@code height * width} intensities, row-major, scaled to {@code [0, 255]} (0 black); the
 *               array is not copied, so callers must not modify it
 */
public record PgmImage(int width, int height, int maxval, byte[] pixels) {
    public PgmImage {
        if (pixels.length != width * height) {
            throw new IllegalArgumentException(width + "x" + height + " image with " + pixels.length + " pixels");
        }
    }
}
