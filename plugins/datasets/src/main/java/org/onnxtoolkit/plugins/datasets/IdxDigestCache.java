package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.onnxtoolkit.api.spi.CacheFolder;

/**
 * Remembers the SHA-256 of an IDX file's decompressed content by the file's identity on disk (absolute path,
 * size, modification time and, where the file system reports it, status-change time, both in nanoseconds, and
 * file key), so that a later run that reads the same, unchanged file does not hash its 55 MB again: hashing
 * Fashion-MNIST took 0.26 s of every run's start on the project's 2-core machine (before the JIT has compiled
 * SHA-256 with the CPU's SHA instructions; 0.8 s with C1 alone). This cache remembers only the digest; the file
 * is read, decompressed and checked in full unless {@link IdxContentCache} keeps its decompressed content under
 * that digest (gzipped files only).
 *
 * <p>The status-change time ({@code ctime}, POSIX systems) is what makes a rewritten file miss even when its
 * size and modification time are put back ({@code cp --preserve}, {@code touch -d}, {@code tar} and
 * {@code rsync -t} all set the modification time; none can set the change time, which the system sets to "now"
 * at every write). What remains unseen is a rewrite with the same size in the same tick of the file-time clock
 * (a few milliseconds) as the read that was remembered: only another process writing the file while a run reads
 * it. Where the file system has no change time (Windows), a file rewritten with the same size and the same
 * modification time to the nanosecond keeps its old digest, as with git's index and make.
 *
 * <p>Entries are one small file each ({@link CacheFolder}: written to a temporary file and renamed, the least
 * recently used beyond {@value #MAX_ENTRIES} deleted); an unreadable, unwritable or damaged cache is ignored
 * (the digest is then computed as without it). Thread-safe (no mutable state; concurrent writers of one entry
 * write the same content).
 */
final class IdxDigestCache {
    /** Entries kept at most (about 130 bytes each on disk, one per IDX file path and version). */
    static final int MAX_ENTRIES = 1000;

    private final CacheFolder folder;

    /** @param dir the folder of the entries (created when first written) */
    IdxDigestCache(Path dir) {
        this.folder = new CacheFolder(dir, ".sha256", MAX_ENTRIES, Long.MAX_VALUE);
    }

    /** The cache under the datasets' default cache folder ({@code $XDG_CACHE_HOME/onnxtoolkit/datasets}). */
    static IdxDigestCache atDefaultLocation() {
        return new IdxDigestCache(ImageFolderOptions.defaultCacheDir(System.getenv("XDG_CACHE_HOME"),
                System.getProperty("user.home")).resolve("idx-digests"));
    }

    /**
     * A file's identity on disk, read before its content is (a change while it is read then makes the next
     * run's identity differ, so the digest of what was read is never remembered under the file's new identity).
     *
     * @param file the file
     * @param attributes its basic attributes, just read
     * @return the identity: path, size, modification time, change time (or "-" where there is none), file key
     */
    static String identity(Path file, BasicFileAttributes attributes) {
        Object changed;
        try {
            changed = Files.getAttribute(file, "unix:ctime");
        } catch (IOException | RuntimeException e) {
            changed = "-"; // no "unix" attribute view (Windows), or the file went away: the other fields decide
        }
        return file.toAbsolutePath().normalize() + "\n" + attributes.size() + "\n"
                + attributes.lastModifiedTime().toInstant() + "\n" + changed + "\n" + attributes.fileKey();
    }

    /**
     * @param identity the file's {@link #identity}, read before its content
     * @return the remembered digest (64 hex digits) of the file with this identity, or null
     */
    String get(String identity) {
        try {
            Path entry = entry(identity);
            if (!Files.isRegularFile(entry)) {
                return null;
            }
            String hex = Files.readString(entry, StandardCharsets.US_ASCII).strip();
            if (!hex.matches("[0-9a-f]{64}")) {
                return null;
            }
            CacheFolder.touch(entry);
            return hex;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Remembers the digest of the file with this identity; failures are ignored.
     *
     * @param identity the file's {@link #identity}, read before the content the digest was computed from
     */
    void put(String identity, String sha256Hex) {
        try {
            folder.replace(entry(identity), tmp -> Files.writeString(tmp, sha256Hex + "\n", StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            // a cache that cannot be written costs only the next run's hashing
        }
    }

    private Path entry(String identity) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return folder.entry(HexFormat.of().formatHex(h));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
