package org.onnxtoolkit.engine.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.onnxtoolkit.engine.ort.OrtException;

/**
 * File chores of a run folder: hashing checkpoints, removing the temporary files an interrupted write left,
 * and naming the file a failed write was for. Stateless; safe from any thread.
 */
public final class RunFiles {
    /**
     * The temporary files of {@code io/AtomicFiles}: {@code .<target name>.<random digits>.tmp} next to the
     * target ({@code Files.createTempFile} puts an unsigned random number between prefix and suffix).
     */
    public static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9]+\\.tmp");

    private RunFiles() {
    }

    /** A write that failed, with the file it was for in its one-line message. */
    public static final class RunWriteFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        RunWriteFailedException(Path target, Throwable cause) {
            super("could not write " + target + " (" + reason(cause) + ")", cause);
        }
    }

    /** A write of one file (or of a file set, named by {@code target}). */
    @FunctionalInterface
    public interface Write {
        void run() throws IOException;
    }

    /**
     * Runs {@code write}; a failure of the file system (a full disk, a permission, a lost mount) or of ONNX
     * Runtime writing a checkpoint comes back as a {@link RunWriteFailedException} naming {@code target}.
     */
    public static void writing(Path target, Write write) throws IOException {
        try {
            write.run();
        } catch (RunWriteFailedException e) {
            throw e;
        } catch (IOException | OrtException e) {
            throw new RunWriteFailedException(target, e);
        }
    }

    /** The SHA-256 of a file's bytes, 64 lower-case hex digits. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Removes the temporary files that writes interrupted by a kill or a full disk left in the run folder
     * and its {@code checkpoints/}, {@code artifacts/}, {@code best/} and {@code tb/} folders. Call only while holding the run's
     * {@link RunLock}: a live writer's temporary files look the same.
     *
     * @return the removed files
     */
    public static List<Path> removeStaleTemporaryFiles(Path runDir) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (Path dir : List.of(runDir, runDir.resolve(RunDirectory.CHECKPOINTS), runDir.resolve(RunDirectory.ARTIFACTS),
                runDir.resolve(RunDirectory.BEST), runDir.resolve(RunDirectory.TENSORBOARD))) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    boolean file = Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(f);
                    if (file && TEMPORARY.matcher(f.getFileName().toString()).matches()) {
                        Files.deleteIfExists(f);
                        removed.add(f);
                    }
                }
            }
        }
        return removed;
    }

    /** The reason of a failure without the path (the caller names the target), on one line. */
    static String reason(Throwable t) {
        String text;
        if (t instanceof org.onnxtoolkit.compiler.io.WriteFailedException w) {
            text = w.reason();
        } else if (t instanceof FileSystemException f && f.getReason() != null) {
            text = f.getReason();
        } else if (t instanceof OrtException o) {
            text = "ONNX Runtime: " + o.shortOrtMessage();
        } else {
            text = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        }
        int nl = text.indexOf('\n');
        return (nl >= 0 ? text.substring(0, nl) : text).trim();
    }
}
