package org.onnxtoolkit.compiler.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileKind} and {@link InputFiles} tell what a path is without opening it, and refuse what is not a file. */
class FileKindTest {
    @TempDir
    Path dir;

    @Test
    void kindsOfPaths() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Path fifo = AtomicFilesTest.mkfifo(dir.resolve("p"));
        Path link = Files.createSymbolicLink(dir.resolve("l"), fifo);
        Path dangling = Files.createSymbolicLink(dir.resolve("d"), dir.resolve("none"));
        assertEquals(FileKind.REGULAR, FileKind.of(file, true));
        assertEquals(FileKind.DIRECTORY, FileKind.of(dir, true));
        assertEquals(FileKind.FIFO, FileKind.of(fifo, true));
        assertEquals(FileKind.SYMBOLIC_LINK, FileKind.of(link, false));
        assertEquals(FileKind.FIFO, FileKind.of(link, true));
        assertEquals(FileKind.SYMBOLIC_LINK, FileKind.of(dangling, false));
        assertEquals(FileKind.MISSING, FileKind.of(dangling, true));
        assertEquals(FileKind.MISSING, FileKind.of(dir.resolve("none"), true));
        assertEquals(FileKind.MISSING, FileKind.of(file.resolve("below-a-file"), true), "ENOTDIR is nothing there");
        assertEquals(FileKind.CHARACTER_DEVICE, FileKind.of(Path.of("/dev/null"), true));
    }

    @Test
    void inputFilesAreCheckedBeforeTheyAreOpened() throws Exception {
        Path fifo = AtomicFilesTest.mkfifo(dir.resolve("model.onnx"));
        // Files.readAllBytes on a FIFO would block until a writer comes; the check returns at once.
        NotARegularFileException e = assertThrows(NotARegularFileException.class,
                () -> InputFiles.readAllBytes(fifo, 100, "an ONNX model"));
        assertEquals(fifo + " is a named pipe (FIFO), not a regular file; give the path of a file", e.getMessage());
        assertThrows(NotARegularFileException.class, () -> InputFiles.requireRegularFile(dir));
        assertThrows(NoSuchFileException.class, () -> InputFiles.requireRegularFile(dir.resolve("none")));
        Path big = Files.write(dir.resolve("big"), new byte[2000]);
        IOException tooLarge = assertThrows(IOException.class, () -> InputFiles.readAllBytes(big, 1000, "a picture"));
        assertEquals(big + " is 2.0 kB, too large for a picture (at most 1.0 kB)", tooLarge.getMessage());
        assertArrayEquals(new byte[2000], InputFiles.readAllBytes(big, 2000, "a picture"));
        assertTrue(InputFiles.bytes(3_100_000).equals("3.1 MB"));
        assertEquals("812 bytes", InputFiles.bytes(812));
    }
}
