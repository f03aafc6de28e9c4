package org.onnxtoolkit.api.spi;

/**
 * The shape of one image, channels first: {@code [channels, height, width]}.
 *
 * @param channels 1 (grey) or 3 (RGB)
 * @param height   rows, {@code >= 1}
 * @param width    columns, {@code >= 1}
 */
public record ImageShape(int channels, int height, int width) {
    public ImageShape {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images must have 1 or 3 channels, got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
    }

    /** Values per image: {@code channels * height * width}. */
    public int size() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
