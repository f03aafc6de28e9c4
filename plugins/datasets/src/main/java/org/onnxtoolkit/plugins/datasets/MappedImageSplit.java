package org.onnxtoolkit.plugins.datasets;

import java.util.Objects;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;

/**
 * A split that is a selection of the images in {@link MappedPixels}: image {@code i} of the split is slot
 * {@code slots[i]}. The pixels stay in the (memory-mapped) cache file; nothing is copied to the heap.
 * Safe for concurrent reads.
 */
final class MappedImageSplit implements ImageSplit {
    private final ImageShape shape;
    private final MappedPixels pixels;
    private final int[] slots;

    /**
     * @param slots the slots of this split's images, in split order; at least one, each in
     *              {@code [0, pixels.count())}
     */
    MappedImageSplit(ImageShape shape, MappedPixels pixels, int[] slots) {
        if (shape.size() != pixels.imageSize()) {
            throw new IllegalArgumentException(shape + " images have " + shape.size() + " bytes, the pixels "
                    + pixels.imageSize());
        }
        if (slots.length < 1) {
            throw new IllegalArgumentException("a split holds at least one image");
        }
        for (int slot : slots) {
            Objects.checkIndex(slot, pixels.count());
        }
        this.shape = shape;
        this.pixels = pixels;
        this.slots = slots.clone();
    }

    @Override
    public ImageShape shape() {
        return shape;
    }

    @Override
    public int size() {
        return slots.length;
    }

    @Override
    public void copyImage(int index, byte[] target, int offset) {
        pixels.copy(slots[Objects.checkIndex(index, slots.length)], target, offset);
    }

    @Override
    public String toString() {
        return "MappedImageSplit[" + slots.length + " x " + shape + "]";
    }
}
