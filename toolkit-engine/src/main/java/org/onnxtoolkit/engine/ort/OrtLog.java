package org.onnxtoolkit.engine.ort;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where ONNX Runtime's own log messages go. ORT's default logger writes coloured lines to stderr ({@code [W:onnxruntime:,
 * graph.cc:122 MergeShapeInfo] ... Falling back to lenient merge.}), before and around the toolkit's one-line
 * messages; {@link Ort} installs a logger that hands every message here instead.
 *
 * <p>Here messages are kept, the latest {@value #KEPT}, for {@link #recent()} and for an {@link OrtException}
 * whose status carries no text; they reach stderr only when {@link #echo(boolean)} is on (the CLI's
 * {@code --verbose}). A failed ORT call still reaches the user through its status, which {@link Ort#check} turns into
 * an {@link OrtException} whose message holds ORT's text.
 *
 * <p>Thread-safe: ORT calls {@link #record} from any of its threads.
 */
public final class OrtLog {
    /** How many messages are kept. */
    static final int KEPT = 64;

    /** ORT's {@code OrtLoggingLevel} values. */
    public static final int VERBOSE = 0;
    public static final int INFO = 1;
    public static final int WARNING = 2;
    public static final int ERROR = 3;
    public static final int FATAL = 4;

    private static final Deque<Entry> RECENT = new ArrayDeque<>();
    private static volatile boolean echo;
    private static volatile PrintStream echoTo = System.err;

    private OrtLog() {
    }

    /**
     * One message ORT logged.
     *
     * @param severity  {@link #VERBOSE} .. {@link #FATAL}
     * @param category  ORT's category, e.g. {@code "onnxruntime"}; never null
     * @param location  the C++ source location, e.g. {@code "graph.cc:122 MergeShapeInfo"}; never null
     * @param message   the text; never null
     */
    public record Entry(int severity, String category, String location, String message) {
        public Entry {
            Objects.requireNonNull(category, "category");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(message, "message");
        }

        /** @return {@code "onnxruntime [W] graph.cc:122 MergeShapeInfo: text"} */
        public String line() {
            return "onnxruntime [" + letter(severity) + "] " + (location.isEmpty() ? "" : location + ": ") + message;
        }
    }

    /** Whether messages are also printed to stderr as they arrive (the CLI's {@code --verbose}); off by default. */
    public static void echo(boolean on) {
        echo = on;
    }

    /** @return the latest messages, oldest first */
    public static List<Entry> recent() {
        synchronized (RECENT) {
            return List.copyOf(RECENT);
        }
    }

    /** @return the latest message of severity {@link #ERROR} or worse, or null */
    static Entry lastError() {
        synchronized (RECENT) {
            var it = RECENT.descendingIterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (e.severity() >= ERROR) {
                    return e;
                }
            }
            return null;
        }
    }

    /** Keeps a message, and prints it when {@link #echo} is on. Called by ORT through {@link Ort}'s logger. */
    static void record(int severity, String category, String location, String message) {
        Entry e = new Entry(severity, category == null ? "" : category, location == null ? "" : location,
                message == null ? "" : message.strip());
        synchronized (RECENT) {
            if (RECENT.size() == KEPT) {
                RECENT.removeFirst();
            }
            RECENT.addLast(e);
        }
        if (echo) {
            echoTo.println(e.line());
        }
    }

    /** For tests: where echoed lines go. */
    static void echoTo(PrintStream out) {
        echoTo = Objects.requireNonNull(out, "out");
    }

    private static String letter(int severity) {
        return switch (severity) {
            case VERBOSE -> "V";
            case INFO -> "I";
            case WARNING -> "W";
            case ERROR -> "E";
            case FATAL -> "F";
            default -> String.format(Locale.ROOT, "%d", severity);
        };
    }
}
