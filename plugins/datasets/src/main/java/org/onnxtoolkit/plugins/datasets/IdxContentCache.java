package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.onnxtoolkit.api.spi.CacheFolder;

/**
 * Keeps the decompressed content of gzipped IDX files, by the content's SHA-256, so that a later run reads it
 * instead of inflating it again: inflating Fashion-MNIST's four files took 0.22-0.28 s of every
 * {@code train}'s start on the project's 2-core machine, reading the kept copy (55 MB, mapped from the page
 * cache, checked and copied) 0.07 s. torchvision keeps MNIST decompressed on disk for the same reason.
 *
 * <p>An entry is {@code <sha256>.idx}: the 8 bytes {@code TKIDXC1\n}, the IDX file's decompressed bytes (header
 * and payload), and the CRC-32 of those bytes (4 bytes, big-endian; zlib's CRC-32, which runs at full speed before
 * the JIT has compiled anything, where {@code CRC32C} took 0.19 s for 47 MB). The key is the digest that
 * {@link IdxDigestCache} remembers for the file as it is on disk (path, size, modification and change times,
 * file key), so a changed file is a new key. An entry whose length, header or CRC does not match is ignored (and
 * replaced once the file has been read again); a folder or link in an entry's place is never replaced. Entries
 * are written to a temporary file and renamed, and the folder is kept to {@value #DEFAULT_MAX_BYTES} bytes by
 * deleting the least recently read entries ({@link CacheFolder}; Fashion-MNIST's four files take 55 MB, MNIST's
 * as much). Payloads above {@link #DEFAULT_MAX_PAYLOAD} are not kept, nor anything when the cache's disk has
 * less than {@link #MIN_FREE_BYTES} free beside the entry. An unreadable or unwritable cache only costs the
 * inflating. Thread-safe (no mutable state; concurrent writers of one entry write the same content).
 */
final class IdxContentCache {
    /** Entries hold at most this many payload bytes (256 MiB; Fashion-MNIST's largest file has 47 MB). */
    static final long DEFAULT_MAX_PAYLOAD = 256L << 20;

    /** The folder's entries hold at most this many bytes in all (1 GiB); the least recently read go first. */
    static final long DEFAULT_MAX_BYTES = 1L << 30;

    /** Free bytes an entry must leave on the cache's disk (1 GiB). */
    static final long MIN_FREE_BYTES = 1L << 30;

    private static final byte[] MAGIC = "TKIDXC1\n".getBytes(StandardCharsets.US_ASCII);

    private final CacheFolder folder;
    private final long maxPayload;

    /**
     * @param dir the folder of the entries (created when first written)
     * @param maxPayload the largest payload kept, in bytes
     * @param maxBytes the most bytes the folder's entries hold in all
     */
    IdxContentCache(Path dir, long maxPayload, long maxBytes) {
        this.folder = new CacheFolder(dir, ".idx", Integer.MAX_VALUE, maxBytes);
        this.maxPayload = maxPayload;
    }

    /** @param maxPayload the largest payload kept, in bytes; the folder holds {@value #DEFAULT_MAX_BYTES} bytes */
    IdxContentCache(Path dir, long maxPayload) {
        this(dir, maxPayload, DEFAULT_MAX_BYTES);
    }

    /** The cache under the datasets' default cache folder ({@code $XDG_CACHE_HOME/onnxtoolkit/datasets}). */
    static IdxContentCache atDefaultLocation() {
        return new IdxContentCache(ImageFolderOptions.defaultCacheDir(System.getenv("XDG_CACHE_HOME"),
                System.getProperty("user.home")).resolve("idx-content"), DEFAULT_MAX_PAYLOAD);
    }

    /**
     * @param file the IDX file the content is for (kept in the result as its path)
     * @param sha256 the digest of its decompressed content, 64 hex digits
     * @param expectedRank the rank the caller reads the file as
     * @return the kept content, or null when there is no whole, matching entry
     */
    IdxFile get(Path file, String sha256, int expectedRank) {
        Path entry = entry(sha256);
        if (entry == null || !Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (FileChannel in = FileChannel.open(entry, StandardOpenOption.READ)) {
            long size = in.size();
            int headerLength = 4 + 4 * expectedRank;
            if (size < MAGIC.length + headerLength + 4L || size > MAGIC.length + headerLength + maxPayload + 4L) {
                return null;
            }
            // Mapped, then copied in bulk: reading 47 MB through the channel into a heap buffer took 0.33 s in
            // a fresh JVM (a direct buffer of the same size, then a copy), the mapping a small part of that.
            MappedByteBuffer map = in.map(FileChannel.MapMode.READ_ONLY, 0, size);
            byte[] magic = new byte[MAGIC.length];
            map.get(magic);
            if (!Arrays.equals(magic, MAGIC) || map.get() != 0 || map.get() != 0
                    || map.get() != IdxReader.UNSIGNED_BYTE || map.get() != expectedRank) {
                return null;
            }
            int[] dims = new int[expectedRank];
            long payloadLength = 1;
            for (int i = 0; i < expectedRank; i++) {
                dims[i] = map.getInt();
                if (dims[i] <= 0) {
                    return null;
                }
                payloadLength *= dims[i];
                if (payloadLength > maxPayload) {
                    return null;
                }
            }
            if (size != MAGIC.length + headerLength + payloadLength + 4) {
                return null;
            }
            CRC32 crc = new CRC32();
            crc.update(map.slice(MAGIC.length, (int) (headerLength + payloadLength)));
            if ((int) crc.getValue() != map.getInt((int) (size - 4))) {
                return null;
            }
            byte[] payload = new byte[(int) payloadLength];
            map.get(payload);
            CacheFolder.touch(entry);
            return new IdxFile(file, dims, payload, sha256);
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: the JVM's report of a mapped file cut short under it (entries are only ever
            // replaced by renaming, so only someone else truncating one in place causes it)
            return null;
        }
    }

    /** Keeps the content of a file just read (its digest is the key); failures are ignored. */
    void put(IdxFile read) {
        byte[] payload = read.payload();
        Path entry = entry(read.sha256());
        if (entry == null || payload.length > maxPayload) {
            return;
        }
        try {
            Files.createDirectories(folder.dir());
            if (Files.getFileStore(folder.dir()).getUsableSpace() < payload.length + MIN_FREE_BYTES) {
                return;
            }
            int rank = read.rank();
            ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 4 + 4 * rank);
            header.put(MAGIC).put((byte) 0).put((byte) 0).put((byte) IdxReader.UNSIGNED_BYTE).put((byte) rank);
            for (int i = 0; i < rank; i++) {
                header.putInt(read.dimension(i));
            }
            CRC32 crc = new CRC32();
            crc.update(header.array(), MAGIC.length, header.capacity() - MAGIC.length);
            crc.update(payload);
            ByteBuffer trailer = ByteBuffer.allocate(4).putInt(0, (int) crc.getValue());
            header.flip();
            folder.replace(entry, tmp -> {
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    writeFully(out, header);
                    writeFully(out, ByteBuffer.wrap(payload));
                    writeFully(out, trailer);
                }
            });
        } catch (IOException | RuntimeException e) {
            // a cache that cannot be written costs only the next run's inflating
        }
    }

    /** @return the entry for a digest, or null when the text is not 64 lower-case hex digits */
    private Path entry(String sha256) {
        return sha256 != null && sha256.matches("[0-9a-f]{64}") ? folder.entry(sha256) : null;
    }

    private static void writeFully(FileChannel out, ByteBuffer from) throws IOException {
        while (from.hasRemaining()) {
            out.write(from);
        }
    }
}
