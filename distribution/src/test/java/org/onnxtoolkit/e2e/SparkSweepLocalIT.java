package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./toolkit sweep --spark local[2,2]}: Spark in the driver's JVM, two runs at a time, two attempts per task.
 * A run that fails (its loss diverges) is retried by Spark, then reported in {@code sweep.csv} with the toolkit's
 * one line, while the other runs finish; the sweep exits 1.
 */
class SparkSweepLocalIT {
    @Test
    void aFailingRunIsRetriedThenReportedAndTheOthersFinish(@TempDir Path tmp) throws Exception {
        Path sweep = tmp.resolve("sweep");
        SparkCluster.JvmProcess p = SparkCluster.toolkit(tmp, "sweep", "--spark", "local[2,2]", "--grid",
                "lr=0.001,1e9", "--epochs", "2", "--batch-size", "32", "-D", "train-size=256", "-D", "test-size=64",
                "--out", sweep.toString());
        assertEquals(1, p.waitFor(5), p.toString());
        assertTrue(p.err().contains("toolkit: run 02-lr=1e9 (attempt 1) failed on executor driver: "), p.toString());
        List<String> csv = Files.readAllLines(sweep.resolve("sweep.csv"), StandardCharsets.UTF_8);
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("01-lr=0.001,0.001,done,2,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("02-lr=1e9,1e9,failed,0,,,0.0,2,\"the loss became NaN at epoch 1, batch "),
                csv.get(2));
        assertTrue(p.out().contains("finished: 1 done, 1 failed"), p.out());
        String log = Files.readString(sweep.resolve("logs/02-lr=1e9.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("attempt 2 on executor driver") && log.contains("train --resume "), log);
        // The successful run is an ordinary, complete run folder.
        assertTrue(Files.isRegularFile(sweep.resolve("01-lr=0.001/decoder.onnx")));
    }
}
