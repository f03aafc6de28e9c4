package org.onnxtoolkit.runtime.cli;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM handling: instead of killing the JVM mid-write, the first signal asks the
 * running command to stop at the next safe point (the trainer checkpoints and returns); a second one quits at
 * once with exit code 130, for a user who will not wait for the current step. Quitting at once is safe for a
 * run folder: every file is written to a temporary file and renamed into place, so what was there before the
 * write (the last checkpoint, {@code state.json}) stays intact, and {@code --resume} removes the temporary
 * file.
 */
final class Interrupts {
    private Interrupts() {
    }

    /** Runs {@code handler} on every signal (replacing earlier handlers); the command decides what it means. */
    static void onInterrupt(Runnable handler) {
        install(handler);
    }

    /**
     * Handles the next signals of this JVM (replacing earlier handlers).
     *
     * @param first  runs on the first signal, on the JVM's signal thread; it must return quickly
     * @param second runs on the second signal (to say what happens), after which the JVM halts with
     *               {@link ToolkitCli#INTERRUPTED} without running shutdown hooks
     */
    static void onInterrupt(Runnable first, Runnable second) {
        AtomicInteger signals = new AtomicInteger();
        install(() -> {
            if (signals.incrementAndGet() == 1) {
                first.run();
            } else {
                try {
                    second.run();
                } finally {
                    Runtime.getRuntime().halt(ToolkitCli.INTERRUPTED);
                }
            }
        });
    }

    private static void install(Runnable handler) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), sig -> handler.run());
            } catch (IllegalArgumentException unsupported) {
                // The platform has no such signal, or the JVM reserves it: keep the default behaviour.
            }
        }
    }
}
