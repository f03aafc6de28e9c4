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

    /** A command line with the toolkit's error handling (one line, exit codes; see {@link ToolkitCli#wired}). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return ToolkitCli.wired(new SparkToolkit(), out, err);
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
