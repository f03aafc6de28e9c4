package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import picocli.CommandLine.Option;

/**
 * {@code --out FILE.png}: the picture a command writes, shared by {@code sample}, {@code reconstruct},
 * {@code interpolate} and {@code manifold}. The file is written to a temporary file beside it and renamed into
 * place, so an interrupted command leaves the old file (or none), never half a picture.
 */
final class PngOutputOption {
    @Option(names = "--out", required = true, paramLabel = "FILE.png",
            description = "the PNG to write (replaced in one step if it exists)")
    Path file;

    /**
     * The file to write, after checking, before any work starts, that it can be a target: a new file or a
     * regular one in an existing folder (not a folder, a device or a named pipe).
     *
     * @throws IOException where it cannot; {@link Errors#exitCode} makes that a usage error
     */
    Path checkedTarget() throws IOException {
        AtomicFiles.checkTarget(file);
        return file;
    }
}
