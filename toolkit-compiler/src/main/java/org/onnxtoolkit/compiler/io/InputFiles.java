package org.onnxtoolkit.compiler.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Checks on files the toolkit reads (models, pictures, run records) made before they are opened or read: a
 * named pipe given as a model would block the open forever, a device or a huge file would fill the memory.
 *
 * <p>Stateless and thread-safe.
 */
public final class InputFiles {
    private InputFiles() {
    }

    /**
     * Checks that {@code file} is a regular file, or a symbolic link to one, without opening it.
     *
     * @throws NoSuchFileException        if nothing exists there (or a symbolic link there leads nowhere)
     * @throws NotARegularFileException   if it is a folder, a device, a named pipe or a socket
     * @throws IOException                if its attributes cannot be read
     */
    public static void requireRegularFile(Path file) throws IOException {
        FileKind kind = FileKind.of(file, true);
        if (kind == FileKind.MISSING) {
            throw new NoSuchFileException(file.toString());
        }
        if (kind != FileKind.REGULAR) {
            throw NotARegularFileException.forReading(file, kind);
        }
    }

    /**
     * Reads a whole regular file after checking its kind and size, so that nothing is allocated for a file
     * that cannot be what is expected.
     *
     * @param maxBytes the largest size accepted
     * @param what     what the file should be, for the message ({@code "an ONNX model"})
     * @throws NoSuchFileException      if it does not exist
     * @throws NotARegularFileException if it is not a regular file
     * @throws IOException              if it is larger than {@code maxBytes} or cannot be read
     */
    public static byte[] readAllBytes(Path file, long maxBytes, String what) throws IOException {
        requireRegularFile(file);
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new IOException(file + " is " + bytes(size) + ", too large for " + what + " (at most " + bytes(maxBytes)
                    + ")");
        }
        return Files.readAllBytes(file);
    }

    /** A size in words: {@code "812 bytes"}, {@code "3.1 MB"}, {@code "2.0 GB"} (decimal units). */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " bytes";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
