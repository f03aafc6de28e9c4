package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunState;

/**
 * Ctrl-C for real: the CLI runs in its own JVM, receives SIGINT in the middle of training, writes a
 * checkpoint and exits with 130; {@code --resume} then finishes the run with exactly the parameters of an
 * uninterrupted run.
 */
class InterruptIT {
    @TempDir
    Path tmp;

    private static final String[] RUN = {"--epochs", "2", "-D", "train-size=20000", "-D", "test-size=500",
            "--max-test", "200"};

    @Test
    void sigintWritesACheckpointAndResumeIsBitIdentical() throws Exception {
        Path home = Path.of(System.getProperty("toolkit.home"));
        Path interrupted = tmp.resolve("interrupted");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-Dtoolkit.home=" + home, "-cp", home.resolve("lib") + "/*",
                "org.onnxtoolkit.runtime.cli.ToolkitCli", "train", "--out", interrupted.toString()));
        cmd.addAll(List.of(RUN));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            while (line != null && !line.startsWith("training ")) {
                output.append(line).append('\n');
                line = r.readLine();
            }
            output.append(line).append('\n');
            Thread.sleep(1500);
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
            assertEquals(0, kill.waitFor());
            for (String rest = r.readLine(); rest != null; rest = r.readLine()) {
                output.append(rest).append('\n');
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI did not exit after SIGINT");
        assertEquals(130, p.exitValue(), output.toString());
        assertTrue(output.toString().contains("checkpoint written"), output.toString());
        RunState state = RunDirectory.at(interrupted).readState();
        assertTrue(state != null && state.completedEpochs() < 2, "stopped before the end: " + state);

        Cli.Result resumed = Cli.run("train", "--resume", interrupted.toString());
        assertEquals(0, resumed.exitCode(), resumed.toString());
        Path straight = tmp.resolve("straight");
        List<String> args = new ArrayList<>(List.of("train", "--out", straight.toString()));
        args.addAll(List.of(RUN));
        assertEquals(0, Cli.run(args.toArray(String[]::new)).exitCode());

        CheckpointContents a = CheckpointReader.read(straight.resolve("checkpoints/epoch-002.ckpt"));
        CheckpointContents b = CheckpointReader.read(interrupted.resolve("checkpoints/epoch-002.ckpt"));
        for (NamedTensor t : a.trainableParameters()) {
            assertArrayEquals(t.data(), CliEndToEndIT.param(b, t.name()), t.name());
        }
        assertTrue(Files.isRegularFile(interrupted.resolve("decoder.onnx")));
    }
}
