package org.onnxtoolkit.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code toolkit serve} in its own JVM, as a user starts it: started on a free port ({@code --port 0}), stopped
 * with SIGINT as Ctrl-C does.
 */
final class ServeProcess implements AutoCloseable {
    private static final Pattern URL = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");

    private final Process process;
    private final BufferedReader output;
    private final URI uri;
    private final StringBuilder seen = new StringBuilder();

    private ServeProcess(Process process, BufferedReader output, URI uri, String firstLine) {
        this.process = process;
        this.output = output;
        this.uri = uri;
        seen.append(firstLine).append('\n');
    }

    /** Starts {@code toolkit serve --run DIR --port 0} with the toolkit at {@code home}; returns once it listens. */
    static ServeProcess start(Path home, Path run) throws IOException {
        Path real = Path.of(System.getProperty("toolkit.home"));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-Dtoolkit.home=" + home, "-cp", real.resolve("lib") + "/*",
                "org.onnxtoolkit.runtime.cli.ToolkitCli", "serve", "--run", run.toString(), "--port", "0");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = r.readLine();
        Matcher m = URL.matcher(first == null ? "" : first);
        if (!m.find()) {
            String rest = first + "\n" + drain(r);
            p.destroyForcibly();
            throw new IOException("toolkit serve did not start:\n" + rest);
        }
        return new ServeProcess(p, r, URI.create(m.group(1)), first);
    }

    URI uri() {
        return uri;
    }

    /** Sends SIGINT (Ctrl-C) and waits for the exit; returns the exit code. Everything printed is in {@link #output()}. */
    int interrupt() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -INT failed");
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("toolkit serve did not stop after SIGINT:\n" + seen);
        }
        seen.append(drain(output));
        return process.exitValue();
    }

    String output() {
        return seen.toString();
    }

    private static String drain(BufferedReader r) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
