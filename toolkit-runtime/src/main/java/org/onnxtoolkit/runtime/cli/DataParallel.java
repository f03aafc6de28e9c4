package org.onnxtoolkit.runtime.cli;

import java.io.PrintWriter;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.training.EpochRounds;

/**
 * Data-parallel training on a cluster ({@code train --spark}), found with {@link java.util.ServiceLoader}: the
 * toolkit's Spark module provides it, and it is on the class path only when the launcher starts {@code train}
 * with the distribution's {@code spark/jars} (never for a plain {@code train}, which so loads no Spark class).
 */
public interface DataParallel {
    /**
     * Connects to the cluster and prepares the workers of one run.
     *
     * @param options   the {@code --spark}, {@code --workers}, {@code --sync-every} and {@code --spark-conf} flags,
     *                  checked
     * @param config    the run's settings
     * @param artifacts its training artifacts
     * @param data      its data (the training split goes to the workers)
     * @param out       the console
     * @param err       where failed worker attempts are reported
     * @return the rounds the trainer hands its epochs to; close it to leave the cluster
     */
    Cluster start(DataParallelOptions options, RunConfig config, TrainingArtifacts artifacts, DatasetSplits data,
                  PrintWriter out, PrintWriter err);

    /** Rounds on a cluster, which {@link #close} leaves. */
    interface Cluster extends EpochRounds, AutoCloseable {
        @Override
        void close();
    }
}
