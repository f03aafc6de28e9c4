package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One plugins folder holding plugins that misbehave when they run: a constructor that calls
 * {@code System.exit(0)}, one that spins forever, one that throws, a static initialiser that fails, and a class
 * missing only inside a method body. Each command runs in a JVM of its own, as a user runs it (a plugin that
 * exits would end the test's JVM), and {@link Cli#runInNewJvm} fails a command that hangs after two minutes.
 * Listing runs none of that code and training with other plugins works; a command that uses one stops with one
 * line naming its jar and exit code 1.
 */
class PluginMisbehaviourIT {
    private static final String HINT = "(run with --verbose for details)";
    /** The start limit for these runs: above a cold JVM's first container start on a busy 2-core machine. */
    private static final int LIMIT_SECONDS = 10;
    private static final List<String> JVM_OPTIONS = List.of("-Dtoolkit.plugin-start-timeout=" + LIMIT_SECONDS);

    @TempDir
    static Path tmp;
    static Path plugins;

    private static String dataset(String className, String id, String members) {
        return """
                package demo;
                import org.onnxtoolkit.api.spi.*;
                @PluginId("%s")
                @jakarta.enterprise.context.ApplicationScoped
                public class %s implements Dataset {
                %s
                    public ImageShape nativeShape() { return null; }
                    public DatasetSplits open(DatasetOptions o) { throw new UnsupportedOperationException(); }
                }
                """.formatted(id, className, members);
    }

    @BeforeAll
    static void writeMisbehavingJars() throws IOException {
        plugins = tmp.resolve("misbehaving");
        PluginJars.write(plugins.resolve("quitter.jar"), "demo.Quitter", dataset("Quitter", "quitter", """
                    public Quitter() {
                        System.exit(0);
                    }
                """));
        PluginJars.write(plugins.resolve("spinner.jar"), "demo.Spinner", dataset("Spinner", "spinner", """
                    public Spinner() {
                        while (true) {
                            Thread.onSpinWait();
                        }
                    }
                """));
        PluginJars.write(plugins.resolve("thrower.jar"), "demo.Thrower", dataset("Thrower", "thrower", """
                    public Thrower() {
                        throw new IllegalStateException("no licence");
                    }
                """));
        PluginJars.write(plugins.resolve("static-init.jar"), "demo.StaticInit", dataset("StaticInit", "static-init", """
                    static final int SIZE = Integer.parseInt("many");
                """));
        // Uses a CSV library only inside open(); the library was not bundled into the jar.
        PluginJars.write(plugins.resolve("lazy-csv.jar"), "demo.LazyCsv", """
                package demo;
                import org.onnxtoolkit.api.spi.*;
                @PluginId("lazy-csv")
                @jakarta.enterprise.context.ApplicationScoped
                public class LazyCsv implements Dataset {
                    public ImageShape nativeShape() { return null; }
                    public DatasetSplits open(DatasetOptions o) {
                        return new CsvParser().read(o.dataDir());
                    }
                }
                class CsvParser {
                    DatasetSplits read(java.nio.file.Path dir) { throw new UnsupportedOperationException(); }
                }
                """, true, Set.of("demo.CsvParser"));
    }

    @Test
    void pluginsListsThemAllWithoutStartingAny() throws IOException, InterruptedException {
        Cli.Result r = Cli.runInNewJvm(tmp, JVM_OPTIONS, "plugins", "--plugins-dir", plugins.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), r.toString());
        for (String id : List.of("quitter", "spinner", "thrower", "static-init", "lazy-csv")) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches(id + " +dataset +9\\.9\\.9 +.*/" + id + "\\.jar")),
                    id + " listed:\n" + r);
        }
        assertTrue(r.out().contains("shapes ") && r.out().contains("mlp-vae "), "built-ins listed:\n" + r);
    }

    @Test
    void trainingWithOtherPluginsIsUnaffected() throws IOException, InterruptedException {
        Path run = tmp.resolve("run-shapes");
        Cli.Result r = Cli.runInNewJvm(tmp, JVM_OPTIONS, "train", "--plugins-dir", plugins.toString(), "--epochs", "1",
                "--max-train", "256", "-D", "train-size=256", "-D", "test-size=64", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(Files.isRegularFile(run.resolve("decoder.onnx")), r.toString());
    }

    /** Each misbehaving dataset and the exact stderr of a command that uses it (after "toolkit: "). */
    static Stream<Arguments> misbehaving() {
        return Stream.of(
                Arguments.of("quitter", List.of("plugin jar quitter.jar: class demo.Quitter called System.exit in its"
                        + " constructor; the toolkit stopped (exit code 1); remove the call from the plugin, or move"
                        + " the jar out of the plugins folder")),
                Arguments.of("spinner", List.of("plugin jar spinner.jar: dataset class demo.Spinner did not finish"
                        + " starting within " + LIMIT_SECONDS + " s (a constructor or static initialiser that does not"
                        + " return?); if it is only slow, raise the limit with -Dtoolkit.plugin-start-timeout=SECONDS"
                        + " in TOOLKIT_JAVA_OPTS", HINT)),
                Arguments.of("thrower", List.of("plugin jar thrower.jar: dataset class demo.Thrower failed to start"
                        + " (IllegalStateException: no licence)", HINT)),
                Arguments.of("static-init", List.of("plugin jar static-init.jar: dataset class demo.StaticInit failed to"
                        + " start (NumberFormatException: For input string: \"many\")", HINT)),
                Arguments.of("lazy-csv", List.of("plugin jar lazy-csv.jar: class demo.LazyCsv needs demo.CsvParser,"
                        + " which is in no plugin jar; a plugin may depend only on toolkit-api, the JDK and other plugin"
                        + " jars (bundle and relocate other libraries into its jar)", HINT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misbehaving")
    void trainingWithItStopsWithOneLineNamingTheJar(String id, List<String> lines)
            throws IOException, InterruptedException {
        Path run = tmp.resolve("run-" + id);
        Cli.Result r = Cli.runInNewJvm(tmp, JVM_OPTIONS, "train", "--plugins-dir", plugins.toString(), "--dataset", id,
                "--data-dir", tmp.toString(), "--epochs", "1", "--out", run.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(lines.stream().map(l -> l.equals(HINT) ? l : "toolkit: " + l).toList(), r.err().lines().toList(),
                r.toString());
        assertFalse(r.out().contains("training "), "nothing trained:\n" + r);
    }
}
