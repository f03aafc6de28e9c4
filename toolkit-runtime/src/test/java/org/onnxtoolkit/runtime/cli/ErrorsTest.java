package org.onnxtoolkit.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.compiler.io.FileKind;
import org.onnxtoolkit.compiler.io.NotARegularFileException;

/** Every failure becomes a sentence: no bare class names, variable names or OS error strings. */
class ErrorsTest {
    private static final String INTERNAL = "; a file the command read may lack a value it needs, or this is a bug; run"
            + " again with --verbose and report the stack trace";

    @Test
    void meaninglessMessagesBecomeSentences() {
        NullPointerException npe = assertThrowsNpe(() -> Objects.requireNonNull(null, "id"));
        assertEquals("internal error (NullPointerException: id)" + INTERNAL, Errors.oneLine(npe));
        assertEquals("internal error (NoSuchElementException: No value present)" + INTERNAL,
                Errors.oneLine(assertThrowsRuntime(() -> Optional.empty().orElseThrow())));
        assertEquals("internal error (IllegalStateException)" + INTERNAL, Errors.oneLine(new IllegalStateException()));
        assertEquals("internal error (IllegalArgumentException: latent)" + INTERNAL,
                Errors.oneLine(new IllegalArgumentException("latent")));
        assertEquals("a real sentence", Errors.oneLine(new IllegalStateException("a real sentence\nand more")));
        assertEquals("the cause says why", Errors.oneLine(new IOException((String) null, new IOException("the cause says why"))));
    }

    @Test
    void fileSystemFailuresNameTheFile() {
        assertEquals("/x/y does not exist", Errors.oneLine(new NoSuchFileException("/x/y")));
        assertEquals("permission denied: /x/y", Errors.oneLine(new AccessDeniedException("/x/y")));
        assertEquals("/x/y already exists", Errors.oneLine(new FileAlreadyExistsException("/x/y")));
        assertEquals("/x/y is not a folder", Errors.oneLine(new NotDirectoryException("/x/y")));
        assertEquals("/x/y: is a directory", Errors.oneLine(new FileSystemException("/x/y", null, "Is a directory")));
        assertEquals("cannot access /x/y (FileSystemException)", Errors.oneLine(new FileSystemException("/x/y")));
        assertEquals("/x/y does not exist", Errors.oneLine(new UncheckedIOException(new NoSuchFileException("/x/y"))));
        assertEquals("no space left on device; free some space or write somewhere else",
                Errors.oneLine(new IOException("No space left on device")));
    }

    @Test
    void exitCodes() {
        NotARegularFileException device = NotARegularFileException.forWriting(Path.of("/tmp/n"), Path.of("/tmp/n"),
                FileKind.CHARACTER_DEVICE);
        assertEquals(ToolkitCli.USAGE, Errors.exitCode(device));
        assertEquals(ToolkitCli.USAGE, Errors.exitCode(new UncheckedIOException(device)));
        assertEquals(ToolkitCli.USAGE, Errors.exitCode(new UsageException("--n must be positive")));
        assertEquals(ToolkitCli.FAILURE, Errors.exitCode(new IOException("x.onnx is not an ONNX model")));
        assertEquals(ToolkitCli.FAILURE, Errors.exitCode(new IOException("wrapped", device)),
                "only a refusal itself is a usage error, not a failure that happened to follow one");
        assertTrue(Errors.oneLine(device).startsWith("cannot write /tmp/n: it is a character device"));
    }

    private static NullPointerException assertThrowsNpe(Runnable r) {
        return (NullPointerException) assertThrowsRuntime(r);
    }

    private static RuntimeException assertThrowsRuntime(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("nothing thrown");
    }
}
