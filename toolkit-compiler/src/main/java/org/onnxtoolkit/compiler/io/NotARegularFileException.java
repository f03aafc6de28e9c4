package org.onnxtoolkit.compiler.io;

import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A path names something the toolkit must not read from or replace: a folder, a device, a named pipe, a
 * socket, or a symbolic link to one of them (or, for a file to write, a folder on its way is not a folder). Thrown before the path is opened, so a FIFO never blocks and a
 * device is never replaced. The message is one sentence naming the path, what it is and what to do.
 */
public final class NotARegularFileException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    private final FileKind kind;
    private final String message;

    private NotARegularFileException(Path path, FileKind kind, String message) {
        super(path.toString());
        this.kind = Objects.requireNonNull(kind, "kind");
        this.message = message;
    }

    /**
     * A file the toolkit was asked to write is not a regular file.
     *
     * @param target   the path as the user gave it
     * @param resolved where a symbolic link at {@code target} leads, or {@code target} itself
     * @param kind     what {@code resolved} is
     */
    public static NotARegularFileException forWriting(Path target, Path resolved, FileKind kind) {
        String what = target.toAbsolutePath().equals(resolved.toAbsolutePath()) ? "it is " + kind.description()
                : "it is a symbolic link to " + resolved + ", " + kind.description();
        String advice = kind == FileKind.DIRECTORY ? "give the path of a file (in that folder, for example)"
                : "give the path of a new file or of a regular file to replace";
        return new NotARegularFileException(target, kind, "cannot write " + target + ": " + what
                + ", not a regular file, and the toolkit only creates or replaces regular files; " + advice);
    }

    /**
     * A file the toolkit was asked to write has something other than a folder on its way.
     *
     * @param target the path as the user gave it
     * @param parent the part of it that exists but is not a folder
     * @param kind   what {@code parent} is
     */
    public static NotARegularFileException parentNotAFolder(Path target, Path parent, FileKind kind) {
        return new NotARegularFileException(target, kind, "cannot write " + target + ": " + parent + " is "
                + kind.description() + ", not a folder; give a path inside a folder");
    }

    /**
     * A file the toolkit was asked to read is not a regular file.
     *
     * @param file the path as the user gave it (after a symbolic link, {@code kind} is what the link leads to)
     * @param kind what it is
     */
    public static NotARegularFileException forReading(Path file, FileKind kind) {
        return new NotARegularFileException(file, kind, file + " is " + kind.description()
                + ", not a regular file; give the path of a file");
    }

    /** @return what the path is */
    public FileKind kind() {
        return kind;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
