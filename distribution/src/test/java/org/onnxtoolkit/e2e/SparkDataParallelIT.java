package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunState;

/**
 * {@code ./toolkit train --spark}: data-parallel training on a real Spark standalone cluster on loopback (a master
 * and two one-core workers in their own JVMs, {@link SparkCluster}). Two workers train two epochs; one executor
 * JVM dies in the middle of its task in the first epoch (the test hook halts it as SIGKILL would), Spark retries
 * the task and the run completes with exactly the metrics of the same training on {@code local[2]} in another
 * JVM (a task is a pure function of the broadcast checkpoint and the round's numbers). The run folder is an
 * ordinary one: {@code --resume} continues it on the cluster, and again without Spark.
 */
class SparkDataParallelIT {
    /** 2048 images in batches of 32: 64 batches per epoch, rounds of 2 workers x 2 steps. */
    private static final List<String> TRAINING = List.of("--workers", "2", "--sync-every", "2", "--epochs", "2",
            "--batch-size", "32", "-D", "train-size=2048", "-D", "test-size=256", "--threads", "1");

    private static List<String> loopback(SparkCluster cluster, String... executorOptions) {
        List<String> flags = new ArrayList<>(List.of("--spark", cluster.masterUrl(),
                "--spark-conf", "spark.driver.host=127.0.0.1", "--spark-conf", "spark.driver.bindAddress=127.0.0.1",
                "--spark-conf", "spark.executor.memory=512m"));
        if (executorOptions.length > 0) {
            flags.addAll(List.of("--spark-conf", "spark.executor.extraJavaOptions=" + String.join(" ", executorOptions)));
        }
        return flags;
    }

    @Test
    void twoWorkersTrainSurviveAKilledExecutorAndResume(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Path marker = tmp.resolve("executor-halted");
        try (SparkCluster cluster = SparkCluster.start(tmp, 2)) {
            // One executor halts before its step of batch 23 of epoch 1 (the first to get there; the retry passes).
            List<String> args = new ArrayList<>(List.of("train"));
            args.addAll(loopback(cluster, "-Dtoolkit.test.haltAt=shard:1:23", "-Dtoolkit.test.haltOnce=" + marker));
            args.addAll(TRAINING);
            args.addAll(List.of("--out", run.toString()));
            SparkCluster.JvmProcess driver = SparkCluster.train(tmp, args.toArray(String[]::new));
            assertEquals(0, driver.waitFor(8), "the data-parallel run failed\n" + driver + cluster);
            assertTrue(Files.exists(marker), "no executor was halted\n" + driver);
            assertTrue(driver.err().contains("toolkit: worker ") && driver.err().contains("(attempt 1) failed on executor")
                    && driver.err().contains("Spark retries it"), "the lost task was not reported\n" + driver);
            assertTrue(driver.out().contains("data-parallel on " + cluster.masterUrl()
                    + ": 2 workers, averaging every 2 steps"), driver.out());

            // The run folder of a local run: metrics per epoch, checkpoint, models, complete.
            RunDirectory folder = RunDirectory.at(run);
            RunState state = folder.readState();
            assertEquals(2, state.completedEpochs());
            assertEquals(Boolean.TRUE, state.complete());
            assertEquals(2 * 64, state.step());
            assertTrue(Files.isRegularFile(folder.checkpoints().resolve("epoch-002.ckpt")));
            for (Path f : List.of(folder.decoder(), folder.encoder(), folder.metricsCsv(), folder.stepsCsv())) {
                assertTrue(Files.size(f) > 0, f + " is missing");
            }
            assertEquals(3, Files.readAllLines(folder.metricsCsv()).size());
            assertTrue(state.history().get(1).testNegElbo() < state.history().get(0).testNegElbo(),
                    state.history().toString());

            // The same training on local[2] in another JVM: the same numbers, so the retry changed nothing.
            Path local = tmp.resolve("local");
            List<String> localArgs = new ArrayList<>(List.of("train", "--spark", "local[2]"));
            localArgs.addAll(TRAINING);
            localArgs.addAll(List.of("--out", local.toString()));
            SparkCluster.JvmProcess same = SparkCluster.train(tmp, localArgs.toArray(String[]::new));
            assertEquals(0, same.waitFor(5), same.toString());
            assertEquals(learned(run), learned(local));

            // --resume on the cluster: a third epoch.
            List<String> resumeArgs = new ArrayList<>(List.of("train", "--resume", run.toString(), "--epochs", "3"));
            resumeArgs.addAll(loopback(cluster));
            resumeArgs.addAll(List.of("--workers", "2", "--sync-every", "2"));
            SparkCluster.JvmProcess resumed = SparkCluster.train(tmp, resumeArgs.toArray(String[]::new));
            assertEquals(0, resumed.waitFor(5), resumed.toString() + cluster);
            assertTrue(resumed.out().contains("resuming " + run + " at epoch 3"), resumed.out());
            RunState three = folder.readState();
            assertEquals(3, three.completedEpochs());
            assertEquals(state.history(), three.history().subList(0, 2));
        }

        // Without --spark it is an ordinary run folder: a local --resume trains a fourth epoch.
        Cli.Result plain = Cli.runInNewJvm(tmp, "train", "--resume", run.toString(), "--epochs", "4");
        assertEquals(0, plain.exitCode(), plain.out() + plain.err());
        assertEquals(4, RunDirectory.at(run).readState().completedEpochs());
        assertEquals(5, Files.readAllLines(RunDirectory.at(run).metricsCsv()).size());
    }

    /** metrics.csv without the columns that measure time (images per second, seconds). */
    private static List<String> learned(Path run) throws IOException {
        List<String> lines = Files.readAllLines(RunDirectory.at(run).metricsCsv());
        List<String> header = Arrays.asList(lines.get(0).split(","));
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String[] cells = line.split(",");
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < cells.length; i++) {
                String column = header.get(i);
                if (!column.contains("per_s") && !column.equals("seconds")) {
                    kept.add(cells[i]);
                }
            }
            out.add(String.join(",", kept));
        }
        assertFalse(out.isEmpty());
        return out;
    }
}
