package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
 * A plugin jar in {@code --plugins-dir} that is broken in a way found without running its code (a duplicate id,
 * no {@code beans.xml}, a class that cannot link) stops {@code plugins} and {@code train} with exit code 1 and
 * one line naming the jar (and the class, or both jars of a duplicate id). A plugin whose constructor or static
 * initialiser fails is listed, leaves commands that do not use it alone, and stops a command that uses it with
 * the same kind of line. The stack trace only with {@code --verbose}.
 */
class PluginErrorsIT {
    private static final String HINT = "(run with --verbose for details)";

    @TempDir
    static Path tmp;

    /** A dataset whose id is the built-in {@code shapes}. */
    private static final String DUPLICATE_ID = """
            package demo;
            import org.onnxtoolkit.api.spi.*;
            @PluginId("shapes")
            @jakarta.enterprise.context.ApplicationScoped
            public class DupShapes implements Dataset {
                public ImageShape nativeShape() { return null; }
                public DatasetSplits open(DatasetOptions o) { throw new UnsupportedOperationException(); }
            }
            """;

    private static final String VALID = """
            package demo;
            import org.onnxtoolkit.api.spi.*;
            @PluginId("fine")
            @jakarta.enterprise.context.ApplicationScoped
            public class Fine implements Dataset {
                public ImageShape nativeShape() { return null; }
                public DatasetSplits open(DatasetOptions o) { throw new UnsupportedOperationException(); }
            }
            """;

    /** Extends a class the jar will not contain, as with a library that was not shaded into the jar. */
    private static final String MISSING_SUPERCLASS = """
            package demo;
            import org.onnxtoolkit.api.spi.*;
            @PluginId("csv")
            @jakarta.enterprise.context.ApplicationScoped
            public class CsvDataset extends CsvLibraryReader implements Dataset {
                public ImageShape nativeShape() { return null; }
                public DatasetSplits open(DatasetOptions o) { throw new UnsupportedOperationException(); }
            }
            class CsvLibraryReader {
            }
            """;

    private static final String FAILING_CONSTRUCTOR = """
            package demo;
            import org.onnxtoolkit.api.spi.*;
            @PluginId("licensed")
            @jakarta.enterprise.context.ApplicationScoped
            public class LicensedArchitecture implements Architecture {
                public LicensedArchitecture() {
                    throw new IllegalStateException("licence file licensed.lic not found");
                }
                public java.util.List<OptionSpec> options() { return java.util.List.of(); }
                public LatentModel create(PluginOptions o, ImageShape s) { throw new UnsupportedOperationException(); }
            }
            """;

    private static final String FAILING_STATIC_INITIALISER = """
            package demo;
            import org.onnxtoolkit.api.spi.*;
            @PluginId("configured")
            @jakarta.enterprise.context.ApplicationScoped
            public class Configured implements Dataset {
                static final int SIZE = Integer.parseInt(System.getProperty("demo.size", "many"));
                public ImageShape nativeShape() { return null; }
                public DatasetSplits open(DatasetOptions o) { throw new UnsupportedOperationException(); }
            }
            """;

    @BeforeAll
    static void writeBrokenJars() throws IOException {
        PluginJars.write(tmp.resolve("duplicate/dup-shapes.jar"), "demo.DupShapes", DUPLICATE_ID);
        PluginJars.write(tmp.resolve("no-beans-xml/no-beans.jar"), "demo.Fine", VALID, false, Set.of());
        PluginJars.write(tmp.resolve("missing-class/csv-dataset.jar"), "demo.CsvDataset", MISSING_SUPERCLASS, true,
                Set.of("demo.CsvLibraryReader"));
        PluginJars.write(tmp.resolve("failing-constructor/licensed.jar"), "demo.LicensedArchitecture",
                FAILING_CONSTRUCTOR);
        PluginJars.write(tmp.resolve("failing-static-initialiser/configured.jar"), "demo.Configured",
                FAILING_STATIC_INITIALISER);
    }

    /** Each plugins folder broken in a way found at loading, and the exact line the user sees (after "toolkit: "). */
    static Stream<Arguments> brokenJars() {
        return Stream.of(
                Arguments.of("duplicate", "duplicate dataset id 'shapes' in toolkit-plugin-datasets.jar"
                        + " (org.onnxtoolkit.plugins.datasets.ShapesDataset) and dup-shapes.jar (demo.DupShapes)"),
                Arguments.of("no-beans-xml", "plugin jar no-beans.jar has no META-INF/beans.xml; add one with"
                        + " bean-discovery-mode=\"annotated\""),
                Arguments.of("missing-class", "plugin jar csv-dataset.jar: class demo.CsvDataset cannot be loaded"
                        + " (ClassNotFoundException: demo.CsvLibraryReader); a plugin may depend only on toolkit-api,"
                        + " the JDK and other plugin jars"));
    }

    /** Each folder with a plugin that fails when it starts, the flag that uses it, and the line (after "toolkit: "). */
    static Stream<Arguments> failingPlugins() {
        return Stream.of(
                Arguments.of("failing-constructor", "--arch", "licensed", "plugin jar licensed.jar: architecture class"
                        + " demo.LicensedArchitecture failed to start (IllegalStateException: licence file licensed.lic"
                        + " not found)"),
                Arguments.of("failing-static-initialiser", "--dataset", "configured", "plugin jar configured.jar: dataset"
                        + " class demo.Configured failed to start (NumberFormatException: For input string: \"many\")"));
    }

    /** In a process of its own, as a user runs it: exactly the message and the hint, nothing else on stderr. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenJars")
    void pluginsCommandPrintsOneLine(String folder, String message) throws IOException, InterruptedException {
        Cli.Result r = Cli.runInNewJvm(tmp, "plugins", "--plugins-dir", tmp.resolve(folder).toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals(List.of("toolkit: " + message, HINT), r.err().lines().toList(), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenJars")
    void trainStopsWithTheSameLine(String folder, String message) {
        Cli.Result r = Cli.run("train", "--plugins-dir", tmp.resolve(folder).toString(), "--epochs", "1", "--out",
                tmp.resolve("runs").resolve(folder).toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("toolkit: " + message, HINT), r.err().lines().toList(), r.toString());
        assertFalse(r.out().contains("training "), "nothing trained:\n" + r.out());
    }

    /** In a process of its own: the listing runs no plugin code, so it shows the failing plugin and succeeds. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("failingPlugins")
    void pluginsCommandListsAPluginThatFailsToStart(String folder, String flag, String id, String message)
            throws IOException, InterruptedException {
        Cli.Result r = Cli.runInNewJvm(tmp, "plugins", "--plugins-dir", tmp.resolve(folder).toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(id + " ") && l.endsWith(".jar")), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingPlugins")
    void trainThatUsesItStopsWithOneLine(String folder, String flag, String id, String message) {
        Cli.Result r = Cli.run("train", "--plugins-dir", tmp.resolve(folder).toString(), flag, id, "--epochs", "1",
                "--out", tmp.resolve("runs").resolve(folder).toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("toolkit: " + message, HINT), r.err().lines().toList(), r.toString());
        assertFalse(r.out().contains("training "), "nothing trained:\n" + r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingPlugins")
    void pluginsWithItsIdStopsWithTheSameLine(String folder, String flag, String id, String message) {
        Cli.Result r = Cli.run("plugins", "--plugins-dir", tmp.resolve(folder).toString(), id);
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("toolkit: " + message, HINT), r.err().lines().toList(), r.toString());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run("plugins", "--verbose", "--plugins-dir", tmp.resolve("failing-constructor").toString(),
                "licensed");
        assertEquals(1, r.exitCode(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.get(0).startsWith("toolkit: plugin jar licensed.jar: architecture class"), r.toString());
        assertTrue(r.err().contains("\tat ") && r.err().contains("licence file licensed.lic not found"), r.toString());
        assertFalse(r.err().contains(HINT), r.toString());
    }
}
