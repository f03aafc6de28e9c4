package org.onnxtoolkit.plugins.datasets;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Fixed-size images stored back to back in read-only buffers (usually memory-mapped parts of a cache file),
 * addressed by slot. Each buffer holds {@code imagesPerChunk} whole images (the last one possibly fewer), so
 * a file of any size is covered by mappings of at most {@link ImageCacheFile#MAX_MAPPING_BYTES} bytes.
 *
 * <p>Reads use absolute positions only and never change a buffer's state: safe from any number of threads.
 */
final class MappedPixels {
    private final ByteBuffer[] chunks;
    private final int imagesPerChunk;
    private final int imageSize;
    private final int count;

    MappedPixels(ByteBuffer[] chunks, int imagesPerChunk, int imageSize, int count) {
        if (imagesPerChunk < 1 || imageSize < 1 || count < 0
                || chunks.length != (count + (long) imagesPerChunk - 1) / imagesPerChunk) {
            throw new IllegalArgumentException(chunks.length + " chunks of " + imagesPerChunk + " images cannot hold "
                    + count + " images");
        }
        this.chunks = chunks.clone();
        this.imagesPerChunk = imagesPerChunk;
        this.imageSize = imageSize;
        this.count = count;
    }

    /** Number of slots. */
    int count() {
        return count;
    }

    /** Bytes per image. */
    int imageSize() {
        return imageSize;
    }

    /** Copies the image in {@code slot} to {@code target[offset .. offset + imageSize())}. */
    void copy(int slot, byte[] target, int offset) {
        Objects.checkIndex(slot, count);
        Objects.checkFromIndexSize(offset, imageSize, target.length);
        chunks[slot / imagesPerChunk].get((slot % imagesPerChunk) * imageSize, target, offset, imageSize);
    }
}
