package org.onnxtoolkit.runtime.cli;

import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM handling: instead of killing the JVM mid-write, the handler asks the running
 * command to stop at the next safe point (the trainer checkpoints and returns).
 */
final class Interrupts {
    private Interrupts() {
    }

    static void onInterrupt(Runnable handler) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), sig -> handler.run());
            } catch (IllegalArgumentException unsupported) {
                // The platform has no such signal, or the JVM reserves it: keep the default behaviour.
            }
        }
    }
}
