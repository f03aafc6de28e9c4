package org.onnxtoolkit.runtime.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.onnxtoolkit.compiler.io.AtomicFiles;

/**
 * Encodes images as PNG ({@link PngEncoder}) and writes them atomically ({@link AtomicFiles}): a reader of
 * the target path sees the previous file or the complete new one, never a half-written PNG (a run
 * directory is often watched while training runs).
 */
final class PngFiles {
    private PngFiles() {
    }

    /**
     * Writes {@code image} as a lossless PNG to {@code target}, creating missing parent directories.
     *
     * @throws IOException if encoding or writing fails; no temporary file is left behind
     */
    static void write(Path target, BufferedImage image) throws IOException {
        writeAtomically(target, PngEncoder.encode(image));
    }

    /** Writes {@code bytes} to {@code target} atomically, readable like a normally created file. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        AtomicFiles.write(target, bytes);
    }
}
