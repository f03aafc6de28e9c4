package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.gzip;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.idx;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.pattern;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;

/**
 * The digest cache: a file read again unchanged takes its SHA-256 from the cache (shown by planting a different
 * digest in the entry), a changed file (content, size or time) is hashed again, also when it is rewritten in place
 * with its size and modification time put back, a damaged entry is ignored, and the file is still checked in
 * full on a cache hit.
 */
class IdxDigestCacheTest {
    @TempDir
    Path dir;

    private static final int[] DIMS = {2, 3, 4};

    private Path onlyEntry(Path cacheDir) throws IOException {
        try (Stream<Path> s = Files.list(cacheDir)) {
            List<Path> entries = s.filter(p -> p.toString().endsWith(".sha256")).toList();
            assertEquals(1, entries.size(), entries.toString());
            return entries.get(0);
        }
    }

    @Test
    void anUnchangedFileTakesItsDigestFromTheCache() throws Exception {
        Path file = write(dir.resolve("images.gz"), gzip(idx(pattern(24, 1), DIMS)));
        IdxDigestCache cache = new IdxDigestCache(dir.resolve("cache"));
        String computed = IdxReader.read(file, 3, cache).sha256();
        assertEquals(computed, IdxReader.read(file, 3, null).sha256(), "the cache does not change the digest");
        Path entry = onlyEntry(dir.resolve("cache"));
        assertEquals(computed, Files.readString(entry).strip());

        String planted = "ab".repeat(32);
        Files.writeString(entry, planted + "\n");
        assertEquals(planted, IdxReader.read(file, 3, cache).sha256(), "a hit uses the remembered digest");

        Files.writeString(entry, "not a digest");
        assertEquals(computed, IdxReader.read(file, 3, cache).sha256(), "a damaged entry is ignored");
    }

    @Test
    void aChangedFileIsHashedAgain() throws Exception {
        Path file = write(dir.resolve("images"), idx(pattern(24, 1), DIMS));
        IdxDigestCache cache = new IdxDigestCache(dir.resolve("cache"));
        String first = IdxReader.read(file, 3, cache).sha256();
        // same size, other content, other modification time
        write(file, idx(pattern(24, 2), DIMS));
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
        String second = IdxReader.read(file, 3, cache).sha256();
        assertNotEquals(first, second);
        assertEquals(second, IdxReader.read(file, 3, null).sha256());
    }

    @Test
    void aRewriteWithItsSizeAndTimePutBackIsHashedAgain() throws Exception {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("unix"),
                "the file system reports no status-change time (not a POSIX system)");
        Path file = write(dir.resolve("images"), idx(pattern(24, 1), DIMS));
        IdxDigestCache cache = new IdxDigestCache(dir.resolve("cache"));
        String first = IdxReader.read(file, 3, cache).sha256();
        // what cp --preserve, touch -d, tar and rsync -t leave: other content, same inode, size and mtime
        FileTime time = Files.getLastModifiedTime(file);
        Thread.sleep(50); // file times come from a clock that ticks every few milliseconds

        write(file, idx(pattern(24, 2), DIMS));
        Files.setLastModifiedTime(file, time);
        String second = IdxReader.read(file, 3, cache).sha256();
        assertNotEquals(first, second, "the change time differs, so the old digest is not taken");
        assertEquals(second, IdxReader.read(file, 3, null).sha256());
    }

    @Test
    void aHitStillChecksTheWholeFile() throws Exception {
        Path file = write(dir.resolve("images"), idx(pattern(24, 1), DIMS));
        IdxDigestCache cache = new IdxDigestCache(dir.resolve("cache"));
        String valid = IdxReader.read(file, 3, cache).sha256();
        // damage the file in place, then remember the valid file's digest for the damaged file as it is now
        byte[] damaged = Files.readAllBytes(file);
        damaged[2] = 0x0D; // a float type code
        Files.write(file, damaged);
        cache.put(IdxDigestCache.identity(file, Files.readAttributes(file, BasicFileAttributes.class)), valid);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(file, 3, cache));
        assertEquals(true, e.getMessage().contains("unsupported type code"), e.getMessage());
    }

    @Test
    void anUnwritableCacheIsIgnored() throws Exception {
        Path file = write(dir.resolve("images"), idx(pattern(24, 1), DIMS));
        Path notAFolder = Files.writeString(dir.resolve("file"), "x");
        IdxDigestCache cache = new IdxDigestCache(notAFolder.resolve("cache"));
        assertEquals(IdxReader.read(file, 3, null).sha256(), IdxReader.read(file, 3, cache).sha256());
    }

    @Test
    void aFolderInTheEntrysPlaceIsLeftAlone() throws Exception {
        Path file = write(dir.resolve("images"), idx(pattern(24, 1), DIMS));
        IdxDigestCache cache = new IdxDigestCache(dir.resolve("cache"));
        String computed = IdxReader.read(file, 3, cache).sha256();
        Path entry = onlyEntry(dir.resolve("cache"));
        Files.delete(entry);
        Files.createDirectory(entry); // empty: a rename would replace it
        assertEquals(computed, IdxReader.read(file, 3, cache).sha256());
        assertEquals(true, Files.isDirectory(entry), "the folder stays");
        try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
            assertEquals(List.of(entry), s.toList(), "no temporary file left");
        }
    }
}
