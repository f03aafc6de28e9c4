package org.onnxtoolkit.engine.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.compiler.model.ModelGraphs;

/**
 * The compiled-artifacts cache: a compilation goes into the cache, a later resolve reads it and marks it as
 * used, and the cache keeps the {@value ArtifactResolver#MAX_CACHED} most recently used compilations.
 */
class ArtifactCacheTest {
    @TempDir
    Path tmp;

    private static ModelGraphs graphs() {
        return new ModelGraphs(new EmbeddedTrainingTest.TinyVae(), new EmbeddedTrainingTest.BceKl(),
                PluginOptions.of("bce-kl-inline", List.of(), Map.of()));
    }

    private List<String> entries(Path cache) throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theCacheKeepsTheMostRecentlyUsedCompilations() throws Exception {
        Path cache = tmp.resolve("artifacts");
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        for (int i = 0; i < ArtifactResolver.MAX_CACHED; i++) {
            // earlier compilations (other configurations), the first the oldest
            Path entry = Files.createDirectories(cache.resolve(String.format("%064x", i)));
            Files.writeString(entry.resolve("manifest.json"), "{}");
            Files.setLastModifiedTime(entry, FileTime.fromMillis(old.toMillis() + i * 1000L));
        }
        Files.createDirectories(cache.resolve(".in-progress")); // another process's temporary folder

        ArtifactResolver resolver = new ArtifactResolver(List.of(), cache);
        ArtifactResolver.Resolved first = resolver.resolve(graphs());
        assertEquals(ArtifactResolver.Source.COMPILED, first.source());
        List<String> after = entries(cache);
        assertEquals(ArtifactResolver.MAX_CACHED + 1, after.size(), "100 compilations and the temporary folder");
        assertTrue(after.contains(first.directory().getFileName().toString()));
        assertTrue(after.contains(".in-progress"));
        assertFalse(after.contains(String.format("%064x", 0)), "the least recently used is gone");
        assertTrue(after.contains(String.format("%064x", 1)));

        Files.setLastModifiedTime(first.directory(), old);
        ArtifactResolver.Resolved again = resolver.resolve(graphs());
        assertEquals(ArtifactResolver.Source.CACHED, again.source());
        assertEquals(first.directory(), again.directory());
        assertTrue(Files.getLastModifiedTime(again.directory()).toMillis() > old.toMillis() + 3_000_000,
                "a hit marks the compilation as used");
    }
}
