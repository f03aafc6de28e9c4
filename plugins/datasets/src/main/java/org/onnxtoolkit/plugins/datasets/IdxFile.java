package org.onnxtoolkit.plugins.datasets;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The validated contents of one IDX file of unsigned bytes: its dimensions and its payload in row-major
 * order. For MNIST-style files the first dimension is the item count: images are {@code [count, rows,
 * cols]}, labels {@code [count]}.
 *
 * <p>Immutable and safe for concurrent reads. Instances come from {@link IdxReader}.
 */
public final class IdxFile {
    private final Path path;
    private final int[] dimensions;
    private final byte[] payload;
    private final String sha256;

    IdxFile(Path path, int[] dimensions, byte[] payload, String sha256) {
        this.path = path;
        this.dimensions = dimensions.clone();
        this.payload = payload;
        this.sha256 = sha256;
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** Number of dimensions (3 for images, 1 for labels). */
    public int rank() {
        return dimensions.length;
    }

    /** A copy of the dimensions, each {@code >= 1}. */
    public int[] dimensions() {
        return dimensions.clone();
    }

    /** Dimension {@code axis}, in {@code [0, rank())}. */
    public int dimension(int axis) {
        return dimensions[axis];
    }

    /** The first dimension: how many images or labels the file holds. */
    public int count() {
        return dimensions[0];
    }

    /** Bytes per item: the product of all dimensions but the first (1 for labels). */
    public int itemSize() {
        return payload.length / dimensions[0];
    }

    /** Unsigned value {@code [0, 255]} of payload byte {@code index}. */
    public int unsignedByte(int index) {
        return Byte.toUnsignedInt(payload[index]);
    }

    /**
     * Copies item {@code index} ({@link #itemSize()} bytes) into {@code target} at {@code offset}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, count())} or the target is too
     *                                   short
     */
    public void copyItem(int index, byte[] target, int offset) {
        Objects.checkIndex(index, count());
        int size = itemSize();
        System.arraycopy(payload, index * size, target, offset, size);
    }

    /** SHA-256 (lower-case hex) of the decompressed file: header and payload. */
    public String sha256() {
        return sha256;
    }

    /** The payload itself, not copied: callers in this package must not modify it. */
    byte[] payload() {
        return payload;
    }

    @Override
    public String toString() {
        return "IdxFile[" + path + ", " + Arrays.toString(dimensions) + "]";
    }
}
