package org.onnxtoolkit.compiler.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds and runs the system peers some tests compare against (Debian's {@code python3-onnx} and
 * {@code python3-torch}). A test whose peer is missing skips with the reason; {@code .ci/run} installs them
 * all and fails on any skip.
 */
public final class ExternalTools {
    /** Debian's interpreter, which sees the {@code python3-*} packages (a pyenv python3 on PATH does not). */
    public static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

    private ExternalTools() {
    }

    /** The output of a finished process. */
    public record Result(int exitCode, String output) {
    }

    /** True when {@code /usr/bin/python3} can import {@code module}. */
    public static boolean pythonHas(String module) {
        if (!Files.isExecutable(SYSTEM_PYTHON)) {
            return false;
        }
        try {
            return run(List.of(SYSTEM_PYTHON.toString(), "-c", "import " + module), 120).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code /usr/bin/python3 -c script args...}, merging stderr into the output. */
    public static Result python(String script, List<String> args, int timeoutSeconds) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SYSTEM_PYTHON.toString(), "-c", script));
        cmd.addAll(args);
        return run(cmd, timeoutSeconds);
    }

    public static Result run(List<String> command, int timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + command, e);
        }
    }
}
