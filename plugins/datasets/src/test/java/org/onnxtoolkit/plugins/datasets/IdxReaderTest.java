package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.concat;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.gzip;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.header;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.idx;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.pattern;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.write;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.images.ImageFixtures;

class IdxReaderTest {
    @TempDir
    Path dir;

    private static final int[] DIMS = {2, 3, 4};
    private static final byte[] PAYLOAD = pattern(24, 1);

    /** Reading {@code file} fails with a one-line message naming it and containing every fragment. */
    private static DatasetException assertRejected(Path file, int rank, String... fragments) {
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(file, rank));
        assertMessage(e, file.toString());
        assertMessage(e, fragments);
        return e;
    }

    private static void assertMessage(Exception e, String... fragments) {
        String message = e.getMessage();
        assertFalse(message.contains("\n"), () -> "message must be one line: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "expected '" + fragment + "' in: " + message);
        }
    }

    @Test
    void readsPlainImages() throws Exception {
        byte[] content = idx(PAYLOAD, DIMS);
        Path file = write(dir.resolve("images"), content);

        IdxFile read = IdxReader.readImages(file);

        assertEquals(file, read.path());
        assertArrayEquals(DIMS, read.dimensions());
        assertEquals(3, read.rank());
        assertEquals(2, read.count());
        assertEquals(12, read.itemSize());
        byte[] second = new byte[14];
        read.copyItem(1, second, 2);
        assertArrayEquals(Arrays.copyOfRange(PAYLOAD, 12, 24), Arrays.copyOfRange(second, 2, 14));
        assertEquals(Byte.toUnsignedInt(PAYLOAD[23]), read.unsignedByte(23));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), read.sha256());
        assertThrows(IndexOutOfBoundsException.class, () -> read.copyItem(2, second, 0));
    }

    @Test
    void readsGzippedImagesByContentNotName() throws Exception {
        byte[] content = idx(PAYLOAD, DIMS);
        IdxFile plain = IdxReader.readImages(write(dir.resolve("plain"), content));
        // A gzipped file without .gz, and a plain file with .gz: the content decides.
        IdxFile gzipped = IdxReader.readImages(write(dir.resolve("gzipped-no-suffix"), gzip(content)));
        IdxFile misnamed = IdxReader.readImages(write(dir.resolve("plain.gz"), content));

        assertArrayEquals(PAYLOAD, gzipped.payload());
        assertArrayEquals(DIMS, gzipped.dimensions());
        assertArrayEquals(PAYLOAD, misnamed.payload());
        assertEquals(plain.sha256(), gzipped.sha256(), "the hash is over the decompressed content");
    }

    @Test
    void readsLabels() throws Exception {
        IdxFile labels = IdxReader.readLabels(write(dir.resolve("labels.gz"), gzip(idx(new byte[] {7, 2, 1}, 3))));

        assertEquals(3, labels.count());
        assertEquals(1, labels.itemSize());
        assertEquals(2, labels.unsignedByte(1));
    }

    @Test
    void rejectsBadMagic() {
        byte[] content = idx(PAYLOAD, DIMS);
        content[0] = 0x12;
        content[1] = 0x34;
        assertRejected(write(dir.resolve("bad-magic"), content), 3, "bad magic number", "two zero bytes",
                "found 0x12340803");
    }

    @Test
    void rejectsWrongTypeCode() {
        Path file = write(dir.resolve("floats"), concat(header(0x0D, DIMS), new byte[24 * 4]));
        assertRejected(file, 3, "unsupported type code 0x0d", "32-bit float", "expected 0x08 (unsigned byte)");
        assertRejected(write(dir.resolve("garbage-type"), concat(header(0x42, DIMS), PAYLOAD)), 3,
                "type code 0x42", "not an IDX type");
    }

    @Test
    void rejectsWrongRank() {
        Path twoDims = write(dir.resolve("rank2"), idx(PAYLOAD, 6, 4));
        assertRejected(twoDims, 3, "wrong rank", "expected 3 dimensions (images [count, rows, cols])", "found 2");

        Path images = write(dir.resolve("images-as-labels"), idx(PAYLOAD, DIMS));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(images));
        assertMessage(e, images.toString(), "expected 1 dimension (labels [count])", "found 3");
    }

    @Test
    void rejectsZeroDimension() {
        assertRejected(write(dir.resolve("zero"), idx(new byte[0], 2, 0, 4)), 3, "dimension 1 of [2, 0, 4]",
                "must be in [1, ", "found 0");
        assertRejected(write(dir.resolve("zero-count"), idx(new byte[0], 0)), 1, "dimension 0 of [0]", "found 0");
    }

    @Test
    void rejectsDimensionsBeyondJavaArrays() {
        // 0xFFFFFFFF reads as 4294967295, not -1.
        assertRejected(write(dir.resolve("huge-dim"), idx(new byte[0], 1, -1, 1)), 3, "found 4294967295");
        assertRejected(write(dir.resolve("huge-product"), idx(new byte[0], 65536, 65536, 1)), 3,
                "describe more than", "bytes");
    }

    @Test
    void rejectsTruncatedPayload() {
        Path file = write(dir.resolve("short"), idx(Arrays.copyOf(PAYLOAD, 20), DIMS));
        assertRejected(file, 3, "payload truncated", "expected 24 bytes for dimensions [2, 3, 4]", "found 20");
        Path gz = write(dir.resolve("short.gz"), gzip(idx(Arrays.copyOf(PAYLOAD, 20), DIMS)));
        assertRejected(gz, 3, "payload truncated", "found 20");
    }

    @Test
    void rejectsTrailingBytes() {
        Path file = write(dir.resolve("long"), idx(Arrays.copyOf(PAYLOAD, 27), DIMS));
        assertRejected(file, 3, "3 unexpected trailing bytes", "expected exactly 24 payload bytes", "found 27");
        Path gz = write(dir.resolve("long.gz"), gzip(idx(Arrays.copyOf(PAYLOAD, 25), DIMS)));
        assertRejected(gz, 3, "1 unexpected trailing bytes", "found 25");
    }

    @Test
    void rejectsTruncatedHeader() {
        assertRejected(write(dir.resolve("empty"), new byte[0]), 3, "header truncated",
                "expected a 4-byte magic number", "found 0 bytes");
        assertRejected(write(dir.resolve("three-bytes"), new byte[] {0, 0, 8}), 3, "header truncated",
                "found 3 bytes");
        byte[] cut = Arrays.copyOf(header(IdxReader.UNSIGNED_BYTE, DIMS), 10);
        assertRejected(write(dir.resolve("cut-dims"), cut), 3, "header truncated",
                "expected 3 dimension sizes (12 bytes)", "found 6 bytes");
        assertRejected(write(dir.resolve("cut-dims.gz"), gzip(cut)), 3, "header truncated", "found 6 bytes");
    }

    @Test
    void rejectsCorruptGzip() {
        byte[] garbage = concat(new byte[] {0x1f, (byte) 0x8b}, pattern(40, 3));
        assertRejected(write(dir.resolve("garbage.gz"), garbage), 3, "corrupt or truncated gzip data");

        byte[] whole = gzip(idx(pattern(2000, 4), 5, 20, 20));
        Path cut = write(dir.resolve("cut.gz"), Arrays.copyOf(whole, whole.length / 2));
        assertRejected(cut, 3, "corrupt or truncated gzip data");

        byte[] flipped = whole.clone();
        for (int i = 20; i < flipped.length - 8; i += 7) {
            flipped[i] ^= 0x5a;
        }
        assertRejected(write(dir.resolve("flipped.gz"), flipped), 3, "corrupt or truncated gzip data");
    }

    @Test
    void rejectsCountMismatch() throws Exception {
        IdxFile images = IdxReader.readImages(write(dir.resolve("images"), idx(PAYLOAD, DIMS)));
        IdxFile labels = IdxReader.readLabels(write(dir.resolve("labels"), idx(new byte[] {1, 2, 3}, 3)));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.requireSameCount(images, labels));
        assertMessage(e, images.path().toString(), labels.path().toString(), "holds 2 images", "holds 3 labels",
                "expected the same count");
        IdxReader.requireSameCount(images, IdxReader.readLabels(write(dir.resolve("two"), idx(new byte[2], 2))));
    }

    @Test
    void rejectsMissingFileAndFolder() {
        Path missing = dir.resolve("no-such-file");
        assertRejected(missing, 3, "IDX file not found");
        assertTrue(Files.isDirectory(dir));
        assertRejected(dir, 3, "is a directory");
    }

    /** Bytes the current thread allocated while {@code action} ran. */
    private static long allocatedBy(Runnable action) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        action.run();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    }

    @Test
    void aHeaderClaimingMoreThanTheFileHoldsIsRefusedBeforeAnyAllocation() {
        // The case: 2 GB declared (20,000 images of 10,000 x 10 bytes... here 2,000,000,000 bytes) in a
        // file of 470 KB, plain and gzipped.
        byte[] payload = IdxFixtures.pattern(470_000, 7);
        int[] claimed = {20_000, 10_000, 10};
        Path plain = write(dir.resolve("huge-plain"), concat(header(IdxReader.UNSIGNED_BYTE, claimed), payload));
        long plainAllocated = allocatedBy(() -> assertRejected(plain, 3, "payload truncated",
                "expected 2000000000 bytes for dimensions [20000, 10000, 10]", "found 470000"));
        byte[] random = ImageFixtures.randomBytes(470_000, 3);
        Path gz = write(dir.resolve("huge.gz"), gzip(concat(header(IdxReader.UNSIGNED_BYTE, claimed), random)));
        long gzipAllocated = allocatedBy(() -> assertRejected(gz, 3, "declares dimensions [20000, 10000, 10],"
                + " 2000000000 bytes", "bytes of gzip data, which cannot expand to more than"));
        assertTrue(plainAllocated < 8_000_000, "allocated " + plainAllocated + " bytes for a plain file");
        assertTrue(gzipAllocated < 8_000_000, "allocated " + gzipAllocated + " bytes for a gzipped file");
    }

    @Test
    void aGzippedPayloadIsReadInStepsNeverBeyondWhatIsThere() {
        // 200 MB declared, within what 1 MB of gzip could expand to, but only 1 MB is there.
        byte[] random = ImageFixtures.randomBytes(1_000_000, 5);
        Path gz = write(dir.resolve("short.gz"), gzip(concat(header(IdxReader.UNSIGNED_BYTE, 200, 1000, 1000),
                random)));
        long allocated = allocatedBy(() -> assertRejected(gz, 3, "payload truncated", "expected 200000000 bytes",
                "found 1000000"));
        assertTrue(allocated < 40_000_000, "allocated " + allocated + " bytes to find 1 MB");
    }

    @Test
    void aGzippedPayloadThatCompressesFarBetterThanImagesGrowsItsArrayUntilComplete() throws Exception {
        // 5 MB of a short repeating pattern: the gzip file is so small that the first allocation (16 times its
        // size, at least 1 MiB) is too short and the array must grow twice.
        byte[] payload = new byte[5_000_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i % 7);
        }
        Path gz = write(dir.resolve("compressible.gz"), gzip(idx(payload, 50, 1000, 100)));
        assertTrue(java.nio.file.Files.size(gz) * IdxReader.PLAUSIBLE_GZIP_RATIO < payload.length / 2,
                "the fixture must make the array grow: " + java.nio.file.Files.size(gz) + " bytes");
        IdxFile read = IdxReader.readImages(gz);
        assertArrayEquals(payload, read.payload());
        assertArrayEquals(new int[] {50, 1000, 100}, read.dimensions());
        // One byte short of what the header declares: still found truncated after growing.
        Path cut = write(dir.resolve("compressible-short.gz"),
                gzip(idx(Arrays.copyOf(payload, payload.length - 1), 50, 1000, 100)));
        assertRejected(cut, 3, "payload truncated", "expected 5000000 bytes", "found 4999999");
    }

    @Test
    void aNamedPipeIsRefusedWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve("train-images-idx3-ubyte");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        // Opening a pipe for reading blocks until a writer comes: the timeout proves it is never opened.
        DatasetException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(60), () -> assertRejected(fifo, 3, "is a named pipe (FIFO), not a"
                        + " regular file", "it is not opened"));
        assertEquals(DatasetException.Cause.USAGE, e.cause());
        assertEquals(DatasetException.Cause.USAGE, assertRejected(dir, 3, "is a directory").cause());
    }

    @Test
    void problemsInsideTheFileAreDataProblems() {
        byte[] content = idx(PAYLOAD, DIMS);
        content[0] = 0x12;
        assertEquals(DatasetException.Cause.DATA,
                assertRejected(write(dir.resolve("bad"), content), 3, "bad magic number").cause());
        assertEquals(DatasetException.Cause.DATA, assertRejected(write(dir.resolve("short"),
                idx(Arrays.copyOf(PAYLOAD, 20), DIMS)), 3, "payload truncated").cause());
        assertEquals(DatasetException.Cause.USAGE, assertRejected(dir.resolve("absent"), 3, "not found").cause());
    }
}
