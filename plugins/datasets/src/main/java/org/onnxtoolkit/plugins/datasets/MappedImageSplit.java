package org.onnxtoolkit.plugins.datasets;

import java.util.Objects;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;

/**
 * A split that is a selection of the images in {@link MappedPixels}: image {@code i} of the split is slot
 * {@code slots[i]}, with the label of that slot. The pixels stay in the (memory-mapped) cache file; nothing is
 * copied to the heap. Safe for concurrent reads.
 */
final class MappedImageSplit implements ImageSplit {
    private final ImageShape shape;
    private final MappedPixels pixels;
    private final int[] slots;
    private final int[] labels;

    /** An unlabelled split. */
    MappedImageSplit(ImageShape shape, MappedPixels pixels, int[] slots) {
        this(shape, pixels, slots, null);
    }

    /**
     * @param slots      the slots of this split's images, in split order; at least one, each in
     *                   {@code [0, pixels.count())}
     * @param slotLabels the label of every slot ({@code pixels.count()} of them, not copied), or null when the
     *                   images have no labels
     */
    MappedImageSplit(ImageShape shape, MappedPixels pixels, int[] slots, int[] slotLabels) {
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
        if (slotLabels != null && slotLabels.length != pixels.count()) {
            throw new IllegalArgumentException(slotLabels.length + " labels for " + pixels.count() + " slots");
        }
        this.shape = shape;
        this.pixels = pixels;
        this.slots = slots.clone();
        this.labels = slotLabels;
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
    public int label(int index) {
        int slot = slots[Objects.checkIndex(index, slots.length)];
        return labels == null ? -1 : labels[slot];
    }

    @Override
    public String toString() {
        return "MappedImageSplit[" + slots.length + " x " + shape + "]";
    }
}
