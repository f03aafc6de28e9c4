package com.example.toolkitplugin;

import java.util.Objects;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;

/**
 * Grey images held in one array, {@code [N, 1, H, W]} row-major. Filled once before it is handed out, then
 * only read, so concurrent reads are safe.
 */
final class GreyImageSplit implements ImageSplit {
    private final ImageShape shape;
    private final byte[] pixels;

    /** {@code pixels} is not copied; its length must be a positive multiple of the image size. */
    GreyImageSplit(ImageShape shape, byte[] pixels) {
        if (shape.channels() != 1 || pixels.length == 0 || pixels.length % shape.size() != 0) {
            throw new IllegalArgumentException(pixels.length + " bytes are not a whole number of " + shape + " grey images");
        }
        this.shape = shape;
        this.pixels = pixels;
    }

    @Override
    public ImageShape shape() {
        return shape;
    }

    @Override
    public int size() {
        return pixels.length / shape.size();
    }

    @Override
    public void copyImage(int index, byte[] target, int offset) {
        Objects.checkIndex(index, size());
        System.arraycopy(pixels, index * shape.size(), target, offset, shape.size());
    }
}
