package org.onnxtoolkit.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The CLI in its own JVM, started as the {@code ./toolkit} launcher starts it, for tests that kill it, signal
 * it, or run a second process beside it. Its stdout and stderr are collected as they come; stdin stays open
 * for the {@code toolkit.test.pauseAt} hook. Not thread-safe except for the output buffers.
 */
final class ToolkitProcess implements AutoCloseable {
    /** The JVM option of the trainer's test hook that halts the JVM at a stage, as SIGKILL would. */
    static String haltAt(String stage) {
        return "-Dtoolkit.test.haltAt=" + stage;
    }

    /** The JVM option of the trainer's test hook that waits at a stage for a line on stdin. */
    static String pauseAt(String stage) {
        return "-Dtoolkit.test.pauseAt=" + stage;
    }

    private final Process process;
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();
    private final List<String> args;
    private final Thread outPump;
    private final Thread errPump;

    private ToolkitProcess(Process process, List<String> args) {
        this.process = process;
        this.args = args;
        this.outPump = pump(process.getInputStream(), out);
        this.errPump = pump(process.getErrorStream(), err);
    }

    static ToolkitProcess start(Path workDir, List<String> jvmOptions, String... args) throws IOException {
        Process p = new ProcessBuilder(Cli.javaCommand(jvmOptions, args)).directory(workDir.toFile()).start();
        return new ToolkitProcess(p, List.of(args));
    }

    private static Thread pump(InputStream in, StringBuffer into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    into.append(line).append('\n');
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, "toolkit-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    long pid() {
        return process.pid();
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Polls every millisecond until {@code condition} holds; false when the process ended or time ran out first. */
    boolean awaitCondition(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (!process.isAlive()) {
                return condition.getAsBoolean();
            }
            Thread.sleep(1);
        }
        return false;
    }

    /** Waits until the pause hook reports {@code stage}. */
    void awaitPause(String stage) throws InterruptedException {
        String line = "toolkit: test hook: paused at " + stage;
        if (!awaitCondition(() -> err().contains(line), 120_000)) {
            throw new AssertionError("the process did not pause at " + stage + ":\n" + this);
        }
    }

    /** Lets a paused process go on. */
    void resumeFromPause() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write('\n');
        in.flush();
    }

    /** SIGKILL, as {@code kill -9}. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Sends a signal ({@code INT}, {@code TERM}) with {@code kill}. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Waits for the exit code (at most 3 minutes). */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("toolkit " + String.join(" ", args) + " did not end in 3 minutes:\n" + this);
        }
        // The output threads end at end of stream, after the last line the process wrote.
        outPump.join(10_000);
        errPump.join(10_000);
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return "toolkit " + String.join(" ", args) + "\n--- out\n" + out + "--- err\n" + err;
    }
}
