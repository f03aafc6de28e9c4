package org.onnxtoolkit.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskEndReason;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.compiler.io.Json;
import org.onnxtoolkit.runtime.cli.Errors;
import org.onnxtoolkit.runtime.cli.ToolkitCli;
import org.onnxtoolkit.runtime.cli.UsageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code toolkit sweep}: one training per combination of the {@code --grid} values, each an ordinary run folder
 * under the sweep folder, trained as one Spark task; then {@code sweep.csv} and {@code sweep.png}. The sweep's
 * definition is kept in {@value #SWEEP_JSON}, so that {@code --resume DIR} continues it: finished runs are not
 * trained again, interrupted ones resume from their checkpoints.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train one run per combination of --grid values as Apache Spark tasks; writes a run folder"
                + " per combination, sweep.csv and sweep.png.",
                "Every other flag is passed to ./toolkit train (see ./toolkit train --help)."},
        footer = {"", "Examples:",
                "  ./toolkit sweep --spark local[2] --grid lr=0.001,0.003 --grid latent=2,8 --epochs 5 --out sweeps/lr",
                "  ./toolkit sweep --spark spark://head:7077 --grid kl-weight=0.5,1 --dataset fashion-mnist"
                        + " --data-dir /shared/fmnist --out /shared/sweeps/kl",
                "  ./toolkit sweep --resume sweeps/lr",
                "", "The sweep folder and the data must be at the same path on the driver and every worker.",
                "Exit codes: 0 every run done, 1 a run failed or the cluster failed, 2 a usage error."})
final class SweepCommand implements Callable<Integer> {
    static final String SWEEP_JSON = "sweep.json";

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Spark master: local[N], local[N,RETRIES] or spark://host:port (default: spark-submit's"
                    + " --master; with --resume: the sweep's)")
    String master;

    @Option(names = "--grid", paramLabel = "KEY=V1,V2,...",
            description = "a train flag (without --) and its values; repeatable, every combination is trained")
    List<String> grid = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "the sweep folder (new or empty)")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "continue the sweep in DIR")
    Path resume;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark setting, repeatable (for example"
            + " spark.executor.memory=2g)")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @CommandLine.Unmatched
    List<String> trainFlags = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * What {@value #SWEEP_JSON} records.
     *
     * @param master the Spark master it was started with
     * @param grid   the {@code --grid} texts
     * @param flags  the train flags common to every run
     */
    record SweepDefinition(String master, List<String> grid, List<String> flags) {
        SweepDefinition {
            grid = List.copyOf(grid);
            flags = List.copyOf(flags);
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        if (System.getProperty("toolkit.home") == null) {
            throw new IllegalStateException("system property toolkit.home is not set; start the sweep with ./toolkit, or"
                    + " give spark-submit --driver-java-options -Dtoolkit.home=<the toolkit's folder>");
        }
        Path dir;
        SweepDefinition definition;
        if (resume != null) {
            if (out != null || !grid.isEmpty() || !trainFlags.isEmpty()) {
                throw new UsageException("--resume continues a sweep with its stored grid and flags; give only"
                        + " --resume DIR (and optionally --spark, --conf)");
            }
            dir = resume;
            Path file = dir.resolve(SWEEP_JSON);
            if (!Files.isRegularFile(file)) {
                throw new UsageException(dir + " is not a sweep folder: " + SWEEP_JSON + " is missing");
            }
            try {
                definition = Json.MAPPER.readValue(Files.readString(file, StandardCharsets.UTF_8), SweepDefinition.class);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IOException(file + " is damaged: " + e.getOriginalMessage() + " (nothing was changed)", e);
            }
            if (master != null) {
                definition = new SweepDefinition(master, definition.grid(), definition.flags());
            }
        } else {
            if (out == null) {
                throw new UsageException("give --out DIR for a new sweep, or --resume DIR to continue one");
            }
            if (master == null) {
                // Under spark-submit, its --master arrives as this system property.
                master = System.getProperty("spark.master");
            }
            if (master == null) {
                throw new UsageException("give --spark MASTER: local[N] on this machine, or spark://host:port");
            }
            dir = out;
            if (Files.exists(dir) && !isEmptyDir(dir)) {
                throw new UsageException("sweep folder " + dir + " already exists and is not empty; continue it with"
                        + " --resume " + dir + " or choose another --out");
            }
            definition = new SweepDefinition(master, grid, trainFlags);
        }
        SweepGrid parsed;
        try {
            parsed = SweepGrid.parse(definition.grid());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        CommandLine.Model.CommandSpec train = ToolkitCli.commandLine(new PrintWriter(java.io.Writer.nullWriter()),
                new PrintWriter(java.io.Writer.nullWriter())).getSubcommands().get("train").getCommandSpec();
        for (String key : parsed.keys()) {
            if (train.findOption("--" + key) == null) {
                throw new UsageException("--grid " + key + ": ./toolkit train has no flag --" + key
                        + " (./toolkit train --help lists them)");
            }
        }
        List<SweepRun> runs = SweepRun.of(parsed, definition.flags());
        for (SweepRun run : runs) {
            checkTrainFlags(run);
        }
        if (resume == null) {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(SWEEP_JSON), Json.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(definition));
        }
        SparkConf sparkConf = SparkSetup.conf(definition.master(), "toolkit sweep " + dir.getFileName(), conf);
        int maxAttempts = SparkSetup.maxAttempts(sparkConf);
        console.printf("sweep of %d run%s on %s -> %s%n", runs.size(), runs.size() == 1 ? "" : "s",
                definition.master(), dir);
        console.flush();
        List<SweepResult> results;
        long t0 = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
            sc.setLogLevel("ERROR");
            sc.sc().addSparkListener(new TaskReporter(runs, console, spec.commandLine().getErr(), maxAttempts));
            SweepTask task = new SweepTask(dir, maxAttempts);
            results = sc.parallelize(runs, runs.size()).map(task::run).collect();
        } catch (Exception e) {
            // Spark's job failures are checked SparkExceptions that Scala throws undeclared.
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("the sweep stopped: " + Errors.oneLine(e) + "; finished runs are kept, continue"
                    + " with ./toolkit sweep --resume " + dir, e);
        }
        List<SweepResult> ordered = results.stream().sorted(Comparator.comparingInt(r -> r.run().index())).toList();
        SweepReport.write(dir, parsed.keys(), ordered);
        for (SweepResult r : ordered) {
            console.println(summary(r));
        }
        long failed = ordered.stream().filter(r -> r.status() == SweepResult.Status.FAILED).count();
        console.printf(Locale.ROOT, "%s: %d done, %d failed in %.0f s; %s%n", failed == 0 ? "done" : "finished",
                ordered.size() - failed, failed, (System.nanoTime() - t0) / 1e9, dir.resolve(SweepReport.CSV));
        console.flush();
        return failed == 0 ? ToolkitCli.OK : ToolkitCli.FAILURE;
    }

    private static String summary(SweepResult r) {
        String how = r.reused() ? " (already done)" : r.attempts() > 1 ? " (attempt " + r.attempts() + ")" : "";
        if (r.status() == SweepResult.Status.FAILED) {
            return String.format(Locale.ROOT, "  %-40s failed%s: %s", r.run().name(), how, r.message());
        }
        return String.format(Locale.ROOT, "  %-40s final %.2f, best %.2f nats/image, %d epochs, %.0f s%s",
                r.run().name(), r.finalTestNegElbo(), r.bestTestNegElbo(), r.epochs(), r.seconds(), how);
    }

    /** Parses a run's train command line here, so that a mistyped flag or value stops the sweep before Spark. */
    private static void checkTrainFlags(SweepRun run) {
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(run.flags());
        args.addAll(List.of("--out", "unused"));
        PrintWriter sink = new PrintWriter(java.io.Writer.nullWriter());
        try {
            ToolkitCli.commandLine(sink, sink).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException("run " + run.name() + ": " + e.getMessage() + " (the flags after the sweep's own"
                    + " are ./toolkit train's)");
        }
    }

    private static boolean isEmptyDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /**
     * Reports the tasks as Spark ends them: a finished run on stdout, a failed attempt on stderr with Spark's
     * reason and whether Spark retries it. Called on Spark's listener thread.
     */
    private static final class TaskReporter extends SparkListener {
        private final List<SweepRun> runs;
        private final PrintWriter out;
        private final PrintWriter err;
        private final int maxAttempts;
        private int ended;

        TaskReporter(List<SweepRun> runs, PrintWriter out, PrintWriter err, int maxAttempts) {
            this.runs = runs;
            this.out = out;
            this.err = err;
            this.maxAttempts = maxAttempts;
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            TaskEndReason reason = end.reason();
            int index = end.taskInfo().index();
            String name = index >= 0 && index < runs.size() ? runs.get(index).name() : "task " + index;
            if (reason instanceof org.apache.spark.Success$) {
                synchronized (out) {
                    ended++;
                    out.printf(Locale.ROOT, "  [%d/%d] %s ended on executor %s after %.0f s%n", ended, runs.size(), name,
                            end.taskInfo().executorId(), end.taskInfo().duration() / 1000.0);
                    out.flush();
                }
                return;
            }
            int attempt = end.taskInfo().attemptNumber() + 1;
            String why = reason instanceof org.apache.spark.TaskFailedReason failed ? failed.toErrorString()
                    : reason.toString();
            synchronized (err) {
                err.println("toolkit: run " + name + " (attempt " + attempt + ") failed on executor "
                        + end.taskInfo().executorId() + ": " + Errors.oneLine(new RuntimeException(why))
                        + (attempt < maxAttempts ? "; Spark retries it" : ""));
                err.flush();
            }
        }
    }
}
