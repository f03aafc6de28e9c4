package org.onnxtoolkit.spark;

import java.io.PrintWriter;
import org.onnxtoolkit.runtime.cli.ToolkitCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The toolkit's Spark commands ({@code ./toolkit sweep}): a separate entry point, started by the launcher with
 * the {@code spark/jars} class path, so that the ordinary commands never load Spark. Exit codes as
 * {@link ToolkitCli}'s: 0 done, 1 a failure (a run of the sweep failed, the cluster could not run it), 2 a
 * usage error.
 */
@Command(name = "toolkit", mixinStandardHelpOptions = true, subcommands = {SweepCommand.class},
        description = "The toolkit's commands that run on an Apache Spark cluster.")
public final class SparkToolkit implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try sweep --help)");
    }

    /** A command line with the toolkit's error handling, writing to the given streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SparkToolkit());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("toolkit: " + ex.getMessage());
            ex.getCommandLine().getErr().flush();
            return ToolkitCli.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            boolean usage = ex instanceof SweepCommand.UsageException;
            c.getErr().println("toolkit: " + oneLine(ex));
            boolean verbose = parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose");
            if (verbose) {
                ex.printStackTrace(c.getErr());
            } else if (!usage) {
                c.getErr().println("(run with --verbose for details)");
            }
            c.getErr().flush();
            return usage ? ToolkitCli.USAGE : ToolkitCli.FAILURE;
        });
        return cl;
    }

    /** The first line of the innermost meaningful message. */
    static String oneLine(Throwable t) {
        String msg = t.getMessage();
        if ((msg == null || msg.isBlank()) && t.getCause() != null && t.getCause() != t) {
            return oneLine(t.getCause());
        }
        if (msg == null || msg.isBlank()) {
            return "internal error (" + t.getClass().getName() + "); run with --verbose and report it";
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
