package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up between a run's last checkpoint and its export, on a small tmpfs (mounting one needs
 * root: without it the test skips, except in CI, where {@code TOOLKIT_CI=1} makes it fail). The run ends with
 * one line naming the file it could not write, loses nothing, refuses again while the disk is full, and once
 * space is freed {@code --resume} writes the models, byte for byte those of an uninterrupted run.
 */
class FullDiskIT {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskBeforeTheExportFailsWithOneLineAndResumeFinishesTheModels() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        mountTmpfs(disk, "48m");
        try {
            Path reference = tmp.resolve("reference");
            assertEquals(0, Cli.run(CrashResumeIT.args(reference)).exitCode());
            Path run = disk.resolve("run");
            String expected = "toolkit: could not write " + run.resolve("decoder.onnx") + " (no space left on device; free"
                    + " some space or write somewhere else); nothing written before is lost: fix that and continue with"
                    + " ./toolkit train --resume " + run;
            Path filler = disk.resolve("filler");
            try (ToolkitProcess p = ToolkitProcess.start(tmp, List.of(ToolkitProcess.pauseAt("export")),
                    CrashResumeIT.args(run))) {
                p.awaitPause("export");
                fill(filler);
                p.resumeFromPause();
                assertEquals(1, p.waitFor(), p.toString());
                List<String> lines = p.err().lines().filter(l -> !l.startsWith("toolkit: test hook:")).toList();
                assertEquals(List.of(expected, "(run with --verbose for details)"), lines, p.toString());
            }
            assertFalse(Files.exists(run.resolve("decoder.onnx")));
            assertEquals(List.of(), RunFolders.temporaryFiles(run), "a failed write removes its temporary file");
            assertFalse(RunFolders.readJson(run.resolve("state.json")).get("complete").asBoolean());

            Map<String, String> before = RunFolders.hashes(run);
            Cli.Result stillFull = Cli.run("train", "--resume", run.toString());
            assertEquals(1, stillFull.exitCode(), stillFull.toString());
            assertTrue(stillFull.err().startsWith(expected + "\n"), stillFull.err());
            assertEquals(before, RunFolders.hashes(run), "nothing changed while the disk was full");

            Files.delete(filler);
            Cli.Result resumed = Cli.run("train", "--resume", run.toString());
            assertEquals(0, resumed.exitCode(), resumed.toString());
            assertTrue(resumed.out().contains("the run's 2 epochs are trained but decoder.onnx, encoder.onnx,"
                    + " manifold.png are missing; writing them from"), resumed.out());
            RunFolders.assertSameRun(reference, run, "after the disk was freed");
            System.out.println("[full-disk] " + expected);
        } finally {
            run(List.of("umount", disk.toString()));
        }
    }

    /** Writes {@code file} until the file system is full. */
    private static void fill(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int block : new int[] {1 << 20, 4096, 1}) {
                byte[] bytes = new byte[block];
                try {
                    while (true) {
                        out.write(bytes);
                    }
                } catch (IOException full) {
                    // Full at this block size; try smaller blocks.
                }
            }
        } catch (IOException closingAFullFile) {
            // The last flush can fail too; the file keeps what fitted.
        }
    }

    /** Mounts a tmpfs of {@code size}; without root (or mount) skips, or fails in CI. */
    static void mountTmpfs(Path dir, String size) throws IOException, InterruptedException {
        String why = null;
        ProcessResult id = run(List.of("id", "-u"));
        if (!id.output().strip().equals("0")) {
            why = "mounting a small tmpfs needs root (this test runs as uid " + id.output().strip() + ")";
        } else {
            ProcessResult mount = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()));
            if (mount.exitCode() != 0) {
                why = "mount -t tmpfs failed: " + mount.output().strip();
            }
        }
        if (why != null) {
            if ("1".equals(System.getenv("TOOLKIT_CI"))) {
                Assertions.fail(why + "; CI runs as root with mount available, so this must not skip");
            }
            Assumptions.abort(why);
        }
    }

    record ProcessResult(int exitCode, String output) {
    }

    static ProcessResult run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new ProcessResult(-1, "timed out: " + command);
        }
        return new ProcessResult(p.exitValue(), out);
    }
}
