package org.onnxtoolkit.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskEndReason;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.checkpoint.CheckpointAverage;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.training.EpochRounds;
import org.onnxtoolkit.engine.training.ShardTraining;
import org.onnxtoolkit.runtime.cli.DataParallel;
import org.onnxtoolkit.runtime.cli.DataParallelOptions;
import org.onnxtoolkit.runtime.cli.Errors;
import org.onnxtoolkit.runtime.cli.UsageException;

/**
 * {@code train --spark}: data-parallel training with Spark (local SGD with parameter and optimizer-state
 * averaging). The run's settings, artifacts and training split are broadcast once. Each round of an epoch
 * (N workers times K steps, {@code --workers} and {@code --sync-every}) broadcasts the current checkpoint and runs
 * one Spark job of N tasks; task {@code w} trains the round's batches {@code w, w + N, w + 2N, ...} from it
 * ({@link ShardTraining}) and returns its checkpoint with Adam's moments; the driver averages the parameters and
 * moments ({@link CheckpointAverage}) and the trainer continues from that. A task is a pure function of the
 * broadcast checkpoint and the round's numbers, so Spark's retry of a task whose executor died computes the
 * same checkpoint and the run goes on as if nothing happened.
 *
 * <p>Everything goes through Spark: tasks, broadcasts and the collected results; no socket of our own.
 */
public final class SparkDataParallel implements DataParallel {
    /** The most training-split bytes broadcast to the workers (Java arrays hold at most 2 GiB). */
    static final long MAX_TRAIN_BYTES = 1L << 30;

    @Override
    public Cluster start(DataParallelOptions options, RunConfig config, TrainingArtifacts artifacts,
                         DatasetSplits data, PrintWriter out, PrintWriter err) {
        ShardJob job;
        try {
            job = new ShardJob(config, artifacts, data.train());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        SparkConf conf = SparkSetup.conf(options.master(), "toolkit train (data-parallel)", options.conf());
        int maxAttempts = SparkSetup.maxAttempts(conf);
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Spark with master " + options.master() + ": "
                    + Errors.oneLine(e), e);
        }
        sc.setLogLevel("ERROR");
        sc.sc().addSparkListener(new FailureReporter(err, maxAttempts));
        out.printf(Locale.ROOT, "data-parallel on %s: %d worker%s, averaging every %d step%s (rounds of %d batches)%n",
                options.master(), options.workers(), options.workers() == 1 ? "" : "s", options.syncEvery(),
                options.syncEvery() == 1 ? "" : "s", options.workers() * options.syncEvery());
        out.flush();
        return new Rounds(sc, sc.broadcast(job), options.master(), options.workers(), options.syncEvery());
    }

    /** The rounds of one run on one Spark context. Used from the trainer's thread. */
    private static final class Rounds implements Cluster {
        private final JavaSparkContext sc;
        private final Broadcast<ShardJob> job;
        private final String master;
        private final int workers;
        private final int syncEvery;

        Rounds(JavaSparkContext sc, Broadcast<ShardJob> job, String master, int workers, int syncEvery) {
            this.sc = sc;
            this.job = job;
            this.master = master;
            this.workers = workers;
            this.syncEvery = syncEvery;
        }

        @Override
        public int batchesPerRound() {
            return workers * syncEvery;
        }

        @Override
        public Round train(byte[] checkpoint, int epoch, int firstBatch, int count, long stepBefore)
                throws IOException {
            List<int[]> shares = shares(firstBatch, count, workers);
            Broadcast<byte[]> state = null;
            List<ShardTraining.Result> results;
            try {
                state = sc.broadcast(checkpoint);
                sc.setJobDescription(String.format(Locale.ROOT, "epoch %d, batches %d-%d", epoch, firstBatch + 1,
                        firstBatch + count));
                results = sc.parallelize(shares, shares.size())
                        .map(new Share(job, state, epoch, firstBatch, stepBefore)).collect();
            } catch (Exception e) {
                if (sc.sc().isStopped()) {
                    throw new IOException("the Spark application stopped in epoch " + epoch + " (the master " + master
                            + " did not answer, or the cluster ended the application); the run folder keeps its last"
                            + " checkpoint: continue with ./toolkit train --resume", e);
                }
                // Spark's job failures are checked exceptions Scala throws undeclared.
                if (e instanceof RuntimeException r) {
                    throw r;
                }
                throw new IOException("a round of epoch " + epoch + " failed on the cluster: " + Errors.oneLine(e), e);
            } finally {
                if (state != null && !sc.sc().isStopped()) {
                    state.destroy();
                }
            }
            List<CheckpointContents> states = new ArrayList<>();
            List<EpochRounds.Batch> batches = new ArrayList<>();
            for (int w = 0; w < results.size(); w++) {
                states.add(CheckpointReader.read(results.get(w).checkpoint(), "worker " + w + "'s checkpoint"));
                batches.addAll(results.get(w).batches());
            }
            batches.sort(Comparator.comparingInt(EpochRounds.Batch::batch));
            return new Round(CheckpointAverage.of(states), batches);
        }

        @Override
        public void close() {
            sc.close();
        }
    }

    /**
     * Each worker's batches of a round: worker {@code w} takes {@code first + w, first + w + n, ...}; workers
     * without a batch (a short last round) are left out, so every share has at least one batch and the shares
     * differ by at most one.
     */
    static List<int[]> shares(int first, int count, int workers) {
        List<int[]> shares = new ArrayList<>();
        for (int w = 0; w < Math.min(workers, count); w++) {
            int size = (count - w + workers - 1) / workers;
            int[] share = new int[size];
            for (int i = 0; i < size; i++) {
                share[i] = first + w + i * workers;
            }
            shares.add(share);
        }
        return shares;
    }

    /** A task: one worker's share of a round. Serializable; holds broadcast handles and numbers. */
    private static final class Share implements Function<int[], ShardTraining.Result> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<ShardJob> job;
        private final Broadcast<byte[]> state;
        private final int epoch;
        private final int firstBatch;
        private final long stepBefore;

        Share(Broadcast<ShardJob> job, Broadcast<byte[]> state, int epoch, int firstBatch, long stepBefore) {
            this.job = job;
            this.state = state;
            this.epoch = epoch;
            this.firstBatch = firstBatch;
            this.stepBefore = stepBefore;
        }

        @Override
        public ShardTraining.Result call(int[] batches) throws IOException {
            return job.value().train(state.value(), epoch, batches, firstBatch, stepBefore);
        }
    }

    /** Reports a failed task attempt on stderr with Spark's reason and whether Spark retries it. */
    private static final class FailureReporter extends SparkListener {
        private final PrintWriter err;
        private final int maxAttempts;

        FailureReporter(PrintWriter err, int maxAttempts) {
            this.err = err;
            this.maxAttempts = maxAttempts;
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            TaskEndReason reason = end.reason();
            if (reason instanceof org.apache.spark.Success$) {
                return;
            }
            int attempt = end.taskInfo().attemptNumber() + 1;
            String why = reason instanceof org.apache.spark.TaskFailedReason failed ? failed.toErrorString()
                    : reason.toString();
            synchronized (err) {
                err.println("toolkit: worker " + end.taskInfo().index() + " (attempt " + attempt + ") failed on executor "
                        + end.taskInfo().executorId() + ": " + Errors.oneLine(new RuntimeException(why))
                        + (attempt < maxAttempts ? "; Spark retries it" : ""));
                err.flush();
            }
        }
    }
}
