package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node.js peers of the end-to-end tests: onnxruntime-node and playwright-core, installed by the build
 * ({@code src/build/npm-install.sh}, pre-integration-test) into {@code target/node-test} together with the
 * scripts of {@code src/test/node}, and the system Chromium. A test whose peer is missing skips with the reason;
 * {@code .ci/run} installs them all and fails on any skip.
 */
final class NodePeers {
    /** Where the build installed the peers and copied the scripts. */
    static final Path DIR = Path.of(System.getProperty("toolkit.node.dir", "target/node-test"));
    /** Debian's Chromium; {@code -Dtoolkit.chromium=PATH} (and TOOLKIT_CHROMIUM for the script) for another. */
    static final Path CHROMIUM = Path.of(System.getProperty("toolkit.chromium", "/usr/bin/chromium"));

    private NodePeers() {
    }

    /** The output of a finished process. */
    record Result(int exitCode, String output) {
    }

    /** Skips the calling test unless {@code node} and the npm packages of the tests are installed. */
    static void assumeInstalled() {
        assumeTrue(onPath("node"), "node (Node.js 18+) is not installed; .ci/run installs it");
        Path note = DIR.resolve("NOT-INSTALLED");
        assumeFalse(Files.isRegularFile(note), () -> "the Node test peers (onnxruntime-node, playwright-core) are not"
                + " installed: " + firstLine(note));
        assumeTrue(Files.isDirectory(DIR.resolve("node_modules/onnxruntime-node")),
                () -> "onnxruntime-node is not installed in " + DIR + " (the build installs it when npm is available)");
    }

    /** Skips the calling test unless the system Chromium is there. */
    static void assumeChromium() {
        assumeTrue(Files.isExecutable(CHROMIUM), () -> "Chromium is not installed at " + CHROMIUM
                + " (apt-get install chromium); .ci/run installs it");
    }

    /** Skips the calling test unless the toolkit at {@code home} bundles onnxruntime-web. */
    static void assumeWebRuntime(Path home) {
        Path note = home.resolve("web/NOT-BUNDLED");
        assumeFalse(Files.isRegularFile(note), () -> "this toolkit build has no onnxruntime-web: " + firstLine(note));
        assumeTrue(Files.isRegularFile(home.resolve("web/onnxruntime-web/ort.wasm.min.js")),
                () -> "this toolkit build has no onnxruntime-web under " + home.resolve("web"));
    }

    /** Runs {@code node SCRIPT args...} in {@link #DIR}, merging stderr into the output. */
    static Result node(String script, int timeoutSeconds, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("node", script));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true);
        pb.environment().put("TOOLKIT_CHROMIUM", CHROMIUM.toString());
        Process p = pb.start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + cmd, e);
        }
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("(no reason given)");
        } catch (IOException e) {
            return "(cannot read " + file + ")";
        }
    }
}
