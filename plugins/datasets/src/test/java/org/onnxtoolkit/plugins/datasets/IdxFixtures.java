package org.onnxtoolkit.plugins.datasets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes tiny IDX files for tests. */
final class IdxFixtures {
    private IdxFixtures() {
    }

    /** The header: two zero bytes, the type code, the rank, then each dimension as a big-endian int. */
    static byte[] header(int type, int... dims) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length);
        buffer.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            buffer.putInt(d);
        }
        return buffer.array();
    }

    /** A well-formed unsigned-byte IDX file with the given dimensions and payload. */
    static byte[] idx(byte[] payload, int... dims) {
        return concat(header(IdxReader.UNSIGNED_BYTE, dims), payload);
    }

    /** {@code n} bytes with a recognisable pattern. */
    static byte[] pattern(int n, int salt) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) (i * 31 + salt * 17);
        }
        return bytes;
    }

    /** {@code n} labels 0-9 with a recognisable pattern. */
    static byte[] digits(int n, int salt) {
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) ((i * 3 + salt) % 10);
        }
        return labels;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the four MNIST-style files into {@code dir}: {@code trainCount} and {@code testCount} images of
     * {@code rows x cols} with matching label files, gzipped where {@code gzipped} says so (per file, in
     * {@link IdxImageDataset#FILE_NAMES} order).
     */
    static void writeDataset(Path dir, int trainCount, int testCount, int rows, int cols, boolean... gzipped) {
        int[] counts = {trainCount, trainCount, testCount, testCount};
        for (int f = 0; f < 4; f++) {
            boolean images = f % 2 == 0;
            byte[] content = images
                    ? idx(pattern(counts[f] * rows * cols, f), counts[f], rows, cols)
                    : idx(digits(counts[f], f), counts[f]);
            boolean gz = f < gzipped.length && gzipped[f];
            String name = IdxImageDataset.FILE_NAMES.get(f);
            write(dir.resolve(gz ? name + ".gz" : name), gz ? gzip(content) : content);
        }
    }
}
