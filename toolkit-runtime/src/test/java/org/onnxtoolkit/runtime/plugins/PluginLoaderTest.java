package org.onnxtoolkit.runtime.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.Objective;

/** Loads plugin jars that the tests compile and package themselves, through a real Weld SE container. */
class PluginLoaderTest {
    @TempDir
    Path temp;

    private PluginJarBuilder jar() {
        return new PluginJarBuilder(temp);
    }

    private Path dir(String name) throws IOException {
        return Files.createDirectories(temp.resolve(name));
    }

    /** a.jar: dataset "shapes" and architecture "mlp-vae" (1.2.0); b.jar: objective "bce-kl" (0.3.1). */
    private Path twoJars(Path plugins) throws IOException {
        jar().version("1.2.0")
                .source("a.ShapesDataset", PluginJarBuilder.dataset("a.ShapesDataset", "shapes"))
                .source("a.MlpVaeArchitecture", PluginJarBuilder.architecture("a.MlpVaeArchitecture", "mlp-vae"))
                .writeTo(plugins.resolve("a.jar"));
        jar().version("0.3.1")
                .source("b.BceKlObjective", PluginJarBuilder.objective("b.BceKlObjective", "bce-kl"))
                .writeTo(plugins.resolve("b.jar"));
        return plugins;
    }

    @Test
    void discoversADatasetAnArchitectureAndAnObjectiveFromTwoJars() throws Exception {
        Path plugins = twoJars(dir("plugins"));

        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            Dataset dataset = registry.dataset("shapes");
            Architecture architecture = registry.architecture("mlp-vae");
            Objective objective = registry.objective("bce-kl");

            assertEquals("shapes", dataset.id());
            assertEquals("test dataset shapes", dataset.description());
            assertEquals("mlp-vae", architecture.id());
            assertEquals(List.of(), architecture.options());
            assertEquals("bce-kl", objective.id());
            assertEquals("b.BceKlObjective", objective.getClass().getName(), "a @Dependent bean is not proxied");
            // Weld compiles the CDI schemas in every bootstrap unless told not to validate beans.xml.
            assertEquals("true", System.getProperty(JarContainer.WELD_XML_VALIDATION_OFF));
        }
    }

    @Test
    void listsPluginsByKindAndIdWithVersionsAndJars() throws Exception {
        Path distribution = twoJars(dir("dist/plugins"));
        Path user = dir("user-plugins");
        jar().source("c.MnistDataset", PluginJarBuilder.dataset("c.MnistDataset", "mnist"))
                .writeTo(user.resolve("c.jar"));

        try (PluginRegistry registry = PluginLoader.load(List.of(distribution, user))) {
            assertEquals(List.of(
                    new PluginInfo("mnist", PluginKind.DATASET, "unknown", user.resolve("c.jar"), "c.MnistDataset"),
                    new PluginInfo("shapes", PluginKind.DATASET, "1.2.0", distribution.resolve("a.jar"),
                            "a.ShapesDataset"),
                    new PluginInfo("mlp-vae", PluginKind.ARCHITECTURE, "1.2.0", distribution.resolve("a.jar"),
                            "a.MlpVaeArchitecture"),
                    new PluginInfo("bce-kl", PluginKind.OBJECTIVE, "0.3.1", distribution.resolve("b.jar"),
                            "b.BceKlObjective")),
                    registry.plugins());
            assertEquals("0.3.1", registry.info(PluginKind.OBJECTIVE, "bce-kl").version());
        }
    }

    @Test
    void unknownIdListsTheAvailableIds() throws Exception {
        Path plugins = dir("plugins");
        jar().source("a.ShapesDataset", PluginJarBuilder.dataset("a.ShapesDataset", "shapes"))
                .source("a.MnistDataset", PluginJarBuilder.dataset("a.MnistDataset", "mnist"))
                .source("a.FashionMnistDataset", PluginJarBuilder.dataset("a.FashionMnistDataset", "fashion-mnist"))
                .writeTo(plugins.resolve("a.jar"));

        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            UnknownPluginException e = assertThrows(UnknownPluginException.class, () -> registry.dataset("foo"));
            assertEquals("unknown dataset 'foo' (available: fashion-mnist, mnist, shapes)", e.getMessage());
            assertEquals(PluginKind.DATASET, e.kind());
            assertEquals("unknown architecture 'conv-vae' (available: none)",
                    assertThrows(UnknownPluginException.class, () -> registry.architecture("conv-vae")).getMessage());
            assertThrows(UnknownPluginException.class, () -> registry.objective("shapes"));
        }
    }

    @Test
    void duplicateIdAcrossTwoJarsNamesBothJars() throws Exception {
        Path plugins = dir("plugins");
        jar().source("b.OtherShapes", PluginJarBuilder.dataset("b.OtherShapes", "shapes"))
                .writeTo(plugins.resolve("b.jar"));
        jar().source("a.Shapes", PluginJarBuilder.dataset("a.Shapes", "shapes"))
                .writeTo(plugins.resolve("a.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(plugins)));
        assertEquals("duplicate dataset id 'shapes' in a.jar (a.Shapes) and b.jar (b.OtherShapes)", e.getMessage());
    }

    @Test
    void duplicateJarFileNamesInTwoDirectoriesAreNamedByFullPath() throws Exception {
        Path distribution = dir("dist");
        Path user = dir("user");
        jar().source("a.Shapes", PluginJarBuilder.dataset("a.Shapes", "shapes"))
                .writeTo(distribution.resolve("shapes.jar"));
        jar().source("b.Shapes", PluginJarBuilder.dataset("b.Shapes", "shapes"))
                .writeTo(user.resolve("shapes.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> PluginLoader.load(List.of(distribution, user)));
        assertEquals("duplicate dataset id 'shapes' in " + distribution.resolve("shapes.jar") + " (a.Shapes) and "
                + user.resolve("shapes.jar") + " (b.Shapes)", e.getMessage());
    }

    @Test
    void theSameDirectoryTwiceIsLoadedOnce() throws Exception {
        Path plugins = twoJars(dir("plugins"));

        try (PluginRegistry registry = PluginLoader.load(List.of(plugins, plugins.resolve("../plugins")))) {
            assertEquals(3, registry.plugins().size());
        }
    }

    @Test
    void beanArchivesOnTheRuntimeClassPathAreNotDeployed() throws Exception {
        Path runtimeJar = jar().source("r.RuntimeDataset", PluginJarBuilder.dataset("r.RuntimeDataset", "runtime"))
                .writeTo(temp.resolve("runtime/runtime.jar"));
        Path plugins = twoJars(dir("plugins"));

        try (URLClassLoader runtime = new URLClassLoader(new URL[] {runtimeJar.toUri().toURL()},
                getClass().getClassLoader());
                PluginRegistry registry = PluginLoader.load(List.of(plugins), runtime,
                        PluginLoader.DEFAULT_START_TIMEOUT)) {
            assertNotNull(runtime.getResource("META-INF/beans.xml"), "the runtime class path has a bean archive");
            assertEquals(List.of("shapes", "mlp-vae", "bce-kl"), registry.plugins().stream().map(PluginInfo::id).toList());
            assertEquals("shapes", registry.dataset("shapes").id(), "the jar's container starts beside it");
        }
    }

    @Test
    void jarWithoutBeansXmlIsNamed() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        jar().withoutBeansXml().source("c.Plain", PluginJarBuilder.dataset("c.Plain", "plain"))
                .writeTo(plugins.resolve("c.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(plugins)));
        assertEquals("plugin jar c.jar has no META-INF/beans.xml; add one with bean-discovery-mode=\"annotated\"",
                e.getMessage());
    }

    @Test
    void corruptJarIsNamed() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        byte[] noise = new byte[1000];
        new Random(7).nextBytes(noise);
        Files.write(plugins.resolve("x.jar"), noise);

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(plugins)));
        assertTrue(e.getMessage().startsWith("plugin jar x.jar cannot be opened: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertInstanceOf(IOException.class, e.getCause());
    }

    @Test
    void constructorThatThrowsNamesTheJarAndTheClass() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        jar().source("bad.BrokenDataset", PluginJarBuilder.datasetWith("bad.BrokenDataset", "broken", """
                    public BrokenDataset() {
                        throw new IllegalStateException("no data directory configured");
                    }
                """)).writeTo(plugins.resolve("bad.jar"));

        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            assertEquals("bad.BrokenDataset", registry.info(PluginKind.DATASET, "broken").className(), "listed");
            PluginStartException e = assertThrows(PluginStartException.class, () -> registry.dataset("broken"));
            assertEquals("plugin jar bad.jar: dataset class bad.BrokenDataset failed to start "
                    + "(IllegalStateException: no data directory configured)", e.getMessage());
            assertNotNull(e.getCause());
            assertSame(e, assertThrows(PluginStartException.class, () -> registry.dataset("broken")),
                    "never started twice");
            assertEquals("shapes", registry.dataset("shapes").id(), "the other plugins work");
        }
    }

    @Test
    void failingStaticInitialiserNamesTheJarAndTheClass() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        jar().source("bad.StaticDataset", PluginJarBuilder.datasetWith("bad.StaticDataset", "static", """
                    private static final int SIZE = size();
                    private static int size() {
                        throw new IllegalStateException("static boom");
                    }
                """)).writeTo(plugins.resolve("bad.jar"));

        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            assertEquals(4, registry.plugins().size(), "listed");
            PluginStartException e = assertThrows(PluginStartException.class, () -> registry.dataset("static"));
            assertTrue(e.getMessage().startsWith("plugin jar bad.jar: "), e.getMessage());
            assertTrue(e.getMessage().contains("class bad.StaticDataset "), e.getMessage());
            assertTrue(e.getMessage().contains("IllegalStateException: static boom"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertEquals("mlp-vae", registry.architecture("mlp-vae").id(), "the other plugins work");
        }
    }

    @Test
    void classThatCannotLinkNamesTheJarAndTheClass() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        jar().source("dep.Base", "package dep; public class Base {}")
                .source("bad.SubDataset", PluginJarBuilder.datasetWith("bad.SubDataset", "sub", "")
                        .replace("public class SubDataset", "public class SubDataset extends dep.Base"))
                .omit("dep.Base")
                .writeTo(plugins.resolve("bad.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(plugins)));
        assertEquals("plugin jar bad.jar: class bad.SubDataset cannot be loaded (ClassNotFoundException: dep.Base);"
                + " a plugin may depend only on toolkit-api, the JDK and other plugin jars", e.getMessage());
        assertInstanceOf(NoClassDefFoundError.class, e.getCause());
    }

    @Test
    void missingClassUsedByTheConstructorNamesTheJarAndTheClass() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        jar().source("dep.Helper", "package dep; public class Helper { public int size() { return 1; } }")
                .source("bad.HelperDataset", PluginJarBuilder.datasetWith("bad.HelperDataset", "helper", """
                            private final int size;
                            public HelperDataset() {
                                size = new dep.Helper().size();
                            }
                        """))
                .omit("dep.Helper")
                .writeTo(plugins.resolve("bad.jar"));

        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            PluginStartException e = assertThrows(PluginStartException.class, () -> registry.dataset("helper"));
            assertTrue(e.getMessage().startsWith("plugin jar bad.jar: "), e.getMessage());
            assertTrue(e.getMessage().contains("bad.HelperDataset"), e.getMessage());
            assertTrue(e.getMessage().contains("dep.Helper") || e.getMessage().contains("dep/Helper"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    @Test
    void theSameClassInTwoJarsIsRefusedNamingBothJars() throws Exception {
        Path plugins = dir("plugins");
        jar().source("same.OldDataset", PluginJarBuilder.dataset("same.OldDataset", "old"))
                .writeTo(plugins.resolve("plugin-1.0.jar"));
        jar().source("same.OldDataset", PluginJarBuilder.dataset("same.OldDataset", "old"))
                .writeTo(plugins.resolve("plugin-1.1.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(plugins)));
        assertEquals("class same.OldDataset is in both plugin-1.0.jar and plugin-1.1.jar (two versions of one plugin?);"
                + " keep only one of the jars", e.getMessage());
    }

    @Test
    void missingClassUsedAsAFieldTypeNamesTheJarAndTheClass() throws Exception {
        Path plugins = dir("plugins");
        jar().source("dep.Reader", "package dep; public class Reader { }")
                .source("bad.FieldDataset", PluginJarBuilder.datasetWith("bad.FieldDataset", "field", """
                            private dep.Reader reader;
                        """))
                .omit("dep.Reader")
                .writeTo(plugins.resolve("bad.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(plugins)));
        assertTrue(e.getMessage().startsWith("plugin jar bad.jar: class bad.FieldDataset cannot be loaded"),
                e.getMessage());
        assertTrue(e.getMessage().contains("dep") && e.getMessage().contains("Reader"), e.getMessage());
    }

    @Test
    void unsatisfiedInjectionPointNamesTheJarAndTheClass() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        jar().source("bad.InjectedDataset", PluginJarBuilder.datasetWith("bad.InjectedDataset", "injected", """
                    @jakarta.inject.Inject java.util.concurrent.Executor executor;
                """)).writeTo(plugins.resolve("bad.jar"));

        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            PluginStartException e = assertThrows(PluginStartException.class, () -> registry.dataset("injected"));
            assertTrue(e.getMessage().startsWith("plugin jar bad.jar: class bad.InjectedDataset cannot be deployed ("),
                    e.getMessage());
            assertTrue(e.getMessage().contains("WELD-001408"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertEquals("bce-kl", registry.objective("bce-kl").id(), "other jars have containers of their own");
        }
    }

    @Test
    void invalidIdIsRejectedNamingTheJar() throws Exception {
        Path plugins = dir("plugins");
        jar().source("a.Shapes", PluginJarBuilder.dataset("a.Shapes", "Shapes_2")).writeTo(plugins.resolve("a.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(plugins)));
        assertEquals("plugin jar a.jar: dataset class a.Shapes has the invalid id 'Shapes_2'; ids are lower-kebab-case,"
                + " like 'fashion-mnist'", e.getMessage());
    }

    @Test
    void emptyDirectoryGivesAnEmptyRegistry() throws Exception {
        Path plugins = dir("plugins");
        Files.writeString(plugins.resolve("README.txt"), "not a jar");

        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            assertEquals(List.of(), registry.plugins());
            assertEquals("unknown dataset 'mnist' (available: none)",
                    assertThrows(UnknownPluginException.class, () -> registry.dataset("mnist")).getMessage());
        }
    }

    @Test
    void missingDirectoryIsAClearError() throws Exception {
        Path distribution = twoJars(dir("plugins"));
        Path missing = temp.resolve("no-such-dir");

        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> PluginLoader.load(List.of(distribution, missing)));
        assertEquals("plugins directory " + missing + " does not exist", e.getMessage());
    }

    @Test
    void closeShutsDownThePluginsAndMayBeCalledTwice() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        Path marker = temp.resolve("destroyed.txt");
        jar().source("c.TidyDataset", PluginJarBuilder.datasetWith("c.TidyDataset", "tidy", """
                    @jakarta.annotation.PreDestroy
                    void destroy() {
                        try {
                            java.nio.file.Files.writeString(java.nio.file.Path.of("%s"), "destroyed");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                """.formatted(marker.toString().replace("\\", "\\\\")))).writeTo(plugins.resolve("c.jar"));

        PluginRegistry registry = PluginLoader.load(List.of(plugins));
        Dataset tidy = registry.dataset("tidy");
        assertEquals("tidy", tidy.id());
        ClassLoader pluginLoader = pluginClass(tidy.getClass(), "c.TidyDataset").getClassLoader();
        assertNotNull(pluginLoader.getResource("c/TidyDataset.class"));

        registry.close();
        registry.close();

        assertEquals("destroyed", Files.readString(marker), "the container was shut down");
        assertNull(pluginLoader.getResource("c/TidyDataset.class"), "the class loader was closed");
        assertEquals("the plugin registry is closed",
                assertThrows(IllegalStateException.class, () -> registry.dataset("tidy")).getMessage());
        assertThrows(IllegalStateException.class, registry::plugins);
    }

    @Test
    void weldKeepsItsInfoMessagesToItself() throws Exception {
        Path plugins = twoJars(dir("plugins"));
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger weldLogger = Logger.getLogger("org.jboss.weld");
        weldLogger.addHandler(handler);
        try (PluginRegistry registry = PluginLoader.load(List.of(plugins))) {
            assertEquals(3, registry.plugins().size());
            registry.dataset("shapes");
            registry.objective("bce-kl");
        } finally {
            weldLogger.removeHandler(handler);
        }
        assertTrue(records.stream().allMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()),
                () -> "Weld logged below WARNING: " + records.stream().map(LogRecord::getMessage).toList());
    }

    /** The plugin class itself, also when {@code type} is a container-made subclass (a client proxy). */
    private static Class<?> pluginClass(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        throw new AssertionError(type + " is not a " + name);
    }
}
