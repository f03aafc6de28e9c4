package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need root (a device node made with {@code mknod}, a small {@code tmpfs} to fill). Without root they
 * skip, saying why; in CI ({@code TOOLKIT_CI=1}, which runs as root) a missing privilege fails them instead, so
 * that they can never silently not run there.
 */
final class RootOnly {
    private RootOnly() {
    }

    /** Skips (or in CI fails) the calling test unless this process runs as root. */
    static void require(String what) {
        if (!isRoot()) {
            unavailable(what + " needs root");
        }
    }

    /** Runs a system command that needs root; skips (or in CI fails) the test when it fails. */
    static void run(String what, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        if (p.exitValue() != 0) {
            unavailable(what + ": " + String.join(" ", command) + " failed: " + output.strip());
        }
    }

    /** Makes a character device node at {@code path} (major 1, minor 3: the same device as /dev/null). */
    static Path characterDevice(Path path) throws IOException, InterruptedException {
        require("a device node");
        run("a device node", "mknod", path.toString(), "c", "1", "3");
        return path;
    }

    /** Mounts a tmpfs of {@code kilobytes} at {@code dir}; unmount it with {@link #unmount}. */
    static void mountTmpfs(Path dir, int kilobytes) throws IOException, InterruptedException {
        require("a full disk (a small tmpfs)");
        run("a full disk (a small tmpfs)", "mount", "-t", "tmpfs", "-o", "size=" + kilobytes + "k", "tmpfs", dir.toString());
    }

    static void unmount(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "umount " + dir);
    }

    static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("mkfifo", path.toString())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo " + path);
        return path;
    }

    static boolean isRoot() {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of("id", "-u"))).start();
            String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            return p.waitFor(10, TimeUnit.SECONDS) && uid.equals("0");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void unavailable(String reason) {
        if ("1".equals(System.getenv("TOOLKIT_CI"))) {
            fail(reason + ", and CI (TOOLKIT_CI=1) runs as root with mknod and mount: this test must run there");
        }
        Assumptions.abort(reason + "; skipped (CI runs it as root)");
    }
}
