package org.onnxtoolkit.compiler.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;

/**
 * Writes files so that readers see either the old content or the complete new content, never a partial
 * file: the bytes go to a temporary file in the same directory, are forced to disk, and the temporary file
 * is renamed over the target. Every file the runtime writes goes through here.
 *
 * <p><b>Only regular files are replaced.</b> A rename replaces whatever has the target's name, so before
 * anything is written (and again just before the rename) the target is checked: a new name or a regular file
 * is written; a symbolic link is followed and the regular file it leads to is replaced, the link itself kept;
 * anything else (a folder, a character or block device such as {@code /dev/null}, a named pipe, a socket, or a
 * link to one of them) is refused with {@link NotARegularFileException}. Devices and pipes are refused rather
 * than written through: a write to them cannot be atomic (a reader of a pipe sees partial content, a pipe
 * without a reader blocks forever) and a user who names one by mistake ({@code --out /dev/sda}) must lose
 * nothing; a PNG or a model is never meant for a terminal or {@code /dev/null}.
 *
 * <p><b>Failures name the file.</b> An {@link IOException} while writing becomes a {@link WriteFailedException}
 * whose message is {@code "cannot write TARGET: REASON"} (for example {@code "cannot write samples.png: no space left on
 * device"}); the temporary file is removed and the target is untouched.
 *
 * <p>Stateless and thread-safe; concurrent writers of the same target each rename a complete file, the last
 * one wins.
 */
public final class AtomicFiles {
    /** Symbolic links followed before giving up, as the Linux kernel's {@code MAXSYMLINKS}. */
    private static final int MAX_LINKS = 40;

    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Something that writes a file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes the content produced by {@code content} to {@code target} atomically. */
    public static void write(Path target, Content content) throws IOException {
        writeVia(target, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                content.writeTo(out);
            }
        });
    }

    /** Something that writes a whole file at a path it is given (for native code that writes files itself). */
    @FunctionalInterface
    public interface FileProducer {
        void writeTo(Path file) throws IOException;
    }

    /**
     * Lets {@code producer} write a temporary file next to the file {@code target} names, forces it to disk and
     * renames it over that file; on failure the temporary file is removed and the file is untouched. Missing
     * parent folders are created.
     *
     * @throws NotARegularFileException if {@code target} is neither new nor a regular file (nor a link to one)
     * @throws IOException              if writing fails; the message names {@code target} and the reason
     */
    public static void writeVia(Path target, FileProducer producer) throws IOException {
        Path destination = destination(target);
        Path dir = destination.getParent();
        requireFolders(target, dir);
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = createTemp(dir, destination);
        } catch (IOException e) {
            throw failure(target, e);
        }
        try {
            producer.writeTo(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            // Checked again: the target may have been replaced by something else while the content was produced.
            destination(target);
            moveIntoPlace(tmp, destination);
        } catch (NotARegularFileException e) {
            throw e;
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Checks, before any work is done for it, that {@code target} may be written: it is new, a regular file, or a
     * symbolic link to one of those. {@link #writeVia} checks again when it writes.
     *
     * @throws NotARegularFileException if it is not
     * @throws IOException              if the path cannot be examined
     */
    public static void checkTarget(Path target) throws IOException {
        Path destination = destination(target);
        requireFolders(target, destination.getParent());
    }

    /**
     * Where a write to {@code target} goes: {@code target} itself when nothing is there or it is a regular file;
     * for a symbolic link, the path it finally leads to (which must itself be new or a regular file).
     *
     * @return an absolute path
     * @throws NotARegularFileException if the target (or what a link leads to) is not a regular file
     * @throws IOException              if the path cannot be examined
     */
    public static Path destination(Path target) throws IOException {
        Path path = target.toAbsolutePath();
        for (int links = 0; ; links++) {
            FileKind kind = FileKind.of(path, false);
            switch (kind) {
                case MISSING, REGULAR -> {
                    return path;
                }
                case SYMBOLIC_LINK -> {
                    if (links == MAX_LINKS) {
                        throw new FileSystemException(target.toString(), null, "too many levels of symbolic links");
                    }
                    path = path.resolveSibling(Files.readSymbolicLink(path));
                }
                default -> throw NotARegularFileException.forWriting(target, path, kind);
            }
        }
    }

    /** The nearest existing ancestor of {@code dir} (or {@code dir} itself) must be a folder. */
    private static void requireFolders(Path target, Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            FileKind kind = FileKind.of(p, true);
            if (kind == FileKind.DIRECTORY) {
                return;
            }
            if (kind != FileKind.MISSING) {
                throw NotARegularFileException.parentNotAFolder(target, p, kind);
            }
        }
    }

    /**
     * A temporary file next to {@code target}, readable by everyone like a normally created file
     * ({@code rw-r--r--}; {@code Files.createTempFile} alone would make it owner-only), or with the permissions of
     * the regular file it replaces, so that replacing a file keeps who may read it.
     */
    private static Path createTemp(Path dir, Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, prefix, ".tmp");
        }
        Path tmp = Files.createTempFile(dir, prefix, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Set<PosixFilePermission> kept = Files.getPosixFilePermissions(target);
                Files.setPosixFilePermissions(tmp, kept);
            } catch (IOException e) {
                // Best effort: the new file keeps rw-r--r--.
            }
        }
        return tmp;
    }

    /**
     * Renames {@code source} over {@code target}, atomically where the file system allows. No checks: for
     * paths the caller owns (its own temporary files and folders); {@link #writeVia} checks the target first.
     */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** {@code "cannot write TARGET: REASON"}, keeping {@code cause} for {@code --verbose}. */
    private static IOException failure(Path target, IOException cause) {
        return new WriteFailedException(target, reason(cause), cause);
    }

    /**
     * Why a write failed, in words a user can act on. The operating system's text ({@code "No space left on
     * device"}) is kept but made lower case; names of temporary files are left out, since the user never sees them.
     */
    static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
            return ((FileSystemException) e).getFile() + " is a file, not a folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException f && f.getFile() != null && !isTemporary(f.getFile())) {
            return f.getFile() + " does not exist";
        }
        String text = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (text == null || text.isBlank()) {
            return e instanceof FileSystemException f && f.getFile() != null && !isTemporary(f.getFile())
                    ? f.getFile() + " (" + e.getClass().getSimpleName() + ")" : e.getClass().getSimpleName();
        }
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (lower.contains("no space left on device")) {
            return "no space left on device; free some space or write somewhere else";
        }
        if (lower.contains("disk quota exceeded")) {
            return "disk quota exceeded; free some space or write somewhere else";
        }
        if (lower.contains("read-only file system")) {
            return "the file system is read-only";
        }
        return sentenceCase(text.strip());
    }

    /** {@code "Is a directory"} becomes {@code "is a directory"}; {@code "ONNX ..."} stays as it is. */
    private static String sentenceCase(String text) {
        if (text.length() > 1 && Character.isUpperCase(text.charAt(0)) && Character.isLowerCase(text.charAt(1))) {
            return Character.toLowerCase(text.charAt(0)) + text.substring(1);
        }
        return text;
    }

    private static boolean isTemporary(String file) {
        return file.endsWith(".tmp");
    }
}
