package org.onnxtoolkit.runtime.cli;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ConcurrentModificationException;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.onnxtoolkit.compiler.io.NotARegularFileException;
import org.onnxtoolkit.runtime.plugins.PluginClassNotFoundException;

/**
 * Turns exceptions into the one line the user sees, and into the exit code.
 *
 * <p>Every line is a sentence: an exception without a message, or with one that means nothing on its own (the
 * {@code "id"} of {@code Objects.requireNonNull(id, "id")}, the {@code "No value present"} of an empty
 * {@code Optional}), says what kind of failure it is and what to do, rather than printing a bare class name.
 */
public final class Errors {
    private Errors() {
    }

    /** The one line the user sees for {@code t}: a sentence, never a bare class name or an empty message. */
    public static String oneLine(Throwable t) {
        if (t instanceof UncheckedIOException && t.getCause() != null) {
            return oneLine(t.getCause());
        }
        String msg = t.getMessage();
        if (t instanceof NotARegularFileException) {
            return msg;
        }
        if (t instanceof FileSystemException f) {
            return fileSystem(f);
        }
        if (t instanceof FileNotFoundException) {
            return "file not found: " + msg;
        }
        if (t instanceof LinkageError) {
            // Plugin code that needs a class no jar has: the plugin class loader named the jar and the class.
            PluginClassNotFoundException missing = PluginClassNotFoundException.in(t);
            if (missing != null) {
                return missing.getMessage();
            }
            return "a class failed to load or link (" + t.getClass().getSimpleName() + ": " + msg + "); if it belongs to a"
                    + " plugin, the plugin jar lacks a class it needs (a plugin may depend only on toolkit-api and the JDK)";
        }
        if (t instanceof OutOfMemoryError) {
            return "out of Java heap memory; use a smaller --batch-size or raise -Xmx in TOOLKIT_JAVA_OPTS";
        }
        if (isProgrammingError(t) || msg == null || msg.isBlank() || isMeaningless(msg)) {
            if ((msg == null || msg.isBlank()) && t.getCause() != null && t.getCause() != t && !isProgrammingError(t)) {
                return oneLine(t.getCause());
            }
            return internalError(t);
        }
        String line = firstLine(msg);
        if (line.toLowerCase(Locale.ROOT).equals("no space left on device")) {
            return "no space left on device; free some space or write somewhere else";
        }
        return line;
    }

    /**
     * The exit code for a failure that reached the command line: {@link ToolkitCli#USAGE} for a path that names
     * the wrong kind of thing (a device or a named pipe given as a model or as {@code --out}), else
     * {@link ToolkitCli#FAILURE}. Flags and missing paths are {@link UsageException}s, handled before this.
     */
    static int exitCode(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UsageException || c instanceof NotARegularFileException) {
                return ToolkitCli.USAGE;
            }
            if (!(c instanceof UncheckedIOException) && !(c instanceof picocli.CommandLine.ExecutionException)) {
                break;
            }
        }
        return ToolkitCli.FAILURE;
    }

    private static String fileSystem(FileSystemException f) {
        String file = f.getFile();
        String other = f.getOtherFile();
        if (f instanceof NoSuchFileException) {
            return file + " does not exist";
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied: " + file;
        }
        if (f instanceof FileAlreadyExistsException) {
            return file + " already exists";
        }
        if (f instanceof NotDirectoryException) {
            return file + " is not a folder";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "the folder " + file + " is not empty";
        }
        String reason = f.getReason();
        String where = file == null ? "" : file + (other == null ? "" : " -> " + other);
        if (reason == null || reason.isBlank()) {
            return "cannot access " + where + " (" + f.getClass().getSimpleName() + ")";
        }
        return where.isEmpty() ? firstLine(reason) : where + ": " + firstLine(reason).toLowerCase(Locale.ROOT);
    }

    /**
     * Exceptions that only a mistake in the toolkit or a plugin throws; their text (a variable name, a JVM
     * description of a null) does not help a user on its own.
     */
    private static boolean isProgrammingError(Throwable t) {
        return t instanceof NullPointerException || t instanceof ClassCastException
                || t instanceof IndexOutOfBoundsException || t instanceof ArithmeticException
                || t instanceof NoSuchElementException || t instanceof ConcurrentModificationException
                || t instanceof ArrayStoreException || t instanceof NegativeArraySizeException;
    }

    /** A single word, such as the {@code "id"} of {@code Objects.requireNonNull(id, "id")}. */
    private static boolean isMeaningless(String msg) {
        return msg.strip().matches("[\\w.$]+");
    }

    private static String internalError(Throwable t) {
        String msg = t.getMessage();
        String detail = msg == null || msg.isBlank() ? "" : ": " + firstLine(msg);
        return "internal error (" + t.getClass().getSimpleName() + detail + "); a file the command read may lack a"
                + " value it needs, or this is a bug; run again with --verbose and report the stack trace";
    }

    private static String firstLine(String msg) {
        int nl = msg.indexOf('\n');
        return nl > 0 ? msg.substring(0, nl).trim() : msg.trim();
    }
}
