package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Run folders as files: hashes of everything in them, copies, damage, and output comparisons. */
final class RunFolders {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The files of a run that the trainer writes deterministically for a seed. */
    static final List<String> DETERMINISTIC = List.of("decoder.onnx", "encoder.onnx", "manifold.png", "loss.png",
            "samples-001.png", "samples-002.png", "reconstructions-001.png", "reconstructions-002.png", "run.json",
            "checkpoints/epoch-002.ckpt", "artifacts/manifest.json", "artifacts/training_model.onnx",
            "artifacts/eval_model.onnx", "artifacts/optimizer_model.onnx", "best/decoder.onnx",
            "best/encoder.onnx");

    private RunFolders() {
    }

    /**
     * SHA-256 of every file under {@code dir} (symbolic links as their target path), by relative path, except
     * {@code run.lock}, which names its last holder: each process that takes the lock writes its pid there.
     */
    static Map<String, String> hashes(Path dir) throws IOException {
        Map<String, String> h = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                String rel = dir.relativize(f).toString();
                if (rel.equals("run.lock")) {
                    continue;
                }
                if (Files.isSymbolicLink(f)) {
                    h.put(rel, "link to " + Files.readSymbolicLink(f));
                } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    h.put(rel, sha256(Files.readAllBytes(f)));
                }
            }
        }
        return h;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a folder tree (files and folders; symbolic links are not expected in a fresh run). */
    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }

    /** Inverts {@code count} bytes in the middle of a file. */
    static void flipBytes(Path file, int count) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int from = b.length / 2;
        for (int i = from; i < from + count; i++) {
            b[i] ^= (byte) 0xFF;
        }
        Files.write(file, b);
    }

    /** Rewrites a JSON file after {@code edit} changed its tree. */
    static void editJson(Path file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        edit.accept(json);
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json), StandardCharsets.UTF_8);
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Temporary files of interrupted writes ({@code .<name>.<digits>.tmp}) anywhere under {@code dir}. */
    static List<String> temporaryFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(f -> dir.relativize(f).toString())
                    .filter(rel -> Path.of(rel).getFileName().toString().matches("\\..+\\.[0-9]+\\.tmp")).sorted().toList();
        }
    }

    /** metrics.csv without the timing columns (images/s, seconds), which differ between any two runs. */
    static List<String> metricsWithoutTimes(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.csv")).stream().map(CliEndToEndIT::withoutTimes).toList();
    }

    /**
     * {@code other} holds exactly the files of {@code reference} (same names), the deterministic ones byte for
     * byte, the same metrics but for timings, a complete {@code state.json} with the same counters, checkpoint
     * hash and recent losses, and no temporary file.
     */
    static void assertSameRun(Path reference, Path other, String context) throws IOException {
        assertSameRun(reference, other, context, Set.of());
    }

    /** As {@link #assertSameRun(Path, Path, String)}, but for the contents of the files in {@code except}. */
    static void assertSameRun(Path reference, Path other, String context, Set<String> except) throws IOException {
        assertEquals(hashes(reference).keySet(), hashes(other).keySet(), context + ": the files of the run folder");
        for (String name : DETERMINISTIC) {
            if (Files.exists(reference.resolve(name)) && !except.contains(name)) {
                assertArrayEquals(Files.readAllBytes(reference.resolve(name)), Files.readAllBytes(other.resolve(name)),
                        context + ": " + name + " differs from the uninterrupted run's");
            }
        }
        assertEquals(metricsWithoutTimes(reference), metricsWithoutTimes(other), context + ": metrics.csv");
        JsonNode a = readJson(reference.resolve("state.json"));
        JsonNode b = readJson(other.resolve("state.json"));
        for (String field : List.of("completedEpochs", "batchesDone", "step", "checkpoint", "checkpointSha256",
                "recentLosses", "complete")) {
            assertEquals(a.get(field), b.get(field), context + ": state.json " + field);
        }
        assertEquals(true, b.get("complete").asBoolean(), context + ": the run is marked complete");
        assertEquals(List.of(), temporaryFiles(other), context + ": temporary files left");
    }
}
