package org.onnxtoolkit.api.spi;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A folder of cache entries that stays within a size: one regular file per entry, named {@code <key><suffix>},
 * replaced whole (written to a temporary file beside it, then renamed over it), and trimmed least recently
 * used first once it holds more than {@code maxEntries} entries or {@code maxBytes} bytes. "Used" is the
 * entry's modification time: writing an entry sets it, and a reader marks a hit with {@link #touch}. For
 * plugins that keep caches under {@link ToolkitContext#cacheDirectory()}; the toolkit's own caches (the IDX
 * digests and contents, the plugin scans) are kept this way, and {@link #trimFolders} keeps a cache of
 * folders (the compiled training artifacts) to a count.
 *
 * <p>Only regular files ending in the suffix count and are ever deleted: anything else in the folder (a
 * sub-folder, a link, another cache's files, a temporary file being written) is left alone, and nothing is
 * written over a folder or link in an entry's place. Failures to touch or trim are ignored (a cache that
 * cannot be kept small is still a cache); failures to write are reported to the caller, who usually ignores
 * them too.
 *
 * <p>Thread-safe and safe across processes in the way a cache needs: entries are only ever replaced by rename
 * or deleted, never rewritten in place, so a reader sees a whole old entry, a whole new one, or none (on POSIX
 * systems an entry deleted while a reader has it open or mapped stays readable to that reader). Two processes
 * trimming at once may both try to delete an entry; the second one's failure is ignored.
 */
public final class CacheFolder {
    private final Path dir;
    private final String suffix;
    private final int maxEntries;
    private final long maxBytes;

    /** Writes an entry's content to a (temporary) file. */
    @FunctionalInterface
    public interface Content {
        /** @param file an empty regular file to write the entry's content into */
        void writeTo(Path file) throws IOException;
    }

    /**
     * @param dir the folder (created when the first entry is written)
     * @param suffix the entries' file-name ending, for example {@code ".idx"}; not empty
     * @param maxEntries how many entries to keep at most, at least 1
     * @param maxBytes how many bytes of entries to keep at most, at least 1 (an entry larger than this is
     *     deleted by the next trim, so a caller should not write one)
     */
    public CacheFolder(Path dir, String suffix, int maxEntries, long maxBytes) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.suffix = Objects.requireNonNull(suffix, "suffix");
        if (suffix.isEmpty() || suffix.contains("/")) {
            throw new IllegalArgumentException("suffix must be a non-empty file-name ending but was \"" + suffix + "\"");
        }
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxEntries and maxBytes must be at least 1 but were " + maxEntries
                    + " and " + maxBytes);
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** @return the folder */
    public Path dir() {
        return dir;
    }

    /**
     * @param key the entry's name without the suffix: letters, digits, {@code -}, {@code _} and {@code .}, not
     *     starting with a dot (temporary files do)
     * @return the entry's path (which may not exist)
     * @throws IllegalArgumentException if the key has other characters
     */
    public Path entry(String key) {
        if (key == null || key.isEmpty() || key.charAt(0) == '.' || !key.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a cache key is letters, digits, '-', '_' and '.', not starting with"
                    + " '.', but was \"" + key + "\"");
        }
        return dir.resolve(key + suffix);
    }

    /**
     * Replaces the entry by what {@code content} writes, then trims the folder.
     *
     * @param entry an entry of this folder ({@link #entry})
     * @return whether the entry was written; false when something other than a regular file is in its place
     * @throws IOException if writing or renaming fails (no temporary file is left)
     */
    public boolean replace(Path entry, Content content) throws IOException {
        if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".entry", ".tmp");
        try {
            content.writeTo(tmp);
            Files.move(tmp, entry, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        trim();
        return true;
    }

    /**
     * Marks an entry, a file or a folder, as just used (its modification time becomes now), so that trimming
     * ({@link #trim}, {@link #trimFolders}) keeps it longer. Failures are ignored.
     */
    public static void touch(Path entry) {
        try {
            Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
        } catch (IOException | RuntimeException e) {
            // an entry that cannot be touched is only trimmed earlier
        }
    }

    /**
     * For caches whose entries are folders (one sub-folder per key, written elsewhere and moved into place):
     * deletes the least recently used sub-folders, by their modification time, until at most
     * {@code maxEntries} remain. Only sub-folders whose names do not start with a dot count (temporary folders
     * do); links and files are left alone, and a deleted folder's content is deleted without following links.
     * A reader marks a hit with {@link #touch}. Failures are ignored.
     *
     * @param dir the cache's folder (may not exist)
     * @param maxEntries how many sub-folders to keep at most, at least 1
     * @return how many sub-folders were deleted
     */
    public static int trimFolders(Path dir, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1 but was " + maxEntries);
        }
        return trim(dir, "*", true, maxEntries, Long.MAX_VALUE);
    }

    /** Deletes a folder and what it holds; links inside are deleted, not followed. */
    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Deletes the least recently used entries until at most {@code maxEntries} entries of at most
     * {@code maxBytes} bytes in all remain. Failures are ignored.
     *
     * @return how many entries were deleted
     */
    public int trim() {
        return trim(dir, "*" + suffix, false, maxEntries, maxBytes);
    }

    /**
     * Deletes the least recently modified entries of {@code dir} matching {@code glob} (regular files, or
     * sub-folders when {@code folders}; names starting with a dot and links never count) until at most
     * {@code maxEntries} entries of at most {@code maxBytes} bytes remain (a folder counts as 0 bytes).
     */
    private static int trim(Path dir, String glob, boolean folders, int maxEntries, long maxBytes) {
        record Seen(Path path, long bytes, FileTime used) {
        }
        List<Seen> entries = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, glob)) {
            for (Path p : children) {
                if (p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (folders ? a.isDirectory() : a.isRegularFile()) {
                        long bytes = folders ? 0 : a.size();
                        entries.add(new Seen(p, bytes, a.lastModifiedTime()));
                        total += bytes;
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile (another process trimmed it)
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        entries.sort(Comparator.comparing(Seen::used).thenComparing(s -> s.path().getFileName().toString()));
        int deleted = 0;
        int left = entries.size();
        for (Seen s : entries) {
            if (left <= maxEntries && total <= maxBytes) {
                break;
            }
            try {
                if (folders) {
                    deleteTree(s.path());
                    deleted++;
                } else if (Files.deleteIfExists(s.path())) {
                    deleted++;
                }
            } catch (IOException | RuntimeException e) {
                // still counted as gone: another process may have deleted it, or it stays until next time
            }
            left--;
            total -= s.bytes();
        }
        return deleted;
    }
}
