package org.onnxtoolkit.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunState;
import org.onnxtoolkit.runtime.cli.ToolkitCli;

/**
 * The work of one Spark task: trains one run of a sweep into its run folder with the toolkit's own
 * {@code train} command, in the executor's JVM, and returns its {@link SweepResult}.
 *
 * <p>A task attempt continues whatever an earlier one left: a complete run is reported without training, a
 * folder with a {@code run.json} is continued with {@code --resume} (from its last checkpoint), anything else
 * starts afresh. So Spark's retry of a task whose executor died resumes the run, and a sweep resumed with
 * {@code --resume} redoes nothing that was finished. The toolkit's usage errors (exit code 2) are reported at
 * once; other failures are thrown, so that Spark retries the task, until the last attempt, which reports the
 * failure instead of failing the whole sweep.
 *
 * <p>The executor needs the system property {@code toolkit.home} (the installed toolkit, for its plugins and
 * pre-built artifacts) and must see the sweep folder and the data at the same paths as the driver.
 * Serializable; holds only paths and numbers.
 */
final class SweepTask implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String LOGS = "logs";

    private final String sweepDir;
    private final int maxAttempts;

    /**
     * @param sweepDir    the sweep folder, as every executor sees it
     * @param maxAttempts Spark's {@code spark.task.maxFailures}: the attempt with this number reports a failure
     *                    instead of throwing it
     */
    SweepTask(Path sweepDir, int maxAttempts) {
        this.sweepDir = sweepDir.toAbsolutePath().toString();
        this.maxAttempts = maxAttempts;
    }

    SweepResult run(SweepRun spec) throws IOException {
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 1 : task.attemptNumber() + 1;
        int cpus = task == null ? 1 : Math.max(1, task.cpus());
        if (System.getProperty("toolkit.home") == null) {
            throw new IllegalStateException("the executor lacks the system property toolkit.home; set"
                    + " spark.executor.extraJavaOptions=-Dtoolkit.home=<the toolkit's folder on the workers>");
        }
        Path dir = Path.of(sweepDir).resolve(spec.name());
        RunDirectory run = RunDirectory.at(dir);
        RunState before = run.isRun() ? run.readState() : null;
        if (isComplete(run, before)) {
            return done(spec, before, attempt, true);
        }
        List<String> args = new ArrayList<>();
        args.add("train");
        if (run.isRun()) {
            args.add("--resume");
            args.add(dir.toString());
        } else {
            if (Files.isDirectory(dir)) {
                // An attempt killed before run.json was in place: only the lock and temporary files are there.
                RunFiles.removeStaleTemporaryFiles(dir);
            }
            args.addAll(spec.flags());
            if (spec.flags().stream().noneMatch(f -> f.equals("--threads") || f.startsWith("--threads="))) {
                args.add("--threads");
                args.add(Integer.toString(cpus));
            }
            args.add("--out");
            args.add(dir.toString());
        }
        Path log = Files.createDirectories(Path.of(sweepDir).resolve(LOGS)).resolve(spec.name() + ".log");
        int code;
        String lastError;
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            out.println("== " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " attempt " + attempt + " on "
                    + executor(task) + ": ./toolkit " + String.join(" ", args));
            ErrorTail err = new ErrorTail(out);
            code = ToolkitCli.commandLine(out, err.writer()).execute(args.toArray(String[]::new));
            err.writer().flush();
            lastError = err.last();
            out.println("== exit code " + code);
        }
        RunState after = run.isRun() ? run.readState() : null;
        if (code == ToolkitCli.OK && isComplete(run, after)) {
            return done(spec, after, attempt, false);
        }
        String why = lastError != null ? lastError : "./toolkit train ended with exit code " + code;
        if (code == ToolkitCli.USAGE || attempt >= maxAttempts) {
            return SweepResult.failed(spec, attempt, why, curve(after), seconds(after));
        }
        throw new SweepRunException(spec.name() + " (attempt " + attempt + "): " + why + "; see " + log);
    }

    private static String executor(TaskContext task) {
        if (task == null) {
            return "the driver";
        }
        String id = org.apache.spark.SparkEnv.get() == null ? "?" : org.apache.spark.SparkEnv.get().executorId();
        return "executor " + id + " (pid " + ProcessHandle.current().pid() + ")";
    }

    static boolean isComplete(RunDirectory run, RunState state) throws IOException {
        return state != null && Boolean.TRUE.equals(state.complete())
                && state.completedEpochs() >= run.readRecord().config().epochs();
    }

    private static SweepResult done(SweepRun spec, RunState state, int attempt, boolean reused) {
        List<Double> curve = curve(state);
        return new SweepResult(spec, SweepResult.Status.DONE, curve.size(), curve.get(curve.size() - 1),
                curve.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), seconds(state), attempt, reused,
                "", new ArrayList<>(curve));
    }

    private static List<Double> curve(RunState state) {
        return state == null ? List.of() : state.history().stream().map(EpochMetrics::testNegElbo).toList();
    }

    private static double seconds(RunState state) {
        return state == null ? 0 : state.history().stream().mapToDouble(EpochMetrics::seconds).sum();
    }

    /** The task failed in a way a new attempt may not (the executor ran out of something, a file was busy). */
    static final class SweepRunException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SweepRunException(String message) {
            super(message);
        }
    }

    /** A writer into the run's log that remembers the last line starting with {@code toolkit: }. */
    private static final class ErrorTail {
        private final StringBuilder line = new StringBuilder();
        private String last;
        private final PrintWriter writer;

        ErrorTail(PrintWriter log) {
            this.writer = new PrintWriter(new java.io.Writer() {
                @Override
                public void write(char[] buf, int off, int len) {
                    log.write(buf, off, len);
                    for (int i = off; i < off + len; i++) {
                        if (buf[i] == '\n') {
                            String l = line.toString();
                            if (l.startsWith("toolkit: ")) {
                                last = l.substring("toolkit: ".length());
                            }
                            line.setLength(0);
                        } else {
                            line.append(buf[i]);
                        }
                    }
                }

                @Override
                public void flush() {
                    log.flush();
                }

                @Override
                public void close() {
                    flush();
                }
            }, true);
        }

        PrintWriter writer() {
            return writer;
        }

        String last() {
            return last;
        }
    }
}
