package org.onnxtoolkit.e2e;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    /**
     * Runs the CLI in a new JVM with the java command line of the {@code ./toolkit} launcher (the assembled
     * distribution's {@code lib/}), so the result holds everything the process writes to stdout and stderr,
     * logging included, not only what the CLI prints.
     */
    static Result runInNewJvm(Path workDir, String... args) throws IOException, InterruptedException {
        return runInNewJvm(workDir, List.of(), args);
    }

    /** As {@link #runInNewJvm(Path, String...)}, with extra JVM options (as in {@code TOOLKIT_JAVA_OPTS}). */
    static Result runInNewJvm(Path workDir, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = javaCommand(jvmOptions, args);
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("toolkit " + String.join(" ", args) + " did not finish in 2 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * The java command line of the {@code ./toolkit} launcher (the assembled distribution's {@code lib/}),
     * with {@code jvmOptions} (for example {@code -Dtoolkit.test.haltAt=export}) before the main class.
     */
    static List<String> javaCommand(List<String> jvmOptions, String... args) {
        Path home = Path.of(System.getProperty("toolkit.home"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-Dtoolkit.home=" + home));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", home.resolve("lib") + "/*", "org.onnxtoolkit.runtime.cli.ToolkitCli"));
        command.addAll(List.of(args));
        return command;
    }
}
