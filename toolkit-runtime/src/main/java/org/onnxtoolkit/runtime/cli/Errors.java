package org.onnxtoolkit.runtime.cli;

import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.onnxtoolkit.runtime.plugins.PluginClassNotFoundException;

/** Turns exceptions into the one line the user sees. */
final class Errors {
    private Errors() {
    }

    static String oneLine(Throwable t) {
        String msg = t.getMessage();
        if (t instanceof NoSuchFileException) {
            return "no such file: " + msg;
        }
        if (t instanceof AccessDeniedException) {
            return "permission denied: " + msg;
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
        if (msg == null || msg.isBlank()) {
            return t.getClass().getSimpleName() + (t.getCause() != null ? ": " + oneLine(t.getCause()) : "");
        }
        int nl = msg.indexOf('\n');
        return nl > 0 ? msg.substring(0, nl).trim() : msg.trim();
    }
}
