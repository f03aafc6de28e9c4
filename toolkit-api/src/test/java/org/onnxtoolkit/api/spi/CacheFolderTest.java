package org.onnxtoolkit.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded cache folder: entries are replaced whole, the least recently used go first once the folder holds
 * too many entries or bytes, a touched entry counts as recently used, and nothing but the folder's own entries
 * is ever deleted or written over.
 */
class CacheFolderTest {
    @TempDir
    Path dir;

    /**
     * Writes entry {@code key} with {@code bytes} bytes and a modification time {@code age} seconds ago, through
     * an unbounded folder on the same path (a bounded one trims as it writes).
     */
    private Path put(String key, int bytes, long age) throws IOException {
        CacheFolder unbounded = new CacheFolder(dir, ".bin", Integer.MAX_VALUE, Long.MAX_VALUE);
        Path entry = unbounded.entry(key);
        assertTrue(unbounded.replace(entry, tmp -> Files.write(tmp, new byte[bytes])));
        Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis() - age * 1000));
        return entry;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theLeastRecentlyUsedEntriesGoFirstBeyondTheCount() throws Exception {
        CacheFolder folder = new CacheFolder(dir, ".bin", 3, Long.MAX_VALUE);
        put("a", 1, 50);
        put("b", 1, 40);
        put("c", 1, 30);
        put("d", 1, 20);
        assertEquals(List.of("a.bin", "b.bin", "c.bin", "d.bin"), names(), "old times are set after each write");
        assertEquals(1, folder.trim());
        assertEquals(List.of("b.bin", "c.bin", "d.bin"), names());
        assertEquals(0, folder.trim(), "within bounds: nothing to do");
    }

    @Test
    void aTouchedEntryIsKept() throws Exception {
        CacheFolder folder = new CacheFolder(dir, ".bin", 2, Long.MAX_VALUE);
        Path a = put("a", 1, 50);
        put("b", 1, 40);
        CacheFolder.touch(a);
        // writing c trims at once: b is now the least recently used
        folder.replace(folder.entry("c"), tmp -> Files.write(tmp, new byte[1]));
        assertEquals(List.of("a.bin", "c.bin"), names());
    }

    @Test
    void theBytesBoundDeletesOldEntriesUntilTheRestFits() throws Exception {
        CacheFolder folder = new CacheFolder(dir, ".bin", 100, 1000);
        put("old", 600, 30);
        put("mid", 300, 20);
        put("new", 300, 10);
        assertEquals(1, folder.trim(), "1200 bytes: the oldest goes, 600 remain");
        assertEquals(List.of("mid.bin", "new.bin"), names());
    }

    @Test
    void onlyTheFoldersOwnEntriesAreDeleted() throws Exception {
        CacheFolder folder = new CacheFolder(dir, ".bin", 1, Long.MAX_VALUE);
        Files.writeString(dir.resolve("other.txt"), "another cache's file");
        Files.writeString(dir.resolve(".entry123.bin"), "a temporary file being written");
        Files.createDirectory(dir.resolve("sub.bin"));
        Path target = Files.writeString(dir.resolve("target.dat"), "x");
        Files.createSymbolicLink(dir.resolve("link.bin"), target);
        put("a", 1, 50);
        put("b", 1, 40);
        assertEquals(1, folder.trim());
        assertEquals(List.of(".entry123.bin", "b.bin", "link.bin", "other.txt", "sub.bin", "target.dat"), names());
    }

    @Test
    void aFolderOrLinkInAnEntrysPlaceIsNotWrittenOver() throws Exception {
        CacheFolder folder = new CacheFolder(dir, ".bin", 10, Long.MAX_VALUE);
        Files.createDirectory(dir.resolve("a.bin"));
        assertFalse(folder.replace(folder.entry("a"), tmp -> Files.write(tmp, new byte[1])));
        Path target = Files.writeString(dir.resolve("target.dat"), "kept");
        Files.createSymbolicLink(dir.resolve("b.bin"), target);
        assertFalse(folder.replace(folder.entry("b"), tmp -> Files.writeString(tmp, "new")));
        assertEquals("kept", Files.readString(target));
        assertEquals(List.of("a.bin", "b.bin", "target.dat"), names(), "no temporary file left");
    }

    @Test
    void aFailedWriteLeavesTheOldEntryAndNoTemporaryFile() throws Exception {
        CacheFolder folder = new CacheFolder(dir, ".bin", 10, Long.MAX_VALUE);
        Path a = folder.entry("a");
        folder.replace(a, tmp -> Files.writeString(tmp, "old"));
        IOException e = assertThrows(IOException.class, () -> folder.replace(a, tmp -> {
            Files.writeString(tmp, "half");
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(a));
        assertEquals(List.of("a.bin"), names());
    }

    @Test
    void keysCannotLeaveTheFolderOrLookLikeTemporaryFiles() {
        CacheFolder folder = new CacheFolder(dir, ".bin", 10, 10);
        for (String bad : new String[] {"", "../x", "a/b", ".hidden", "a b", "é"}) {
            assertThrows(IllegalArgumentException.class, () -> folder.entry(bad), bad);
        }
        assertEquals(dir.resolve("0f-A_z.1.bin"), folder.entry("0f-A_z.1"));
        assertThrows(IllegalArgumentException.class, () -> new CacheFolder(dir, "", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new CacheFolder(dir, ".bin", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new CacheFolder(dir, ".bin", 1, 0));
    }

    @Test
    void aMissingFolderIsNothingToTrimAndIsCreatedByTheFirstWrite() throws Exception {
        CacheFolder folder = new CacheFolder(dir.resolve("not/yet"), ".bin", 1, 1);
        assertEquals(0, folder.trim());
        CacheFolder.touch(folder.entry("a")); // ignored
        assertTrue(folder.replace(folder.entry("a"), tmp -> Files.write(tmp, new byte[1])));
        assertTrue(Files.isRegularFile(dir.resolve("not/yet/a.bin")));
    }

    @Test
    void folderEntriesAreTrimmedWholeWithoutFollowingLinks() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "not the cache's");
        Path cache = Files.createDirectories(dir.resolve("cache"));
        for (String name : new String[] {"a", "b", "c"}) {
            Path entry = Files.createDirectories(cache.resolve(name).resolve("inner"));
            Files.writeString(entry.resolve("model.onnx"), name);
            Files.createSymbolicLink(cache.resolve(name).resolve("link"), outside);
        }
        Files.setLastModifiedTime(cache.resolve("a"), FileTime.fromMillis(System.currentTimeMillis() - 30_000));
        Files.setLastModifiedTime(cache.resolve("b"), FileTime.fromMillis(System.currentTimeMillis() - 20_000));
        Files.setLastModifiedTime(cache.resolve("c"), FileTime.fromMillis(System.currentTimeMillis() - 10_000));
        Files.createDirectories(cache.resolve(".tmp-folder"));
        Files.writeString(cache.resolve("file"), "x");
        Files.createSymbolicLink(cache.resolve("linked-folder"), outside);

        assertEquals(2, CacheFolder.trimFolders(cache, 1));
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of(".tmp-folder", "c", "file", "linked-folder"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("not the cache's", Files.readString(outside.resolve("keep.txt")), "links are not followed");
        assertEquals(0, CacheFolder.trimFolders(cache, 1));
        assertEquals(0, CacheFolder.trimFolders(dir.resolve("missing"), 1));
        assertThrows(IllegalArgumentException.class, () -> CacheFolder.trimFolders(cache, 0));
    }
}
