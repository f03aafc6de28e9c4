package org.onnxtoolkit.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;

/**
 * The Spark settings of the toolkit's driver: the master, Spark's own settings the user gave with
 * {@code --conf}, and the defaults the toolkit needs where the user gave none: executors that know where the
 * toolkit is installed ({@code toolkit.home}, the same path on every worker), small executors, no web UI.
 */
final class SparkSetup {
    /** Spark's per-task retry limit, which it also applies on a standalone cluster by default. */
    static final int DEFAULT_MAX_FAILURES = 4;

    private SparkSetup() {
    }

    /**
     * @param master   {@code local[N]}, {@code spark://host:port}, ...
     * @param appName  shown in the master's UI
     * @param settings {@code --conf KEY=VALUE} pairs, applied last
     */
    static SparkConf conf(String master, String appName, Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        String home = System.getProperty("toolkit.home");
        all.put("spark.executor.extraJavaOptions", (home == null ? "" : "-Dtoolkit.home=" + home + " ")
                + "-Djava.awt.headless=true");
        all.put("spark.executor.memory", "1g");
        all.put("spark.ui.enabled", "false");
        all.put("spark.task.maxFailures", Integer.toString(DEFAULT_MAX_FAILURES));
        // A lost executor's task is retried at once elsewhere; training state lives in the run folder.
        all.put("spark.excludeOnFailure.enabled", "false");
        all.putAll(settings);
        SparkConf conf = new SparkConf().setMaster(master).setAppName(appName);
        all.forEach(conf::set);
        return conf;
    }

    /** The retry limit {@code conf} gives tasks; {@code local[N]} masters never retry unless {@code local[N,F]}. */
    static int maxAttempts(SparkConf conf) {
        String master = conf.get("spark.master");
        java.util.regex.Matcher local = java.util.regex.Pattern.compile("local\\[([0-9*]+),\\s*([0-9]+)]").matcher(master);
        if (local.matches()) {
            return Integer.parseInt(local.group(2));
        }
        if (master.startsWith("local")) {
            return 1;
        }
        return conf.getInt("spark.task.maxFailures", DEFAULT_MAX_FAILURES);
    }
}
