package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.gzip;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.idx;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.pattern;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decompressed-content cache of gzipped IDX files: a second read of an unchanged file takes the kept content
 * (shown by planting other pixels under a valid CRC), and every damaged, truncated, foreign or misplaced entry is
 * ignored and the file inflated again; plain files and payloads above the limit are not kept.
 */
class IdxContentCacheTest {
    @TempDir
    Path dir;

    private static final int[] DIMS = {2, 3, 4};

    private IdxDigestCache digests() {
        return new IdxDigestCache(dir.resolve("digests"));
    }

    private IdxContentCache contents(long maxPayload) {
        return new IdxContentCache(dir.resolve("contents"), maxPayload);
    }

    private List<Path> entries() throws IOException {
        if (!Files.isDirectory(dir.resolve("contents"))) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir.resolve("contents"))) {
            return s.toList();
        }
    }

    /** An entry as the cache writes it, for other pixels: a valid entry with content the file does not have. */
    private static byte[] entry(byte[] idxBytes) {
        CRC32 crc = new CRC32();
        crc.update(idxBytes);
        return ByteBuffer.allocate(8 + idxBytes.length + 4).put("TKIDXC1\n".getBytes()).put(idxBytes)
                .putInt((int) crc.getValue()).array();
    }

    @Test
    void aSecondReadTakesTheKeptContent() throws Exception {
        byte[] pixels = pattern(24, 1);
        Path file = write(dir.resolve("images.gz"), gzip(idx(pixels, DIMS)));
        IdxDigestCache digests = digests();
        IdxContentCache contents = contents(IdxContentCache.DEFAULT_MAX_PAYLOAD);
        IdxFile first = IdxReader.read(file, 3, digests, contents);
        assertEquals(1, entries().size());
        Path entry = entries().get(0);
        assertEquals(first.sha256() + ".idx", entry.getFileName().toString());
        assertEquals(8 + 16 + 24 + 4, Files.size(entry));

        IdxFile again = IdxReader.read(file, 3, digests, contents);
        assertArrayEquals(pixels, again.payload());
        assertArrayEquals(DIMS, again.dimensions());
        assertEquals(first.sha256(), again.sha256());
        assertEquals(file, again.path());

        byte[] planted = pattern(24, 9);
        Files.write(entry, entry(idx(planted, DIMS)));
        assertArrayEquals(planted, IdxReader.read(file, 3, digests, contents).payload(), "a hit reads the entry");
    }

    @Test
    void damagedTruncatedOrForeignEntriesAreIgnoredAndRewritten() throws Exception {
        byte[] pixels = pattern(24, 1);
        Path file = write(dir.resolve("images.gz"), gzip(idx(pixels, DIMS)));
        IdxDigestCache digests = digests();
        IdxContentCache contents = contents(IdxContentCache.DEFAULT_MAX_PAYLOAD);
        IdxReader.read(file, 3, digests, contents);
        Path entry = entries().get(0);
        byte[] good = Files.readAllBytes(entry);

        byte[] flipped = good.clone();
        flipped[8 + 16 + 5] ^= 1; // one pixel: the CRC no longer matches
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 'X';
        byte[] otherRank = entry(idx(pattern(24, 1), 6, 4)); // valid entry, rank 2
        byte[] tooLong = ByteBuffer.allocate(good.length + 1).put(good).array();
        for (byte[] bad : List.of(flipped, wrongMagic, otherRank, tooLong,
                java.util.Arrays.copyOf(good, good.length - 1), java.util.Arrays.copyOf(good, 20), new byte[0])) {
            Files.write(entry, bad);
            assertArrayEquals(pixels, IdxReader.read(file, 3, digests, contents).payload());
            assertArrayEquals(good, Files.readAllBytes(entry), "the entry is written again");
        }
    }

    @Test
    void theFolderKeepsTheMostRecentlyReadEntriesWithinItsSize() throws Exception {
        Path a = write(dir.resolve("a.gz"), gzip(idx(pattern(24, 1), DIMS)));
        Path b = write(dir.resolve("b.gz"), gzip(idx(pattern(24, 2), DIMS)));
        Path c = write(dir.resolve("c.gz"), gzip(idx(pattern(24, 3), DIMS)));
        IdxDigestCache digests = digests();
        // room for two 52-byte entries
        IdxContentCache contents = new IdxContentCache(dir.resolve("contents"), 1000, 2 * 52);
        String shaA = IdxReader.read(a, 3, digests, contents).sha256();
        String shaB = IdxReader.read(b, 3, digests, contents).sha256();
        for (Path e : entries()) { // both written within one clock tick: make a the older one
            Files.setLastModifiedTime(e, FileTime.fromMillis(System.currentTimeMillis()
                    - (e.getFileName().toString().startsWith(shaA) ? 20_000 : 10_000)));
        }
        IdxReader.read(a, 3, digests, contents); // a hit: a becomes the most recently read
        String shaC = IdxReader.read(c, 3, digests, contents).sha256();
        assertEquals(Stream.of(shaA + ".idx", shaC + ".idx").sorted().toList(),
                entries().stream().map(p -> p.getFileName().toString()).sorted().toList(),
                "b was read least recently: " + shaB);
    }

    @Test
    void plainFilesAndLargePayloadsAreNotKept() throws Exception {
        Path plain = write(dir.resolve("images"), idx(pattern(24, 1), DIMS));
        IdxReader.read(plain, 3, digests(), contents(IdxContentCache.DEFAULT_MAX_PAYLOAD));
        assertEquals(List.of(), entries(), "a plain file is read as fast as an entry");
        Path gz = write(dir.resolve("big.gz"), gzip(idx(pattern(24, 1), DIMS)));
        IdxReader.read(gz, 3, digests(), contents(23));
        assertEquals(List.of(), entries(), "24 payload bytes are above a limit of 23");
        IdxReader.read(gz, 3, digests(), contents(24));
        assertEquals(1, entries().size());
    }

    @Test
    void aFolderInTheEntrysPlaceIsLeftAlone() throws Exception {
        byte[] pixels = pattern(24, 1);
        Path file = write(dir.resolve("images.gz"), gzip(idx(pixels, DIMS)));
        String sha = IdxReader.read(file, 3, null).sha256();
        Path folder = Files.createDirectories(dir.resolve("contents").resolve(sha + ".idx"));
        Files.writeString(folder.resolve("keep"), "x");
        IdxContentCache contents = contents(IdxContentCache.DEFAULT_MAX_PAYLOAD);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(pixels, IdxReader.read(file, 3, digests(), contents).payload());
        }
        assertTrue(Files.isDirectory(folder) && Files.exists(folder.resolve("keep")));
        try (Stream<Path> s = Files.list(dir.resolve("contents"))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void anUnwritableCacheOnlyCostsTheInflating() throws Exception {
        byte[] pixels = pattern(24, 1);
        Path file = write(dir.resolve("images.gz"), gzip(idx(pixels, DIMS)));
        Path notAFolder = Files.writeString(dir.resolve("file"), "x");
        IdxContentCache contents = new IdxContentCache(notAFolder.resolve("contents"), 1 << 20);
        assertArrayEquals(pixels, IdxReader.read(file, 3, digests(), contents).payload());
        assertArrayEquals(pixels, IdxReader.read(file, 3, digests(), contents).payload());
        assertNull(contents.get(file, "ab".repeat(32), 3));
        assertNull(contents.get(file, "../../etc/passwd", 3), "only a digest names an entry");
    }
}
