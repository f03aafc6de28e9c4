package org.onnxtoolkit.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on loopback for the Spark tests: a master and workers, each in its own JVM
 * started from the distribution's {@code spark/jars} exactly as Spark's scripts start them
 * ({@code org.apache.spark.deploy.master.Master}, {@code ...deploy.worker.Worker}), each worker with one core
 * and 1 GiB for executors. The workers' {@code SPARK_HOME} is the distribution's {@code spark/} folder, so their
 * executors get its class path. Closing it kills every process it started and their children (executors).
 */
final class SparkCluster implements AutoCloseable {
    /** The JVM options Spark's own launcher gives Java 17 (org.apache.spark.launcher.JavaModuleOptions). */
    static final List<String> JAVA_17_OPTIONS;

    static {
        List<String> options = new ArrayList<>(List.of("-XX:+IgnoreUnrecognizedVMOptions"));
        for (String p : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
                "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch",
                "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
            options.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
        }
        options.add("--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED");
        options.add("-Dio.netty.tryReflectionSetAccessible=true");
        JAVA_17_OPTIONS = List.copyOf(options);
    }

    private final Path home;
    private final Path workDir;
    private final int masterPort;
    private final int masterUiPort;
    private final JvmProcess master;
    private final List<JvmProcess> workers = new ArrayList<>();

    private SparkCluster(Path home, Path workDir) throws IOException {
        this.home = home;
        this.workDir = workDir;
        this.masterPort = freePort();
        this.masterUiPort = freePort();
        this.master = JvmProcess.start(workDir, sparkEnv(), List.of("-Xmx256m"), "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port",
                Integer.toString(masterUiPort));
    }

    /** Starts a master and {@code workers} workers and waits until they are all registered (2 minutes at most). */
    static SparkCluster start(Path workDir, int workers) throws Exception {
        SparkCluster cluster = new SparkCluster(Path.of(System.getProperty("toolkit.home")), workDir);
        try {
            for (int i = 0; i < workers; i++) {
                cluster.addWorker();
            }
            cluster.awaitAliveWorkers(workers);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code spark://127.0.0.1:PORT}. */
    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** Starts one more worker (index = the number of workers started before). */
    JvmProcess addWorker() throws IOException {
        int i = workers.size();
        Path dir = Files.createDirectories(workDir.resolve("worker-" + i));
        JvmProcess w = JvmProcess.start(workDir, sparkEnv(), List.of("-Xmx256m"), "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", Integer.toString(freePort()),
                "--work-dir", dir.toString(), masterUrl());
        workers.add(w);
        return w;
    }

    List<JvmProcess> workers() {
        return workers;
    }

    /** Waits until the master counts {@code n} alive workers. */
    void awaitAliveWorkers(int n) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Pattern alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        String last = "";
        while (System.nanoTime() < end) {
            try {
                last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = alive.matcher(last);
                if (m.find() && Integer.parseInt(m.group(1)) == n) {
                    return;
                }
            } catch (IOException notYet) {
                // The master is still starting.
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the cluster did not get " + n + " alive workers in 2 minutes; master says " + last
                + "\n" + this);
    }

    /**
     * The command line of the toolkit's Spark commands ({@code ./toolkit sweep ...}) as the launcher builds it:
     * the distribution's {@code spark/jars}, Spark's Java 17 options.
     */
    static JvmProcess toolkit(Path dir, String... args) throws IOException {
        return JvmProcess.start(dir, Map.of(), List.of("-Dtoolkit.home=" + System.getProperty("toolkit.home"),
                "-Xmx768m"), "org.onnxtoolkit.spark.SparkToolkit", args);
    }

    /**
     * {@code ./toolkit train --spark ...} as the launcher starts it: the CLI's main class with the distribution's
     * {@code spark/jars} and Spark's Java 17 options.
     */
    static JvmProcess train(Path dir, String... args) throws IOException {
        return JvmProcess.start(dir, Map.of(), List.of("-Dtoolkit.home=" + System.getProperty("toolkit.home"),
                "-Xmx768m"), "org.onnxtoolkit.runtime.cli.ToolkitCli", args);
    }

    /** The flags that keep a driver on loopback and its executors small. */
    List<String> driverFlags() {
        return List.of("--spark", masterUrl(), "--conf", "spark.driver.host=127.0.0.1", "--conf",
                "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.executor.memory=512m");
    }

    private Map<String, String> sparkEnv() {
        return Map.of("SPARK_HOME", home.resolve("spark").toString(), "SPARK_SCALA_VERSION", "2.13",
                "SPARK_LOCAL_IP", "127.0.0.1", "SPARK_LOG_DIR", workDir.toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (JvmProcess w : workers) {
            w.kill();
        }
        master.kill();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("--- master\n").append(master.err());
        for (int i = 0; i < workers.size(); i++) {
            s.append("--- worker ").append(i).append('\n').append(workers.get(i).err());
        }
        return s.toString();
    }

    /** A JVM with the distribution's {@code spark/jars} class path; output collected as it comes. */
    static final class JvmProcess {
        private final Process process;
        private final StringBuffer out = new StringBuffer();
        private final StringBuffer err = new StringBuffer();
        private final Thread outPump;
        private final Thread errPump;

        private JvmProcess(Process process) {
            this.process = process;
            this.outPump = pump(process.getInputStream(), out);
            this.errPump = pump(process.getErrorStream(), err);
        }

        static JvmProcess start(Path dir, Map<String, String> env, List<String> jvmOptions, String mainClass,
                                String... args) throws IOException {
            Path home = Path.of(System.getProperty("toolkit.home"));
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Djava.awt.headless=true"));
            command.addAll(JAVA_17_OPTIONS);
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", home.resolve("spark/jars") + "/*", mainClass));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
            pb.environment().putAll(env);
            return new JvmProcess(pb.start());
        }

        private static Thread pump(InputStream in, StringBuffer into) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        into.append(line).append('\n');
                    }
                } catch (IOException e) {
                    // The process ended.
                }
            }, "spark-test-output");
            t.setDaemon(true);
            t.start();
            return t;
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        long pid() {
            return process.pid();
        }

        /** The processes it started (a worker's executors), still alive. */
        List<ProcessHandle> children() {
            return process.descendants().filter(ProcessHandle::isAlive).toList();
        }

        /** Polls every 20 ms until {@code condition} holds; false when time ran out first. */
        static boolean await(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
            long end = System.nanoTime() + timeoutMillis * 1_000_000;
            while (System.nanoTime() < end) {
                if (condition.getAsBoolean()) {
                    return true;
                }
                Thread.sleep(20);
            }
            return condition.getAsBoolean();
        }

        /** Waits for the exit code. */
        int waitFor(long minutes) throws InterruptedException {
            if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
                kill();
                throw new AssertionError("the process did not end in " + minutes + " minutes:\n" + this);
            }
            outPump.join(10_000);
            errPump.join(10_000);
            return process.exitValue();
        }

        /** SIGKILL to it and every process it started, children first. */
        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String toString() {
            return "--- out\n" + out + "--- err\n" + err;
        }
    }
}
