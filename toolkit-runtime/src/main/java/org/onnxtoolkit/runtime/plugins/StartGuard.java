package org.onnxtoolkit.runtime.plugins;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs code that starts plugins (their jar's CDI container, their constructors and static initialisers) on a
 * thread of its own and waits for it a limited time, so that a plugin that never returns fails the command
 * that uses it instead of hanging it. Java cannot stop such a thread; it is a daemon thread, so it does not keep
 * the JVM alive, and it is interrupted in case the plugin waits interruptibly.
 */
final class StartGuard {
    private StartGuard() {
    }

    /**
     * Runs {@code work} on a new daemon thread whose context class loader is {@code contextLoader}.
     *
     * @return what {@code work} returned
     * @throws TimeoutException     when it did not finish within {@code timeout}; it may still be running
     * @throws ExecutionException   with what it threw (exceptions and errors alike) as the cause
     * @throws InterruptedException when the calling thread was interrupted while waiting
     */
    static <T> T call(String threadName, ClassLoader contextLoader, Duration timeout, Callable<T> work)
            throws TimeoutException, ExecutionException, InterruptedException {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = new Thread(task, threadName);
        thread.setDaemon(true);
        thread.setContextClassLoader(contextLoader);
        thread.start();
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            thread.interrupt();
            throw e;
        }
    }

    /** The timeout as a person reads it: whole seconds, or milliseconds below one second. */
    static String describe(Duration timeout) {
        return timeout.compareTo(Duration.ofSeconds(1)) < 0 ? timeout.toMillis() + " ms"
                : timeout.toSeconds() + " s";
    }
}
