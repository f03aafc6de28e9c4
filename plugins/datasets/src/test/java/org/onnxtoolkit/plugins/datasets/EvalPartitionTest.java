package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;

class EvalPartitionTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private EvalPartition txt(String text) throws Exception {
        return EvalPartition.read("celeba", file(EvalPartition.TXT_NAME, text));
    }

    private DatasetException failure(String name, String text) throws IOException {
        Path path = file(name, text);
        return assertThrows(DatasetException.class, () -> EvalPartition.read("celeba", path));
    }

    @Test
    void readsTheOriginalTextFormat() throws Exception {
        EvalPartition partition = txt("000001.jpg 0\n000002.jpg 1\n000003.jpg\t2\n\n");
        assertEquals(3, partition.size());
        assertEquals(EvalPartition.TRAIN, partition.partitionOf("000001.jpg"));
        assertEquals(EvalPartition.VALIDATION, partition.partitionOf("000002.jpg"));
        assertEquals(EvalPartition.TEST, partition.partitionOf("000003.jpg"));
        assertEquals(64, partition.sha256().length());
    }

    @Test
    void acceptsWindowsLineEndsAByteOrderMarkAndBlankLines() throws Exception {
        EvalPartition partition = txt("\ufeff000001.jpg 0\r\n\r\n  000002.jpg   2  \r\n");
        assertEquals(2, partition.size());
        assertEquals(EvalPartition.TEST, partition.partitionOf("000002.jpg"));
    }

    @Test
    void readsKagglesCsvWithOrWithoutHeader() throws Exception {
        EvalPartition withHeader = EvalPartition.read("celeba",
                file(EvalPartition.CSV_NAME, "image_id,partition\n000001.jpg,0\n000002.jpg,2\n"));
        assertEquals(2, withHeader.size());
        assertEquals(EvalPartition.TEST, withHeader.partitionOf("000002.jpg"));
        Files.delete(dir.resolve(EvalPartition.CSV_NAME));
        EvalPartition bare = EvalPartition.read("celeba", file(EvalPartition.CSV_NAME, "000001.jpg, 1\n"));
        assertEquals(EvalPartition.VALIDATION, bare.partitionOf("000001.jpg"));
    }

    @Test
    void malformedLinesNameTheFileAndLine() throws Exception {
        String[] bad = {"000002.jpg", "000002.jpg 3", "000002.jpg x", "000002.jpg 0 extra", "000002.jpg 00",
            "000002.jpg -1", "image_id partition"};
        for (String line : bad) {
            DatasetException e = failure(EvalPartition.TXT_NAME, "000001.jpg 0\n" + line + "\n");
            assertTrue(e.getMessage().contains(dir.resolve(EvalPartition.TXT_NAME) + " line 2: expected"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + line + "'"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        DatasetException csv = failure(EvalPartition.CSV_NAME, "image_id,partition\n000001.jpg 0\n");
        assertTrue(csv.getMessage().contains("line 2: expected '<image file>,<0, 1 or 2>'"), csv.getMessage());
    }

    @Test
    void aNameListedTwiceIsAnError() throws Exception {
        DatasetException e = failure(EvalPartition.TXT_NAME, "a.jpg 0\nb.jpg 0\n\na.jpg 2\n");
        assertTrue(e.getMessage().contains("line 4 lists a.jpg again (first on line 1)"), e.getMessage());
    }

    @Test
    void anEmptyFileIsAnError() throws Exception {
        DatasetException e = failure(EvalPartition.TXT_NAME, "\n\n");
        assertTrue(e.getMessage().contains("lists no images"), e.getMessage());
    }

    @Test
    void binaryIsNotText() throws Exception {
        Path path = Files.write(dir.resolve(EvalPartition.TXT_NAME), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        DatasetException e = assertThrows(DatasetException.class, () -> EvalPartition.read("celeba", path));
        assertTrue(e.getMessage().contains("is not text"), e.getMessage());
    }

    @Test
    void listedImagesMustBeInTheFolderAndFolderImagesListed() throws Exception {
        EvalPartition partition = txt("a.jpg 0\nb.jpg 2\nc.jpg 0\nd.jpg 1\n");
        partition.requireSameImages("celeba", dir, List.of("a.jpg", "b.jpg", "c.jpg", "d.jpg"));
        DatasetException unknown = assertThrows(DatasetException.class,
                () -> partition.requireSameImages("celeba", dir, List.of("a.jpg", "b.jpg", "d.jpg")));
        assertTrue(unknown.getMessage().contains("line 3 names c.jpg, which is not in " + dir), unknown.getMessage());
        DatasetException twoUnknown = assertThrows(DatasetException.class,
                () -> partition.requireSameImages("celeba", dir, List.of("a.jpg", "d.jpg")));
        assertTrue(twoUnknown.getMessage().contains("line 2 names b.jpg") && twoUnknown.getMessage().contains("1 more"),
                twoUnknown.getMessage());
        DatasetException unlisted = assertThrows(DatasetException.class, () -> partition.requireSameImages("celeba",
                dir, List.of("a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg")));
        assertTrue(unlisted.getMessage().contains("holds 1 image that partition file"), unlisted.getMessage());
        assertTrue(unlisted.getMessage().contains("such as e.jpg"), unlisted.getMessage());
    }

    @Test
    void findPrefersTheTextFile() throws Exception {
        assertNull(EvalPartition.find(dir));
        file(EvalPartition.CSV_NAME, "a.jpg,0\n");
        assertEquals(dir.resolve(EvalPartition.CSV_NAME), EvalPartition.find(dir));
        file(EvalPartition.TXT_NAME, "a.jpg 0\n");
        assertEquals(dir.resolve(EvalPartition.TXT_NAME), EvalPartition.find(dir));
        assertNull(EvalPartition.find(null));
    }

    @Test
    void aNamedPipeIsFoundButRefusedWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve(EvalPartition.TXT_NAME);
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        assertEquals(fifo, EvalPartition.find(dir), "a pipe by that name is not silently ignored");
        DatasetException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(60),
                () -> assertThrows(DatasetException.class, () -> EvalPartition.read("celeba", fifo)));
        assertEquals("dataset celeba: partition file " + fifo + " is a named pipe (FIFO), not a regular file; it is"
                + " not opened (reading a pipe would wait forever); replace it with the file itself or remove it",
                e.getMessage());
        assertEquals(DatasetException.Cause.USAGE, e.cause());
    }

    @Test
    void whatIsWrongInsideTheFileIsBadData() throws Exception {
        assertEquals(DatasetException.Cause.DATA, failure(EvalPartition.TXT_NAME, "000001.jpg 7\n").cause());
    }
}
