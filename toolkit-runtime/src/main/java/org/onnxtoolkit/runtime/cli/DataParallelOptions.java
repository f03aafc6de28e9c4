package org.onnxtoolkit.runtime.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Pattern;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.engine.run.RunConfig;
import picocli.CommandLine.Option;

/**
 * {@code train --spark MASTER [--workers N] [--sync-every K] [--spark-conf KEY=VALUE]}: data-parallel training
 * on Apache Spark ({@link DataParallel}). They say how the run is computed, not what it is, so {@code --resume}
 * may give, change or leave them out.
 */
public final class DataParallelOptions {
    /** The option names, which {@code --resume} accepts. */
    static final List<String> NAMES = List.of("--spark", "--workers", "--sync-every", "--spark-conf");
    /** Masters Spark itself accepts; anything else is a typing mistake, refused before Spark starts. */
    private static final Pattern MASTER = Pattern.compile(
            "local(\\[([1-9][0-9]*|\\*)(,\\s*[1-9][0-9]*)?])?|spark://[^\\s/]+|yarn|k8s://\\S+");

    @Option(names = "--spark", paramLabel = "MASTER", description = "train data-parallel on Apache Spark: local[N] on"
            + " this machine or spark://host:port (the data is read here and its training split sent to the workers)")
    String master;

    @Option(names = "--workers", paramLabel = "N", description = "with --spark: Spark tasks, each training on its share"
            + " of every round's batches (default: ${DEFAULT-VALUE})", defaultValue = "2")
    int workers;

    @Option(names = "--sync-every", paramLabel = "K", description = "with --spark: steps each worker takes between"
            + " two averagings of the parameters and Adam's moments (default: ${DEFAULT-VALUE})", defaultValue = "32")
    int syncEvery;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "with --spark: a Spark setting, repeatable"
            + " (for example spark.driver.host=127.0.0.1)")
    Map<String, String> conf = new LinkedHashMap<>();

    /** Found by {@link #check}. */
    private DataParallel provider;

    /** Whether {@code --spark} was given. */
    public boolean enabled() {
        return master != null;
    }

    public String master() {
        return master;
    }

    public int workers() {
        return workers;
    }

    public int syncEvery() {
        return syncEvery;
    }

    /** The {@code --spark-conf} settings, in the order given. */
    public Map<String, String> conf() {
        return Map.copyOf(conf);
    }

    /**
     * Refuses impossible combinations before anything is read (exit code 2), and finds the Spark side.
     *
     * @param deviceText the run's {@code --device}
     * @param given      whether {@code --workers}, {@code --sync-every} or {@code --spark-conf} was typed
     * @throws IllegalStateException when Spark is not on the class path (the toolkit was not started by its
     *                               launcher; exit code 1)
     */
    void check(String deviceText, boolean given) {
        if (master == null) {
            if (given) {
                throw new UsageException("--workers, --sync-every and --spark-conf apply to data-parallel training;"
                        + " give --spark MASTER too (local[N] or spark://host:port)");
            }
            return;
        }
        if (!MASTER.matcher(master).matches()) {
            throw new UsageException("--spark " + master + ": not a Spark master; give local[N] (this machine, N"
                    + " threads) or spark://host:port (a standalone cluster)");
        }
        if (workers < 1) {
            throw new UsageException("--workers must be at least 1, got " + workers);
        }
        if (syncEvery < 1) {
            throw new UsageException("--sync-every must be at least 1, got " + syncEvery);
        }
        if (deviceText != null && !deviceText.equals("cpu")) {
            throw new UsageException("--spark trains on the workers' CPUs; --device " + deviceText + " cannot be"
                    + " combined with it (leave out --device, or train on the GPU without --spark)");
        }
        String missing = "--spark needs Apache Spark on the class path: start ./toolkit train --spark with the"
                + " launcher, which adds the distribution's spark/jars";
        try {
            provider = ServiceLoader.load(DataParallel.class).findFirst().orElseThrow(() ->
                    new IllegalStateException(missing));
        } catch (java.util.ServiceConfigurationError | LinkageError e) {
            throw new IllegalStateException(missing, e);
        }
    }

    /** Starts the cluster side (after {@link #check}); null when {@code --spark} was not given. */
    DataParallel.Cluster start(RunConfig config, TrainingArtifacts artifacts, DatasetSplits data, PrintWriter out,
                               PrintWriter err) {
        if (master == null) {
            return null;
        }
        return provider.start(this, config, artifacts, data, out, err);
    }
}
