package org.onnxtoolkit.runtime.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.api.spi.ToolkitContext;

/** The remembered class scans of plugin jars, through the real loader. */
class PluginScanCacheTest {
    @TempDir
    Path temp;

    private static PluginServices services(Path cache) {
        return new PluginServices(Progress.NONE, new ToolkitContext(cache, "test", false));
    }

    /** a.jar: dataset "shapes" and a helper class without annotations. */
    private Path pluginsWithOneJar(String name, String helperBody) throws IOException {
        Path plugins = Files.createDirectories(temp.resolve(name));
        new PluginJarBuilder(Files.createDirectories(temp.resolve(name + "-work")))
                .source("a.ShapesDataset", PluginJarBuilder.dataset("a.ShapesDataset", "shapes"))
                .source("a.Helper", "package a; public class Helper { " + helperBody + " }")
                .writeTo(plugins.resolve("a.jar"));
        return plugins;
    }

    private static List<String> ids(Path plugins, Path cache) throws PluginLoadException {
        try (PluginRegistry registry = PluginLoader.load(List.of(plugins), services(cache))) {
            return registry.plugins().stream().map(PluginInfo::id).toList();
        }
    }

    private static List<Path> entries(Path cache) throws IOException {
        Path dir = cache.resolve("plugin-scan");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aSecondLoadReadsTheRememberedScanAndIgnoresADamagedOne() throws Exception {
        Path plugins = pluginsWithOneJar("plugins", "");
        Path cache = temp.resolve("cache");
        assertEquals(List.of("shapes"), ids(plugins, cache));
        List<Path> written = entries(cache);
        assertEquals(1, written.size(), written.toString());
        Path entry = written.get(0);
        String key = entry.getFileName().toString().replace(".txt", "");
        assertEquals(List.of(PluginScanCache.FORMAT, key, "a.ShapesDataset", "end"), Files.readAllLines(entry));

        // The loader believes the entry: one naming only the helper hides the dataset.
        Files.writeString(entry, PluginScanCache.FORMAT + "\n" + key + "\na.Helper\nend\n");
        assertEquals(List.of(), ids(plugins, cache));

        // A damaged entry is scanned again (and written anew): cut short, another key, a class the jar lacks.
        for (String damaged : List.of(PluginScanCache.FORMAT + "\n" + key + "\na.Helper\n",
                PluginScanCache.FORMAT + "\n" + "0".repeat(64) + "\nend\n",
                PluginScanCache.FORMAT + "\n" + key + "\nb.Elsewhere\nend\n",
                "onnxtoolkit plugin scan 0\n" + key + "\nend\n")) {
            Files.writeString(entry, damaged);
            assertEquals(List.of("shapes"), ids(plugins, cache), damaged);
            assertEquals(List.of(PluginScanCache.FORMAT, key, "a.ShapesDataset", "end"), Files.readAllLines(entry));
        }
    }

    @Test
    void theKeyFollowsTheJarsClassesNotItsPathOrTime() throws Exception {
        Path cache = temp.resolve("cache");
        Path plugins = pluginsWithOneJar("plugins", "");
        assertEquals(List.of("shapes"), ids(plugins, cache));
        Path moved = Files.createDirectories(temp.resolve("elsewhere"));
        Files.copy(plugins.resolve("a.jar"), moved.resolve("renamed.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.setLastModifiedTime(moved.resolve("renamed.jar"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertEquals(List.of("shapes"), ids(moved, cache));
        assertEquals(1, entries(cache).size(), "the same classes elsewhere share the entry");

        Path changed = pluginsWithOneJar("changed", "public int x() { return 42; }");
        assertEquals(List.of("shapes"), ids(changed, cache));
        List<Path> after = entries(cache);
        assertEquals(2, after.size(), "a changed class is a new key: " + after);
        assertNotEquals(after.get(0).getFileName(), after.get(1).getFileName());
    }

    @Test
    void aCacheThatCannotBeWrittenCostsOnlyTheScan() throws Exception {
        Path plugins = pluginsWithOneJar("plugins", "");
        Path notADirectory = Files.writeString(temp.resolve("cache-file"), "x");
        assertEquals(List.of("shapes"), ids(plugins, notADirectory));
        assertEquals("x", Files.readString(notADirectory));

        // An entry's name taken by a folder is left alone, never renamed over.
        Path cache = temp.resolve("cache");
        assertEquals(List.of("shapes"), ids(plugins, cache));
        Path entry = entries(cache).get(0);
        Files.delete(entry);
        Files.createDirectories(entry.resolve("inside"));
        assertEquals(List.of("shapes"), ids(plugins, cache));
        assertTrue(Files.isDirectory(entry.resolve("inside")));
        try (Stream<Path> s = Files.list(entry.getParent())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
        assertEquals("x", Files.readString(notADirectory, StandardCharsets.UTF_8));
    }

    @Test
    void theFolderKeepsTheMostRecentlyUsedEntries() throws Exception {
        Path cache = temp.resolve("cache");
        PluginScanCache scans = new PluginScanCache(cache.resolve("plugin-scan"));
        String kept = "f".repeat(64);
        scans.put(kept, List.of("a.Kept"));
        for (int i = 0; i < PluginScanCache.MAX_ENTRIES; i++) {
            scans.put(String.format("%064x", i), List.of("a.Dataset" + i));
            if (i == PluginScanCache.MAX_ENTRIES / 2) {
                // older than what follows, but used again: kept over the oldest written ones
                java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(
                        System.currentTimeMillis() - 60_000);
                for (Path e : entries(cache)) {
                    Files.setLastModifiedTime(e, old);
                }
                assertEquals(List.of("a.Kept"), scans.get(kept, java.util.Set.of("a.Kept")));
            }
        }
        List<Path> left = entries(cache);
        assertEquals(PluginScanCache.MAX_ENTRIES, left.size());
        assertTrue(left.contains(cache.resolve("plugin-scan").resolve(kept + ".txt")), "the entry read again stays");
        assertTrue(!left.contains(cache.resolve("plugin-scan").resolve(String.format("%064x", 0) + ".txt")),
                "the first written and never read is gone");
    }
}
