package org.onnxtoolkit.compiler.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a path names on disk, told apart without opening it (opening a FIFO blocks until a writer comes; opening
 * a device may have effects), so that the toolkit can refuse what it must not read or replace before touching it.
 */
public enum FileKind {
    /** Nothing exists at the path. */
    MISSING("nothing"),
    /** A regular file: the only kind the toolkit reads models and pictures from or replaces. */
    REGULAR("a regular file"),
    DIRECTORY("a folder"),
    SYMBOLIC_LINK("a symbolic link"),
    FIFO("a named pipe (FIFO)"),
    CHARACTER_DEVICE("a character device"),
    BLOCK_DEVICE("a block device"),
    SOCKET("a socket"),
    /** Something else the file system does not describe further. */
    OTHER("not a regular file");

    /** {@code S_IFMT} and its values, from {@code <sys/stat.h>}. */
    private static final int TYPE_MASK = 0170000;

    private final String description;

    FileKind(String description) {
        this.description = description;
    }

    /** @return the kind in words, with its article: {@code "a named pipe (FIFO)"}, {@code "a folder"} */
    public String description() {
        return description;
    }

    /**
     * The kind of {@code path}; never opens it.
     *
     * @param followLinks whether a symbolic link is followed to what it names (a dangling link is then
     *                    {@link #MISSING}); without, a link is {@link #SYMBOLIC_LINK}
     * @throws IOException if the attributes cannot be read for another reason than the path not existing
     */
    public static FileKind of(Path path, boolean followLinks) throws IOException {
        LinkOption[] options = followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, options);
        } catch (NoSuchFileException e) {
            return MISSING;
        } catch (FileSystemException e) {
            if ("Not a directory".equalsIgnoreCase(String.valueOf(e.getReason()))) {
                // A parent is a file (ENOTDIR): nothing can exist at the path.
                return MISSING;
            }
            throw e;
        }
        if (a.isRegularFile()) {
            return REGULAR;
        }
        if (a.isDirectory()) {
            return DIRECTORY;
        }
        if (a.isSymbolicLink()) {
            return SYMBOLIC_LINK;
        }
        return special(path, options);
    }

    /** Tells FIFOs, devices and sockets apart by the mode bits, where the file system reports them. */
    private static FileKind special(Path path, LinkOption[] options) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", options);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return OTHER;
        }
        return switch (mode & TYPE_MASK) {
            case 0010000 -> FIFO;
            case 0020000 -> CHARACTER_DEVICE;
            case 0060000 -> BLOCK_DEVICE;
            case 0140000 -> SOCKET;
            default -> OTHER;
        };
    }
}
