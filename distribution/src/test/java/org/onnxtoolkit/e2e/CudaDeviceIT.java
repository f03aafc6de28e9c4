package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.engine.ort.CudaEnvironment;

/**
 * {@code --device cuda} with the CPU build (CI's): one line naming the missing GPU natives and how to get them,
 * exit code 1 (the machine or build must change, not the command line), no stack trace, and nothing written.
 */
class CudaDeviceIT {
    private static final String NATIVES = "cuda:0 requested but the toolkit was built without GPU natives";

    @TempDir
    Path tmp;

    @BeforeEach
    void cpuBuild() {
        assumeTrue(getClass().getClassLoader().getResource(CudaEnvironment.GPU_NATIVES_RESOURCE) == null,
                "built with the GPU natives (profile gpu): these checks are for the CPU build");
    }

    @Test
    void trainOnCudaWithTheCpuBuild() {
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--device", "cuda", "--epochs", "1", "--out", run.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("toolkit: " + NATIVES), r.err());
        assertTrue(r.err().contains("rebuild with TOOLKIT_GPU=1 ./toolkit ... (Maven profile gpu"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "one line (plus the --verbose hint):\n" + r.err());
        assertFalse(Files.exists(run), "no run folder is started for a device that cannot run");
    }

    @Test
    void benchmarkOnCudaWithTheCpuBuild() {
        Cli.Result r = Cli.run("benchmark", "--device", "cuda:1", "--steps", "1");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("toolkit: cuda:1 requested but the toolkit was built without GPU natives"),
                r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void resumeOnCudaWithTheCpuBuildLeavesTheRunAsItWas() {
        Path run = tmp.resolve("resumable");
        Cli.Result first = Cli.run("train", "--epochs", "1", "--max-train", "64", "--max-test", "32", "-D",
                "train-size=64", "-D", "test-size=32", "--out", run.toString());
        assertEquals(0, first.exitCode(), first.toString());
        Cli.Result r = Cli.run("train", "--resume", run.toString(), "--epochs", "2", "--device", "cuda");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("toolkit: " + NATIVES), r.err());
    }
}
