package org.onnxtoolkit.runtime.cli;

import java.io.PrintWriter;
import java.util.List;
import org.onnxtoolkit.engine.ort.Ort;
import org.onnxtoolkit.engine.ort.OrtLog;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code toolkit} command line. Exit codes, in one place: 0 success; 1 what is inside files is wrong (a
 * damaged model, run record or picture) or a runtime failure (one line on stderr; the stack trace only with
 * {@code --verbose}); 2 what the user typed is wrong: a flag, a path that does not exist, a path that names a
 * folder, device or named pipe where a file is expected (one line, see {@link Errors#exitCode}); 130 interrupted
 * after writing a checkpoint. ONNX Runtime's own log lines reach stderr only with {@code --verbose}.
 */
@Command(name = "toolkit", mixinStandardHelpOptions = true, versionProvider = ToolkitVersion.Provider.class,
        description = "Train generative image models with ONNX Runtime's training API and export decoder.onnx.",
        footer = {"", "Examples:", "  ./toolkit train", "  ./toolkit train --arch mlp-vae --dataset fashion-mnist --epochs 10",
                "  ./toolkit sample --model runs/<run>/decoder.onnx --out samples.png",
                "  ./toolkit serve --run runs/<run>",
                "", "On Apache Spark (a separate class path, see docs/spark.md):",
                "  ./toolkit sweep --spark spark://host:7077 --grid lr=0.001,0.003 --out sweeps/lr"})
public final class ToolkitCli implements Runnable {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int INTERRUPTED = 130;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try --help)");
    }

    /**
     * The commands, in the order {@code --help} lists them. Added to the command line in code rather than in the
     * annotation so that {@link #main} can build only the one it runs: picocli reflects over every option of
     * every command it is given, which took about 0.06 s of each start for the ten commands not run.
     */
    static final List<Class<?>> COMMANDS = List.of(TrainCommand.class, SampleCommand.class, ReconstructCommand.class,
            InterpolateCommand.class, ManifoldCommand.class, ExportCommand.class, ServeCommand.class,
            PluginsCommand.class, ArtifactsCommand.class, BenchmarkCommand.class, EvaluateCommand.class,
            CommandLine.HelpCommand.class);

    /** A command line with every command, wired with the toolkit's error handling, writing to the given streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /**
     * As {@link #commandLine(PrintWriter, PrintWriter)}, with only the command named {@code only} when it names
     * one other than {@code help} (which needs the others to describe them); every command otherwise, so that
     * {@code --help}, {@code --version} and a mistyped command name read as always.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String only) {
        boolean known = only != null && !only.equals("help") && COMMANDS.stream().anyMatch(c -> name(c).equals(only));
        CommandLine cl = new CommandLine(new ToolkitCli());
        for (Class<?> command : COMMANDS) {
            if (!known || name(command).equals(only)) {
                cl.addSubcommand(name(command), command);
            }
        }
        return wired(cl, out, err);
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /**
     * The commands that open ONNX Runtime sessions: ORT's natives load, and the cores' load is measured for the
     * spinning policy, on a background thread while they parse their input and load plugins.
     */
    private static final java.util.Set<String> SESSION_COMMANDS = java.util.Set.of("train", "sample", "reconstruct",
            "interpolate", "manifold", "evaluate", "serve", "export", "benchmark");

    /**
     * A command line for {@code root} (an annotated picocli command) with the toolkit's help layout, one-line
     * errors and exit codes; shared by entry points that live in other modules (the Spark commands), so that
     * every {@code toolkit} command reports the same way.
     */
    public static CommandLine wired(Object root, PrintWriter out, PrintWriter err) {
        return wired(new CommandLine(root), out, err);
    }

    /** As {@link #wired(Object, PrintWriter, PrintWriter)}, for a command line whose subcommands are added. */
    private static CommandLine wired(CommandLine cl, PrintWriter out, PrintWriter err) {
        cl.setOut(out);
        cl.setErr(err);
        // Help fits the terminal it is shown in (80 columns where the width cannot be found); --kernels ort_fused
        // works like ORT_FUSED.
        cl.setUsageHelpAutoWidth(true);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("toolkit: " + ex.getMessage());
            c.getErr().flush();
            return USAGE;
        });
        // picocli hands only Exceptions to the handler below; a plugin class that fails to link
        // (NoClassDefFoundError) or an exhausted heap would otherwise end in a JVM stack trace.
        cl.setExecutionStrategy(parsed -> {
            // ONNX Runtime's own log lines reach stderr only with --verbose; otherwise the one line below says it all.
            OrtLog.echo(verbose(parsed));
            CommandLine.ParseResult leaf = parsed;
            while (leaf.subcommand() != null) {
                leaf = leaf.subcommand();
            }
            if (SESSION_COMMANDS.contains(leaf.commandSpec().name()) && !leaf.isUsageHelpRequested()
                    && !leaf.isVersionHelpRequested()) {
                Ort.preloadInBackground();
            }
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (LinkageError | OutOfMemoryError e) {
                throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), Errors.oneLine(e),
                        new IllegalStateException(Errors.oneLine(e), e));
            }
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UsageException) {
                c.getErr().println("toolkit: " + ex.getMessage());
                c.getErr().flush();
                return USAGE;
            }
            int code = Errors.exitCode(ex);
            c.getErr().println("toolkit: " + Errors.oneLine(ex));
            if (verbose(parsed)) {
                ex.printStackTrace(c.getErr());
            } else if (code != USAGE) {
                c.getErr().println("(run with --verbose for details)");
            }
            c.getErr().flush();
            return code;
        });
        return cl;
    }

    /**
     * Whether the arguments start with a command that opens ONNX Runtime sessions and ask for no help or
     * version: then {@link #main} starts loading ORT's natives before the command line is parsed, on the other
     * core, since building picocli's model of the commands takes about a quarter of a second of the start.
     * Arguments that turn out to be wrong cost only that background work: the process exits with its one line.
     */
    static boolean startsSessions(String[] args) {
        if (args.length == 0 || !SESSION_COMMANDS.contains(args[0])) {
            return false;
        }
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
        }
        return true;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        return parsed.hasMatchedOption("--verbose")
                || parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose");
    }

    public static void main(String[] args) {
        if (startsSessions(args)) {
            Ort.preloadInBackground();
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err, args.length > 0 ? args[0] : null).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
