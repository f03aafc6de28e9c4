package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunState;

/**
 * {@code ./toolkit sweep} on a real Spark standalone cluster on loopback (a master and two one-core workers in
 * their own JVMs): four small trainings run two at a time; a worker killed (with its executor) in the middle of
 * a run makes Spark retry that task on the other worker, which continues the run from its checkpoint; the
 * driver killed in the middle of the sweep leaves it to {@code --resume}, which trains only what is unfinished.
 */
class SparkSweepIT {
    private static final int EPOCHS = 8;
    private static final Pattern ATTEMPT = Pattern.compile("== \\S+ attempt (\\d+) on executor (\\S+) \\(pid (\\d+)\\)");

    @Test
    void sweepSurvivesAKilledWorkerAndAKilledDriverAndResumes(@TempDir Path tmp) throws Exception {
        Path sweep = tmp.resolve("sweep");
        try (SparkCluster cluster = SparkCluster.start(tmp, 2)) {
            List<String> args = new ArrayList<>(List.of("sweep"));
            args.addAll(cluster.driverFlags());
            args.addAll(List.of("--grid", "lr=0.001,0.003", "--grid", "latent=2,4", "--epochs", Integer.toString(EPOCHS),
                    "--batch-size", "32", "-D", "train-size=2048", "-D", "test-size=256", "--out", sweep.toString()));
            SparkCluster.JvmProcess driver = SparkCluster.toolkit(tmp, args.toArray(String[]::new));
            try {
                // Two runs in progress at once: the two workers each train one.
                AtomicInteger mostInProgress = new AtomicInteger();
                assertTrue(SparkCluster.JvmProcess.await(() -> {
                    mostInProgress.accumulateAndGet(inProgress(sweep).size(), Math::max);
                    return mostInProgress.get() >= 2 && !midRun(sweep).isEmpty();
                }, 180_000), "no two runs in progress at once\n" + driver + cluster);

                // Kill the worker (and its executor) training a run that has completed an epoch but not all.
                String victim = midRun(sweep).get(0);
                long executorPid = lastAttemptPid(sweep, victim);
                SparkCluster.JvmProcess worker = cluster.workers().stream()
                        .filter(w -> w.children().stream().anyMatch(c -> c.pid() == executorPid)).findFirst()
                        .orElseThrow(() -> new AssertionError("no worker runs executor pid " + executorPid));
                int epochsBeforeKill = state(sweep, victim).completedEpochs();
                worker.kill();

                // Spark reports the lost task and retries it on the other worker, which resumes the run.
                assertTrue(SparkCluster.JvmProcess.await(() -> driver.err().contains("toolkit: run " + victim
                        + " (attempt 1) failed"), 120_000), "the lost task was not reported\n" + driver);
                assertTrue(SparkCluster.JvmProcess.await(() -> log(sweep, victim).contains("attempt 2 on executor"),
                        180_000), "the lost task was not retried\n" + driver + log(sweep, victim));
                assertTrue(log(sweep, victim).contains("train --resume " + sweep.resolve(victim)),
                        "the retried task did not resume the run:\n" + log(sweep, victim));

                // Kill the driver while a run is unfinished; a new worker replaces the killed one.
                assertTrue(SparkCluster.JvmProcess.await(() -> !midRun(sweep).isEmpty() || !driver.isAlive(), 180_000));
                assertTrue(driver.isAlive(), "the sweep ended before the driver could be killed\n" + driver);
                driver.kill();
                assertTrue(epochsBeforeKill >= 1);
            } finally {
                driver.kill();
            }
            List<String> doneBeforeResume = complete(sweep);
            assertTrue(doneBeforeResume.size() < 4, "all runs finished before the driver was killed");
            cluster.addWorker();
            cluster.awaitAliveWorkers(2);

            List<String> resumeArgs = new ArrayList<>(List.of("sweep", "--resume", sweep.toString()));
            resumeArgs.addAll(cluster.driverFlags().subList(2, cluster.driverFlags().size()));
            SparkCluster.JvmProcess resumed = SparkCluster.toolkit(tmp, resumeArgs.toArray(String[]::new));
            assertEquals(0, resumed.waitFor(8), resumed.toString());
            for (String name : doneBeforeResume) {
                assertTrue(resumed.out().contains(name) && resumed.out().lines().anyMatch(l -> l.contains(name)
                        && l.contains("(already done)")), "finished run " + name + " was trained again:\n" + resumed);
            }
            List<String> csv = Files.readAllLines(sweep.resolve("sweep.csv"), StandardCharsets.UTF_8);
            assertEquals("run,lr,latent,status,epochs,final_test_neg_elbo,best_test_neg_elbo,seconds,attempts,message",
                    csv.get(0));
            assertEquals(5, csv.size(), String.join("\n", csv));
            Set<String> runs = new HashSet<>();
            for (String row : csv.subList(1, csv.size())) {
                String[] f = row.split(",", -1);
                runs.add(f[0]);
                assertEquals("done", f[3], row);
                assertEquals(Integer.toString(EPOCHS), f[4], row);
                double last = Double.parseDouble(f[5]);
                double best = Double.parseDouble(f[6]);
                assertTrue(best <= last && best > 100 && best < 700, row);
                // Each run is an ordinary run folder: every epoch recorded exactly once, its models exported.
                RunDirectory run = RunDirectory.at(sweep.resolve(f[0]));
                List<String> metrics = Files.readAllLines(run.metricsCsv());
                assertEquals(EPOCHS + 1, metrics.size(), f[0] + ": " + metrics);
                for (int e = 1; e <= EPOCHS; e++) {
                    assertTrue(metrics.get(e).startsWith(e + ","), f[0] + ": " + metrics);
                }
                assertTrue(Files.isRegularFile(run.decoder()) && Files.isRegularFile(run.encoder()));
                assertEquals(Double.parseDouble(f[5]), run.readState().history().get(EPOCHS - 1).testNegElbo(), 1e-3);
            }
            assertEquals(Set.of("01-lr=0.001-latent=2", "02-lr=0.001-latent=4", "03-lr=0.003-latent=2",
                    "04-lr=0.003-latent=4"), runs);
            assertTrue(Files.size(sweep.resolve("sweep.png")) > 1000);

            // Resumed again: nothing is left to train.
            SparkCluster.JvmProcess again = SparkCluster.toolkit(tmp, resumeArgs.toArray(String[]::new));
            assertEquals(0, again.waitFor(5), again.toString());
            assertEquals(4, again.out().lines().filter(l -> l.contains("(already done)")).count(), again.toString());
        }
    }

    /** Runs that have a run.json and are not complete. */
    private static List<String> inProgress(Path sweep) {
        return runs(sweep).stream().filter(n -> {
            RunDirectory run = RunDirectory.at(sweep.resolve(n));
            RunState s = state(sweep, n);
            return run.isRun() && (s == null || !Boolean.TRUE.equals(s.complete()));
        }).toList();
    }

    /** Runs that completed at least one epoch and not the last. */
    private static List<String> midRun(Path sweep) {
        return runs(sweep).stream().filter(n -> {
            RunState s = state(sweep, n);
            return s != null && s.completedEpochs() >= 1 && s.completedEpochs() < EPOCHS - 1;
        }).toList();
    }

    private static List<String> complete(Path sweep) {
        return runs(sweep).stream().filter(n -> {
            RunState s = state(sweep, n);
            return s != null && Boolean.TRUE.equals(s.complete());
        }).toList();
    }

    private static List<String> runs(Path sweep) {
        if (!Files.isDirectory(sweep)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(sweep)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> n.matches("0\\d-.*"))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static RunState state(Path sweep, String name) {
        try {
            return RunDirectory.at(sweep.resolve(name)).readState();
        } catch (IOException e) {
            return null;
        }
    }

    private static String log(Path sweep, String name) {
        try {
            return Files.readString(sweep.resolve("logs").resolve(name + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static long lastAttemptPid(Path sweep, String name) {
        Matcher m = ATTEMPT.matcher(log(sweep, name));
        long pid = -1;
        while (m.find()) {
            pid = Long.parseLong(m.group(3));
        }
        assertFalse(pid < 0, "no attempt in the log of " + name);
        return pid;
    }
}
