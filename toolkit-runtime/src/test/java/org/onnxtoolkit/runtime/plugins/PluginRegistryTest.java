package org.onnxtoolkit.runtime.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;

/** The registry without a container: lookups, messages and closing order. */
class PluginRegistryTest {
    private static Dataset dataset(String id) {
        return new Dataset() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public ImageShape nativeShape() {
                return null;
            }

            @Override
            public DatasetSplits open(DatasetOptions options) {
                return null;
            }
        };
    }

    private static PluginInfo info(String id) {
        return new PluginInfo(id, PluginKind.DATASET, "1.0", Path.of("/plugins/a.jar"), "a.Dataset" + id.length());
    }

    @Test
    void looksUpByIdAndListsAvailableIdsSorted() {
        Dataset mnist = dataset("mnist");
        Map<PluginInfo, PluginRegistry.PluginSource> plugins = new LinkedHashMap<>();
        plugins.put(info("shapes"), () -> dataset("shapes"));
        plugins.put(info("mnist"), () -> mnist);
        plugins.put(info("fashion-mnist"), () -> dataset("fashion-mnist"));
        try (PluginRegistry registry = new PluginRegistry(plugins, List.of())) {
            assertSame(mnist, registry.dataset("mnist"));
            assertEquals(List.of("fashion-mnist", "mnist", "shapes"),
                    registry.plugins().stream().map(PluginInfo::id).toList());
            UnknownPluginException e = assertThrows(UnknownPluginException.class, () -> registry.dataset("foo"));
            assertEquals("unknown dataset 'foo' (available: fashion-mnist, mnist, shapes)", e.getMessage());
            assertEquals(List.of("fashion-mnist", "mnist", "shapes"), e.available());
            assertEquals("foo", e.id());
        }
    }

    @Test
    void startsAPluginOnlyWhenAskedForAndOnlyOnce() {
        List<String> started = new ArrayList<>();
        Map<PluginInfo, PluginRegistry.PluginSource> plugins = new LinkedHashMap<>();
        plugins.put(info("shapes"), () -> {
            started.add("shapes");
            return dataset("shapes");
        });
        plugins.put(info("broken"), () -> {
            started.add("broken");
            throw new PluginStartException("plugin jar a.jar: dataset class a.Dataset6 failed to start (boom)");
        });
        try (PluginRegistry registry = new PluginRegistry(plugins, List.of())) {
            assertEquals(List.of("broken", "shapes"), registry.plugins().stream().map(PluginInfo::id).toList());
            assertEquals("1.0", registry.info(PluginKind.DATASET, "broken").version());
            assertEquals(List.of(), started, "listing starts nothing");

            Dataset shapes = registry.dataset("shapes");
            assertSame(shapes, registry.dataset("shapes"));
            assertSame(shapes, registry.plugin(PluginKind.DATASET, "shapes"));
            PluginStartException first = assertThrows(PluginStartException.class, () -> registry.dataset("broken"));
            assertSame(first, assertThrows(PluginStartException.class, () -> registry.dataset("broken")));
            assertEquals(List.of("shapes", "broken"), started);
        }
    }

    @Test
    void kindsHaveLowerCaseDisplayNames() {
        assertEquals(List.of("dataset", "architecture", "objective"),
                List.of(PluginKind.values()).stream().map(PluginKind::displayName).toList());
    }

    @Test
    void closesResourcesInOrderOnceEvenWhenOneFails() {
        List<String> closed = new ArrayList<>();
        AutoCloseable container = () -> {
            closed.add("container");
            throw new IllegalStateException("pre-destroy failed");
        };
        AutoCloseable classLoader = () -> closed.add("class loader");
        PluginRegistry registry = new PluginRegistry(Map.of(), List.of(container, classLoader));

        IllegalStateException e = assertThrows(IllegalStateException.class, registry::close);
        assertEquals("pre-destroy failed", e.getCause().getMessage());
        registry.close();

        assertEquals(List.of("container", "class loader"), closed);
        assertThrows(IllegalStateException.class, () -> registry.info(PluginKind.DATASET, "mnist"));
    }
}
