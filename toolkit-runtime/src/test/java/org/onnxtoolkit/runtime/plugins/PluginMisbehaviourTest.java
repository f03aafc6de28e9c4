package org.onnxtoolkit.runtime.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.Dataset;

/**
 * Plugins that misbehave when they run (throw, hang, need a missing class inside a method) affect only the
 * look-ups of those plugins, and listing runs no plugin code at all. Real jars, real Weld containers; the hangs
 * wait on a system property that each test sets at the end, so no thread outlives the test class.
 */
class PluginMisbehaviourTest {
    /** Short enough for a test, long enough for a warm Weld to start a container on a busy machine. */
    private static final Duration LIMIT = Duration.ofSeconds(3);
    private static final String PREFIX = "plugin-misbehaviour-test.";

    @TempDir
    Path temp;

    /** The first container of a JVM loads Weld itself (about a second): done here, so no limit counts it. */
    @BeforeAll
    static void warmUpWeld(@TempDir Path scratch) throws IOException, PluginLoadException {
        Path plugins = Files.createDirectories(scratch.resolve("warm"));
        new PluginJarBuilder(scratch).source("w.Warm", PluginJarBuilder.dataset("w.Warm", "warm"))
                .writeTo(plugins.resolve("warm.jar"));
        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            registry.dataset("warm");
        }
    }

    @AfterEach
    void releaseHangs() {
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith(PREFIX))
                .forEach(System::clearProperty);
        System.setProperty(PREFIX + "release", "true");
    }

    private PluginJarBuilder jar() {
        return new PluginJarBuilder(temp);
    }

    private PluginRegistry load(Path plugins) throws PluginLoadException {
        return PluginLoader.load(List.of(plugins), getClass().getClassLoader(), LIMIT);
    }

    /** Java statements that record, as a system property, that {@code what} ran. */
    private static String mark(String what) {
        return "System.setProperty(\"" + PREFIX + what + "\", \"ran\");";
    }

    private static boolean ran(String what) {
        return System.getProperty(PREFIX + what) != null;
    }

    /** Java statements that wait until the test releases them, ignoring interrupts, as a plugin that hangs. */
    private static final String HANG = """
            while (!Boolean.getBoolean("%srelease")) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ignored) {
                    // a hung plugin does not stop when asked
                }
            }
            """.formatted(PREFIX);

    @Test
    void listingAndStartingOtherPluginsRunNoCodeOfAPlugin() throws Exception {
        System.clearProperty(PREFIX + "release");
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar().source("l.WatchedDataset", PluginJarBuilder.datasetWith("l.WatchedDataset", "watched", """
                    static {
                        %s
                    }
                    public WatchedDataset() {
                        %s
                    }
                """.formatted(mark("static"), mark("constructor"))))
                .source("l.PlainDataset", PluginJarBuilder.dataset("l.PlainDataset", "plain"))
                .writeTo(plugins.resolve("l.jar"));

        try (PluginRegistry registry = load(plugins)) {
            assertEquals(List.of("plain", "watched"), registry.plugins().stream().map(PluginInfo::id).toList());
            assertEquals("l.WatchedDataset", registry.info(PluginKind.DATASET, "watched").className());
            assertEquals("plain", registry.dataset("plain").id(), "the jar's container started");
            assertTrue(!ran("static") && !ran("constructor"), "no code of the unused plugin ran");

            Dataset watched = registry.dataset("watched");
            assertEquals("watched", watched.id());
            assertTrue(ran("static") && ran("constructor"), "started on first use");
            assertSame(watched, registry.dataset("watched"));
        }
    }

    @Test
    void aConstructorThatHangsFailsAfterTheLimitNamingTheJarAndOthersStillStart() throws Exception {
        System.clearProperty(PREFIX + "release");
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar().source("h.HangingDataset", PluginJarBuilder.datasetWith("h.HangingDataset", "hanging",
                        "public HangingDataset() {\n" + HANG + "}\n"))
                .source("h.FineDataset", PluginJarBuilder.dataset("h.FineDataset", "fine"))
                .writeTo(plugins.resolve("hang.jar"));
        jar().source("o.OtherDataset", PluginJarBuilder.dataset("o.OtherDataset", "other"))
                .writeTo(plugins.resolve("other.jar"));

        PluginRegistry registry = load(plugins);
        try {
            long start = System.nanoTime();
            PluginStartException e = assertThrows(PluginStartException.class, () -> registry.dataset("hanging"));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals("plugin jar hang.jar: dataset class h.HangingDataset did not finish starting within 3 s (a"
                    + " constructor or static initialiser that does not return?); if it is only slow, raise the limit"
                    + " with -Dtoolkit.plugin-start-timeout=SECONDS in TOOLKIT_JAVA_OPTS", e.getMessage());
            assertTrue(seconds >= 2.9 && seconds < 30, "waited " + seconds + " s");

            long again = System.nanoTime();
            assertSame(e, assertThrows(PluginStartException.class, () -> registry.dataset("hanging")));
            assertTrue(System.nanoTime() - again < 1_000_000_000L, "a failed plugin is not waited for twice");
            assertEquals("fine", registry.dataset("fine").id(), "a sibling in the same jar starts");
            assertEquals("other", registry.dataset("other").id(), "a plugin of another jar starts");
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(30), registry::close, "closing does not wait for the hang");
        }
    }

    @Test
    void aStaticInitialiserThatHangsFailsAfterTheLimitAndClosingDoesNotWaitForIt() throws Exception {
        System.clearProperty(PREFIX + "release");
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar().source("s.FrozenDataset", PluginJarBuilder.datasetWith("s.FrozenDataset", "frozen",
                        "static {\n" + HANG + "}\n"))
                .source("s.FineDataset", PluginJarBuilder.dataset("s.FineDataset", "fine"))
                .writeTo(plugins.resolve("frozen.jar"));

        PluginRegistry registry = load(plugins);
        try {
            PluginStartException e = assertThrows(PluginStartException.class, () -> registry.dataset("frozen"));
            assertTrue(e.getMessage().startsWith("plugin jar frozen.jar: dataset class s.FrozenDataset did not finish"
                    + " starting within 3 s"), e.getMessage());
            assertEquals("fine", registry.dataset("fine").id());
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(30), registry::close, "closing does not wait for the hang");
        }
    }

    @Test
    void aClassMissingInsideAMethodIsNamedWithItsJarWhenTheMethodRuns() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar().source("dep.Helper", "package dep; public class Helper { public int size() { return 1; } }")
                .source("m.MethodDataset", PluginJarBuilder.datasetOf("m.MethodDataset", "method", """
                            @Override public String description() {
                                try {
                                    Class.forName("dep.Helper");
                                    return "with the optional helper";
                                } catch (ClassNotFoundException e) {
                                    return "without the optional helper";
                                }
                            }
                            @Override public org.onnxtoolkit.api.spi.ImageShape nativeShape() {
                                return new org.onnxtoolkit.api.spi.ImageShape(1, new dep.Helper().size(), 1);
                            }
                            @Override public org.onnxtoolkit.api.spi.DatasetSplits open(
                                    org.onnxtoolkit.api.spi.DatasetOptions o) {
                                return null;
                            }
                        """))
                .omit("dep.Helper")
                .writeTo(plugins.resolve("method.jar"));

        try (PluginRegistry registry = load(plugins)) {
            Dataset dataset = registry.dataset("method");
            assertEquals("without the optional helper", dataset.description(),
                    "plugin code that probes for a class still gets a ClassNotFoundException");
            NoClassDefFoundError e = assertThrows(NoClassDefFoundError.class, dataset::nativeShape);
            PluginClassNotFoundException missing = PluginClassNotFoundException.in(e);
            assertNotNull(missing, "the cause names the jar");
            assertEquals("plugin jar method.jar: class m.MethodDataset needs dep.Helper, which is in no plugin jar; a"
                    + " plugin may depend only on toolkit-api, the JDK and other plugin jars (bundle and relocate other"
                    + " libraries into its jar)", missing.getMessage());
            assertEquals("dep.Helper", missing.missingClass());
            assertEquals("m.MethodDataset", missing.requestingClass());
        }
    }

    @Test
    void aBrokenLibraryClassThatNoPluginUsesIsNeverLoaded() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        // As in a shaded library whose optional integrations reference classes that are not bundled.
        jar().source("lib.Missing", "package lib; public class Missing { }")
                .source("lib.Integration", "package lib; public class Integration extends Missing { }")
                .source("p.UsesNoIntegration", PluginJarBuilder.dataset("p.UsesNoIntegration", "lean"))
                .omit("lib.Missing")
                .writeTo(plugins.resolve("lean.jar"));

        try (PluginRegistry registry = load(plugins)) {
            assertEquals("lean", registry.dataset("lean").id());
        }
    }

    @Test
    void anIdMethodThatContradictsThePluginIdFailsTheStart() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar().source("i.Renamed", PluginJarBuilder.datasetWith("i.Renamed", "renamed",
                "@Override public String id() { return \"old-name\"; }")).writeTo(plugins.resolve("i.jar"));

        try (PluginRegistry registry = load(plugins)) {
            assertEquals("plugin jar i.jar: dataset class i.Renamed declares @PluginId(\"renamed\") but its id() returns"
                    + " 'old-name'; remove the id() method or make them agree",
                    assertThrows(PluginStartException.class, () -> registry.dataset("renamed")).getMessage());
        }
    }

    @Test
    void aPluginClassWithoutPluginIdIsNamed() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar().source("n.Unnamed", PluginJarBuilder.dataset("n.Unnamed", "unnamed")
                .replace("@org.onnxtoolkit.api.spi.PluginId(\"unnamed\")", "")
                .replace("public class Unnamed implements org.onnxtoolkit.api.spi.Dataset {",
                        "public class Unnamed implements org.onnxtoolkit.api.spi.Dataset {\n"
                                + "    @Override public String id() { return \"unnamed\"; }"))
                .writeTo(plugins.resolve("n.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(plugins));
        assertEquals("plugin jar n.jar: dataset class n.Unnamed has no @PluginId; declare its id on the class, for"
                + " example @org.onnxtoolkit.api.spi.PluginId(\"my-dataset\")", e.getMessage());
    }

    @Test
    void aPluginIdWithoutABeanDefiningAnnotationIsNamed() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar().source("n.Unscoped", PluginJarBuilder.dataset("n.Unscoped", "unscoped")
                .replace("@jakarta.enterprise.context.ApplicationScoped", "")).writeTo(plugins.resolve("n.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(plugins));
        assertEquals("plugin jar n.jar: dataset class n.Unscoped has no bean-defining annotation; add"
                + " @jakarta.enterprise.context.ApplicationScoped", e.getMessage());
    }

    @Test
    void aBeanOfTheJarCanBeInjectedIntoItsPlugin() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar().source("j.Sizes", """
                        package j;
                        @jakarta.enterprise.context.ApplicationScoped
                        public class Sizes { public int side() { return 7; } }
                        """)
                .source("j.InjectedDataset", PluginJarBuilder.datasetOf("j.InjectedDataset", "injected", """
                            @jakarta.inject.Inject Sizes sizes;
                            @Override public org.onnxtoolkit.api.spi.ImageShape nativeShape() {
                                return new org.onnxtoolkit.api.spi.ImageShape(1, sizes.side(), sizes.side());
                            }
                            @Override public org.onnxtoolkit.api.spi.DatasetSplits open(
                                    org.onnxtoolkit.api.spi.DatasetOptions o) {
                                return null;
                            }
                        """))
                .writeTo(plugins.resolve("j.jar"));

        try (PluginRegistry registry = load(plugins)) {
            assertEquals(7, registry.dataset("injected").nativeShape().height());
        }
    }

    @Test
    void theExitWatchNamesThePluginClassThatCalledExit() {
        Map<String, String> jars = Map.of("q.Quitter", "quit.jar");
        StackTraceElement[] pluginExit = {
            new StackTraceElement("java.lang.Thread", "join", null, -1),
            new StackTraceElement("java.lang.Shutdown", "exit", null, -1),
            new StackTraceElement("java.lang.Runtime", "exit", null, -1),
            new StackTraceElement("java.lang.System", "exit", null, -1),
            new StackTraceElement("q.Quitter", "<init>", "Quitter.java", 5),
            new StackTraceElement("jdk.internal.reflect.NativeConstructorAccessorImpl", "newInstance0", null, -1)};
        StackTraceElement[] toolkitExit = {
            new StackTraceElement("java.lang.Shutdown", "exit", null, -1),
            new StackTraceElement("java.lang.Runtime", "exit", null, -1),
            new StackTraceElement("java.lang.System", "exit", null, -1),
            new StackTraceElement("org.onnxtoolkit.runtime.cli.ToolkitCli", "main", "ToolkitCli.java", 90)};
        StackTraceElement[] busyPlugin = {new StackTraceElement("q.Quitter", "open", "Quitter.java", 9)};

        assertEquals("plugin jar quit.jar: class q.Quitter called System.exit in its constructor; the toolkit stopped"
                + " (exit code 1); remove the call from the plugin, or move the jar out of the plugins folder",
                PluginExitWatch.culprit(List.of(busyPlugin, pluginExit), jars));
        assertNull(PluginExitWatch.culprit(List.of(busyPlugin, toolkitExit), jars), "the toolkit's own exit");
        StackTraceElement[] fromMethod = {
            new StackTraceElement("java.lang.Runtime", "exit", null, -1),
            new StackTraceElement("q.Quitter", "open", "Quitter.java", 9)};
        assertTrue(PluginExitWatch.culprit(List.<StackTraceElement[]>of(fromMethod), jars).contains(" in open(); "));
    }

    @Test
    void theClassFileScanFindsAnnotationDescriptorsAndRejectsOtherFiles() throws Exception {
        ClassFileScan scan = new ClassFileScan(List.of("Lorg/onnxtoolkit/api/spi/PluginId;", "Ljava/lang/Deprecated;"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Path jarFile = jar().source("c.Scanned", PluginJarBuilder.dataset("c.Scanned", "scanned"))
                .source("c.Plain", "package c; public class Plain { long big = 1L << 40; double d = 0.5; }")
                .writeTo(plugins.resolve("c.jar"));
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jarFile.toFile())) {
            try (var in = file.getInputStream(file.getEntry("c/Scanned.class"))) {
                assertEquals(java.util.Set.of("Lorg/onnxtoolkit/api/spi/PluginId;"), scan.mentioned(in));
            }
            try (var in = file.getInputStream(file.getEntry("c/Plain.class"))) {
                assertEquals(java.util.Set.of(), scan.mentioned(in));
            }
        }
        IOException e = assertThrows(IOException.class,
                () -> scan.mentioned(new java.io.ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})));
        assertInstanceOf(IOException.class, e);
        assertTrue(e.getMessage().contains("not a class file"), e.getMessage());
    }
}
