package org.onnxtoolkit.compiler.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.spi.CacheFolder;
import org.onnxtoolkit.compiler.artifacts.ArtifactCompiler;
import org.onnxtoolkit.compiler.artifacts.Manifest;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.autodiff.GradientKernels;
import org.onnxtoolkit.compiler.io.AtomicFiles;

/**
 * Finds the training artifacts for a configuration: pre-built ones shipped with the distribution (the
 * {@code artifacts/} folder) when their fingerprint matches, else a cached compilation, else a fresh one
 * written to the cache. The fingerprint is computed from the lowered graphs and settings
 * ({@link ArtifactCompiler#fingerprint}), so any change of a graph, of the compiler's output or of a setting
 * gives a new key and never reuses stale files, with no version to bump. The cache keeps the
 * {@value #MAX_CACHED} most recently used compilations ({@link CacheFolder#trimFolders}; each is a folder of
 * four small files, tens to hundreds of kilobytes, and a new compiler or configuration adds one).
 */
public final class ArtifactResolver {
    /** Where artifacts came from. */
    public enum Source { PREBUILT, CACHED, COMPILED }

    /** Resolved artifacts, their source and folder. */
    public record Resolved(TrainingArtifacts artifacts, Source source, Path directory) {
    }

    /** Cached compilations kept at most; the least recently used beyond it are deleted. */
    public static final int MAX_CACHED = 100;

    private final List<Path> prebuiltRoots;
    private final Path cacheRoot;

    /**
     * @param prebuiltRoots folders whose sub-folders hold pre-built artifacts (may not exist)
     * @param cacheRoot     the compilation cache, created on demand
     */
    public ArtifactResolver(List<Path> prebuiltRoots, Path cacheRoot) {
        this.prebuiltRoots = List.copyOf(prebuiltRoots);
        this.cacheRoot = cacheRoot;
    }

    /** The default cache: {@code $XDG_CACHE_HOME/onnxtoolkit/artifacts} or {@code ~/.cache/onnxtoolkit/artifacts}. */
    public static Path defaultCacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("onnxtoolkit").resolve("artifacts");
    }

    /**
     * The artifacts of {@code graphs}: computes their fingerprint (lowering the graphs, tens of
     * milliseconds), then looks in the pre-built folders, then in the cache, and compiles into the cache
     * when neither has them.
     *
     * @throws IOException when a pre-built folder is damaged or the cache cannot be written
     */
    public Resolved resolve(ModelGraphs graphs) throws IOException {
        ArtifactCompiler.Request request = request(graphs);
        String fingerprint = ArtifactCompiler.fingerprint(request);
        for (Path root : prebuiltRoots) {
            for (Prebuilt p : prebuilt(root)) {
                if (fingerprint.equals(p.manifest().fingerprint())) {
                    return new Resolved(TrainingArtifacts.readFrom(p.directory()), Source.PREBUILT, p.directory());
                }
            }
        }
        Path cached = cacheRoot.resolve(fingerprint);
        if (Files.isRegularFile(cached.resolve(TrainingArtifacts.MANIFEST))) {
            try {
                Resolved hit = new Resolved(TrainingArtifacts.readFrom(cached), Source.CACHED, cached);
                CacheFolder.touch(cached);
                return hit;
            } catch (IOException corrupt) {
                // A damaged cache entry is recompiled below.
            }
        }
        TrainingArtifacts compiled = compile(graphs);
        Files.createDirectories(cacheRoot);
        Path tmp = Files.createTempDirectory(cacheRoot, "." + fingerprint + ".");
        try {
            compiled.writeTo(tmp);
            deleteRecursively(cached);
            AtomicFiles.moveIntoPlace(tmp, cached);
        } finally {
            deleteRecursively(tmp);
        }
        CacheFolder.touch(cached);
        CacheFolder.trimFolders(cacheRoot, MAX_CACHED);
        return new Resolved(compiled, Source.COMPILED, cached);
    }

    /** A folder of pre-built artifacts and its manifest. */
    public record Prebuilt(Path directory, Manifest manifest) {
    }

    /**
     * The pre-built artifacts under {@code root}: every sub-folder with a {@code manifest.json}, sorted by
     * name; empty when {@code root} is not a folder. The model files are not read.
     *
     * @throws IOException naming the manifest when one cannot be read or parsed
     */
    public static List<Prebuilt> prebuilt(Path root) throws IOException {
        List<Prebuilt> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> Files.isRegularFile(p.resolve(TrainingArtifacts.MANIFEST))).sorted().forEach(dirs::add);
        }
        for (Path dir : dirs) {
            Path file = dir.resolve(TrainingArtifacts.MANIFEST);
            try {
                out.add(new Prebuilt(dir, Manifest.fromJson(Files.readString(file))));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Compiles the artifacts of {@code graphs} with the toolkit's standard settings. */
    public static TrainingArtifacts compile(ModelGraphs graphs) {
        return ArtifactCompiler.compile(request(graphs));
    }

    /** Compiles with the standard settings but the given activation-gradient kernels (benchmarks). */
    public static TrainingArtifacts compile(ModelGraphs graphs, GradientKernels kernels) {
        ArtifactCompiler.Request r = request(graphs);
        return ArtifactCompiler.compile(new ArtifactCompiler.Request(r.trainingGraph(), r.evalGraph(), r.lossOutput(),
                r.configuration(), kernels, r.optimizer(), r.exposeGradients(), r.noiseAsInputs()));
    }

    private static ArtifactCompiler.Request request(ModelGraphs graphs) {
        return ArtifactCompiler.Request.of(graphs.objectiveGraph(Phase.TRAINING), graphs.objectiveGraph(Phase.INFERENCE),
                ModelGraphs.LOSS, graphs.configuration());
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
