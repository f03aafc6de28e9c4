package org.onnxtoolkit.runtime.plugins;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * A JVM shutdown hook, registered while plugins are loaded, that catches plugin code calling
 * {@code System.exit}: without it the toolkit would end without a word, with whatever status the plugin chose
 * (0 included). When the thread that called {@code Runtime.exit} did so from a plugin class, the hook prints one
 * line naming the jar and the class and ends the JVM with status 1; when the toolkit itself exits, it does
 * nothing.
 *
 * <p>A hook cannot veto the exit; that would need a {@code SecurityManager}, which Java 17 deprecates for
 * removal and warns about on stderr. {@code Runtime.halt} by a plugin runs no hooks and cannot be caught.
 * The hook ends the JVM with {@code Runtime.halt}, so shutdown hooks registered by others may be cut short;
 * the toolkit registers none of its own, and its files are written atomically.
 */
final class PluginExitWatch implements AutoCloseable {
    /** The exit status after a plugin called exit: a runtime failure, as {@code ToolkitCli.FAILURE}. */
    static final int STATUS = 1;

    private final Map<String, String> jarLabels;
    private final Thread hook;

    /**
     * Registers the hook.
     *
     * @param jarLabels binary name of every plugin class to how to name its jar; not copied, must not change
     */
    PluginExitWatch(Map<String, String> jarLabels) {
        this.jarLabels = Objects.requireNonNull(jarLabels, "jarLabels");
        this.hook = new Thread("toolkit-plugin-exit-watch") {
            @Override
            public void run() {
                onExit();
            }
        };
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void onExit() {
        String message = culprit(Thread.getAllStackTraces().values(), jarLabels);
        if (message != null) {
            PrintStream err = System.err;
            err.println("toolkit: " + message);
            err.flush();
            Runtime.getRuntime().halt(STATUS);
        }
    }

    /**
     * Who called exit: in the stack (innermost frame first) that holds {@code Runtime.exit}, the first frame
     * beyond {@code Runtime.exit} and {@code System.exit}; when that is a plugin class, the one line to print.
     *
     * @param stacks    the stack traces of the live threads
     * @param jarLabels binary name of every plugin class to how to name its jar
     * @return the line (without the {@code toolkit: } prefix), or null when no plugin class called exit
     */
    static String culprit(Collection<StackTraceElement[]> stacks, Map<String, String> jarLabels) {
        for (StackTraceElement[] frames : stacks) {
            for (int i = 0; i < frames.length; i++) {
                if (!isExit(frames[i])) {
                    continue;
                }
                int caller = i;
                while (caller < frames.length && isExit(frames[caller])) {
                    caller++;
                }
                if (caller < frames.length) {
                    StackTraceElement frame = frames[caller];
                    String jar = jarLabels.get(frame.getClassName());
                    if (jar != null) {
                        return "plugin jar " + jar + ": class " + frame.getClassName() + " called System.exit "
                                + where(frame.getMethodName()) + "; the toolkit stopped (exit code " + STATUS
                                + "); remove the call from the plugin, or move the jar out of the plugins folder";
                    }
                }
                break;
            }
        }
        return null;
    }

    private static boolean isExit(StackTraceElement frame) {
        return frame.getMethodName().equals("exit")
                && (frame.getClassName().equals("java.lang.Runtime") || frame.getClassName().equals("java.lang.System"));
    }

    private static String where(String method) {
        return switch (method) {
            case "<init>" -> "in its constructor";
            case "<clinit>" -> "in its static initialiser";
            default -> "in " + method + "()";
        };
    }

    /** Removes the hook; nothing when the JVM is already shutting down. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it is the one that should speak.
        }
    }
}
