package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How the IDX caches ({@link IdxDigestCache}, {@link IdxContentCache}) find their folder and replace one entry:
 * the content goes to a temporary file beside the entry, which is then renamed over it, and only where the
 * entry is absent or a regular file (a folder or link in its place is left alone). Stateless.
 */
final class CacheEntry {
    private CacheEntry() {
    }

    /** Writes an entry's content to a (temporary) file. */
    interface Content {
        void writeTo(Path file) throws IOException;
    }

    /**
     * @param name the cache's folder name
     * @return {@code name} under the datasets' default cache folder ({@code $XDG_CACHE_HOME/onnxtoolkit/datasets})
     */
    static Path defaultFolder(String name) {
        return ImageFolderOptions.defaultCacheDir(System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"))
                .resolve(name);
    }

    /**
     * Replaces {@code entry} (in {@code dir}, created if missing) by what {@code content} writes.
     *
     * @return whether the entry was written; false when something other than a regular file is in its place
     * @throws IOException if writing or renaming fails (no temporary file is left)
     */
    static boolean replace(Path dir, Path entry, Content content) throws IOException {
        if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".entry", ".tmp");
        try {
            content.writeTo(tmp);
            Files.move(tmp, entry, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
