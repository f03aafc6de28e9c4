package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Remembers the SHA-256 of an IDX file's decompressed content by the file's identity on disk (absolute path,
 * size, modification time in nanoseconds, file key), so that a later run that reads the same, unchanged file
 * does not hash its 55 MB again: hashing Fashion-MNIST took 0.26 s of every run's start on the project's 2-core
 * machine (before the JIT has compiled SHA-256 with the CPU's SHA instructions; 0.8 s with C1 alone). This
 * cache remembers only the digest; the file is read, decompressed and checked in full unless
 * {@link IdxContentCache} keeps its decompressed content under that digest (gzipped files only).
 *
 * <p>As with git's index and make, a file rewritten with the same size and the same modification time (to the
 * nanosecond, e.g. {@code cp --preserve} of different content) keeps its old digest; the toolkit's data
 * fingerprint would then miss that change. Entries are one small file each, written to a temporary file and
 * renamed ({@link CacheEntry}); an unreadable, unwritable or damaged cache is ignored (the digest is then computed as without it).
 * Thread-safe (no mutable state; concurrent writers of one entry write the same content).
 */
final class IdxDigestCache {
    private final Path dir;

    /** @param dir the folder of the entries (created when first written) */
    IdxDigestCache(Path dir) {
        this.dir = dir;
    }

    /** The cache under the datasets' default cache folder ({@code $XDG_CACHE_HOME/onnxtoolkit/datasets}). */
    static IdxDigestCache atDefaultLocation() {
        return new IdxDigestCache(CacheEntry.defaultFolder("idx-digests"));
    }

    /** @return the remembered digest (64 hex digits) of this file as it is now, or null */
    String get(Path file, BasicFileAttributes attributes) {
        try {
            Path entry = entry(file, attributes);
            if (!Files.isRegularFile(entry)) {
                return null;
            }
            String hex = Files.readString(entry, StandardCharsets.US_ASCII).strip();
            return hex.matches("[0-9a-f]{64}") ? hex : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Remembers the digest of this file as it was when read; failures are ignored. */
    void put(Path file, BasicFileAttributes attributes, String sha256Hex) {
        try {
            CacheEntry.replace(dir, entry(file, attributes),
                    tmp -> Files.writeString(tmp, sha256Hex + "\n", StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            // a cache that cannot be written costs only the next run's hashing
        }
    }

    private Path entry(Path file, BasicFileAttributes a) {
        String key = file.toAbsolutePath().normalize() + "\n" + a.size() + "\n"
                + a.lastModifiedTime().toInstant() + "\n" + a.fileKey();
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h) + ".sha256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
