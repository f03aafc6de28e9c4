package org.onnxtoolkit.api.spi;

/**
 * One split (train or test) of an image dataset: a fixed number of images of one shape, addressable by
 * index, stored as 8-bit intensities. Implementations may keep the pixels in memory or in a mapped file.
 *
 * <p>Implementations must be safe for concurrent reads from several threads.
 */
public interface ImageSplit {
    /** The shape of every image. */
    ImageShape shape();

    /** Number of images, {@code >= 1}. */
    int size();

    /**
     * Copies image {@code index} into {@code target[offset .. offset + shape().size())} as unsigned bytes
     * in {@code [C, H, W]} row-major order; 0 is black and 255 full intensity.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     */
    void copyImage(int index, byte[] target, int offset);

    /**
     * The class label of image {@code index}: an index into {@link DatasetSplits#classes()}, or -1 when the
     * dataset has no labels (the default).
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     */
    default int label(int index) {
        return -1;
    }
}
