package org.onnxtoolkit.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.onnxtoolkit.runtime.cli.ToolkitCli;

/** Runs the CLI in-process, as {@code ./toolkit} would, and captures what it prints. */
final class Cli {
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ToolkitCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
