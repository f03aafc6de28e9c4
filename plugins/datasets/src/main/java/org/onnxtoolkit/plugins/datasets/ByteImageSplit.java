package org.onnxtoolkit.plugins.datasets;

import java.util.Objects;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;

/**
 * An {@link ImageSplit} held in memory as unsigned bytes, {@code [N, C, H, W]} row-major. Large splits are
 * stored in several arrays of at most {@value #MAX_CHUNK_BYTES} bytes, whole images per array, so no index
 * overflows an {@code int}.
 *
 * <p>Writers fill the images once, before the split is handed out (each image from one thread; distinct
 * images may be written concurrently); after that it is only read, from any number of threads.
 */
final class ByteImageSplit implements ImageSplit {
    static final int MAX_CHUNK_BYTES = 1 << 30;

    private final ImageShape shape;
    private final int size;
    private final int imagesPerChunk;
    private final byte[][] chunks;
    /** One unsigned label per image, or null when unlabelled. */
    private final byte[] labels;

    private ByteImageSplit(ImageShape shape, int size, int imagesPerChunk, byte[][] chunks, byte[] labels) {
        if (size < 1) {
            throw new IllegalArgumentException("a split holds at least one image, got " + size);
        }
        this.shape = shape;
        this.size = size;
        this.imagesPerChunk = imagesPerChunk;
        this.chunks = chunks;
        if (labels != null && labels.length != size) {
            throw new IllegalArgumentException(labels.length + " labels for " + size + " images");
        }
        this.labels = labels;
    }

    /** A zero-filled split of {@code size} images, to be filled through {@link #chunkOf}/{@link #offsetOf}. */
    static ByteImageSplit allocate(ImageShape shape, int size) {
        int imagesPerChunk = Math.max(1, MAX_CHUNK_BYTES / shape.size());
        int chunkCount = (int) ((size + (long) imagesPerChunk - 1) / imagesPerChunk);
        byte[][] chunks = new byte[chunkCount][];
        for (int c = 0; c < chunkCount; c++) {
            int images = Math.min(imagesPerChunk, size - c * imagesPerChunk);
            chunks[c] = new byte[images * shape.size()];
        }
        return new ByteImageSplit(shape, size, imagesPerChunk, chunks, null);
    }

    /** A split over {@code pixels} ({@code [N, C, H, W]}, not copied); its length must be a multiple of the image size. */
    static ByteImageSplit wrap(ImageShape shape, byte[] pixels) {
        return wrap(shape, pixels, null);
    }

    /**
     * A labelled split over {@code pixels} ({@code [N, C, H, W]}, not copied).
     *
     * @param labels one unsigned label per image ({@code N} bytes, not copied), or null for none
     */
    static ByteImageSplit wrap(ImageShape shape, byte[] pixels, byte[] labels) {
        if (pixels.length % shape.size() != 0) {
            throw new IllegalArgumentException(pixels.length + " bytes are not a whole number of " + shape
                    + " images");
        }
        int size = pixels.length / shape.size();
        return new ByteImageSplit(shape, size, size, new byte[][] {pixels}, labels);
    }

    /** The array that holds image {@code index}. */
    byte[] chunkOf(int index) {
        return chunks[Objects.checkIndex(index, size) / imagesPerChunk];
    }

    /** Where image {@code index} starts in {@link #chunkOf(int) its array}. */
    int offsetOf(int index) {
        return (Objects.checkIndex(index, size) % imagesPerChunk) * shape.size();
    }

    @Override
    public ImageShape shape() {
        return shape;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void copyImage(int index, byte[] target, int offset) {
        System.arraycopy(chunkOf(index), offsetOf(index), target, offset, shape.size());
    }

    @Override
    public int label(int index) {
        Objects.checkIndex(index, size);
        return labels == null ? -1 : Byte.toUnsignedInt(labels[index]);
    }

    @Override
    public String toString() {
        return "ByteImageSplit[" + size + " x " + shape + "]";
    }
}
