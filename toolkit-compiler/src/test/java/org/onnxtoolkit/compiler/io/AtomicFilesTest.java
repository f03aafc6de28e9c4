package org.onnxtoolkit.compiler.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFiles} replaces regular files only: new files and regular files are written, symbolic links are
 * followed (the link kept), folders, named pipes and sockets are refused untouched, and failures name the file.
 * (Device nodes need root to create; {@code SafeOutputsIT} covers them, with the CLI.)
 */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private static final byte[] NEW = "new content".getBytes(StandardCharsets.UTF_8);

    @Test
    void writesANewFileCreatingItsFolders() throws IOException {
        Path target = dir.resolve("a/b/c.bin");
        AtomicFiles.write(target, NEW);
        assertArrayEquals(NEW, Files.readAllBytes(target));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertNoTemporaryFiles(target.getParent());
    }

    @Test
    void replacesARegularFileKeepingItsPermissions() throws IOException {
        Path target = dir.resolve("old.bin");
        Files.writeString(target, "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.write(target, NEW);
        assertArrayEquals(NEW, Files.readAllBytes(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertNoTemporaryFiles(dir);
    }

    @Test
    void aSymbolicLinkToARegularFileIsKeptAndItsTargetReplaced() throws IOException {
        Path real = Files.createDirectories(dir.resolve("elsewhere")).resolve("real.bin");
        Files.writeString(real, "old");
        Path link = dir.resolve("link.bin");
        Files.createSymbolicLink(link, Path.of("elsewhere/real.bin"));
        Path chain = dir.resolve("chain.bin");
        Files.createSymbolicLink(chain, link);
        AtomicFiles.write(chain, NEW);
        assertTrue(Files.isSymbolicLink(chain), "the first link is kept");
        assertTrue(Files.isSymbolicLink(link), "the second link is kept");
        assertEquals(Path.of("elsewhere/real.bin"), Files.readSymbolicLink(link));
        assertArrayEquals(NEW, Files.readAllBytes(real));
        assertNoTemporaryFiles(dir.resolve("elsewhere"));
        assertNoTemporaryFiles(dir);
    }

    @Test
    void aDanglingSymbolicLinkCreatesTheFileItNames() throws IOException {
        Path link = dir.resolve("dangling.bin");
        Files.createSymbolicLink(link, dir.resolve("created.bin"));
        AtomicFiles.write(link, NEW);
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(NEW, Files.readAllBytes(dir.resolve("created.bin")));
    }

    @Test
    void aFolderIsRefusedAndKept() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("folder"));
        Files.writeString(folder.resolve("inside.txt"), "keep");
        NotARegularFileException e = assertThrows(NotARegularFileException.class, () -> AtomicFiles.write(folder, NEW));
        assertEquals(FileKind.DIRECTORY, e.kind());
        assertEquals("cannot write " + folder + ": it is a folder, not a regular file, and the toolkit only creates or"
                + " replaces regular files; give the path of a file (in that folder, for example)", e.getMessage());
        assertTrue(Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep", Files.readString(folder.resolve("inside.txt")));
        assertNoTemporaryFiles(dir);
    }

    @Test
    void aNamedPipeIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = mkfifo(dir.resolve("pipe"));
        // Opening a FIFO for writing blocks until a reader comes: a refusal that returns at all never opened it.
        NotARegularFileException e = assertThrows(NotARegularFileException.class, () -> AtomicFiles.write(fifo, NEW));
        assertEquals(FileKind.FIFO, e.kind());
        assertTrue(e.getMessage().startsWith("cannot write " + fifo + ": it is a named pipe (FIFO), not a regular file"),
                e.getMessage());
        assertEquals(FileKind.FIFO, FileKind.of(fifo, false), "the pipe is still there");
        assertNoTemporaryFiles(dir);
    }

    @Test
    void aSymbolicLinkToANamedPipeIsRefusedAndBothAreKept() throws Exception {
        Path fifo = mkfifo(dir.resolve("pipe"));
        Path link = dir.resolve("out.png");
        Files.createSymbolicLink(link, fifo);
        NotARegularFileException e = assertThrows(NotARegularFileException.class, () -> AtomicFiles.write(link, NEW));
        assertTrue(e.getMessage().startsWith("cannot write " + link + ": it is a symbolic link to " + fifo
                + ", a named pipe (FIFO), not a regular file"), e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(FileKind.FIFO, FileKind.of(fifo, false));
    }

    @Test
    void aSocketIsRefused() throws IOException {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
            NotARegularFileException e = assertThrows(NotARegularFileException.class,
                    () -> AtomicFiles.write(socket, NEW));
            assertEquals(FileKind.SOCKET, e.kind());
            assertEquals(FileKind.SOCKET, FileKind.of(socket, false));
        }
    }

    @Test
    void aFileWhereAFolderShouldBeIsRefused() throws IOException {
        Path file = dir.resolve("file");
        Files.writeString(file, "keep");
        for (Path target : List.of(file.resolve("x.png"), file.resolve("sub/x.png"))) {
            NotARegularFileException e = assertThrows(NotARegularFileException.class,
                    () -> AtomicFiles.checkTarget(target));
            assertEquals("cannot write " + target + ": " + file + " is a regular file, not a folder; give a path inside a"
                    + " folder", e.getMessage());
            assertThrows(NotARegularFileException.class, () -> AtomicFiles.write(target, NEW));
        }
        assertEquals("keep", Files.readString(file));
    }

    @Test
    void aFailureWhileWritingNamesTheFileAndKeepsTheOldContent() throws IOException {
        Path target = dir.resolve("kept.bin");
        Files.writeString(target, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + target + ": no space left on device; free some space or write somewhere else",
                e.getMessage());
        assertEquals("old", Files.readString(target));
        assertNoTemporaryFiles(dir);
    }

    @Test
    void reasonsAreWordsAUserCanActOn() {
        assertEquals("disk quota exceeded; free some space or write somewhere else",
                AtomicFiles.reason(new IOException("Disk quota exceeded")));
        assertEquals("the file system is read-only",
                AtomicFiles.reason(new java.nio.file.FileSystemException("/x/.a.png.1.tmp", null, "Read-only file system")));
        assertEquals("permission denied", AtomicFiles.reason(new java.nio.file.AccessDeniedException("/x/.a.png.1.tmp")));
        assertEquals("is a directory", AtomicFiles.reason(new IOException("Is a directory")));
        assertEquals("ONNX says no", AtomicFiles.reason(new IOException("ONNX says no")));
    }

    static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo " + path);
        return path;
    }

    private static void assertNoTemporaryFiles(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            List<String> tmp = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertFalse(!tmp.isEmpty(), "temporary files left: " + tmp);
        }
    }
}
