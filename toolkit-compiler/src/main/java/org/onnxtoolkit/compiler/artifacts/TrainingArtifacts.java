package org.onnxtoolkit.compiler.artifacts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.onnxtoolkit.compiler.checkpoint.CheckpointWriter;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.compiler.io.AtomicFiles;

/**
 * The three ONNX models of ONNX Runtime's training API and their manifest, in memory. Immutable; the byte
 * arrays are not copied, so callers must not modify them.
 *
 * @param trainingModel  {@value #TRAINING_MODEL}
 * @param evalModel      {@value #EVAL_MODEL}
 * @param optimizerModel {@value #OPTIMIZER_MODEL}
 * @param manifest       {@value #MANIFEST}
 */
public record TrainingArtifacts(byte[] trainingModel, byte[] evalModel, byte[] optimizerModel, Manifest manifest) {
    public static final String TRAINING_MODEL = "training_model.onnx";
    public static final String EVAL_MODEL = "eval_model.onnx";
    public static final String OPTIMIZER_MODEL = "optimizer_model.onnx";
    public static final String MANIFEST = "manifest.json";

    /**
     * Writes the four files into {@code dir} (created if needed), each atomically; the manifest last, so a
     * directory with a manifest is complete.
     */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(TRAINING_MODEL), trainingModel);
        AtomicFiles.write(dir.resolve(EVAL_MODEL), evalModel);
        AtomicFiles.write(dir.resolve(OPTIMIZER_MODEL), optimizerModel);
        AtomicFiles.write(dir.resolve(MANIFEST), manifest.toJson().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads artifacts written by {@link #writeTo}, checking every model file against the SHA-256 the
     * manifest records.
     *
     * @throws IOException with a message naming the file when one is missing, corrupt or does not match
     */
    public static TrainingArtifacts readFrom(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        Manifest manifest;
        try {
            manifest = Manifest.fromJson(Files.readString(manifestFile, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new IOException("no training artifacts in " + dir + ": " + MANIFEST + " is missing", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(manifestFile + ": " + e.getMessage(), e);
        }
        byte[] train = readChecked(dir, TRAINING_MODEL, manifest);
        byte[] eval = readChecked(dir, EVAL_MODEL, manifest);
        byte[] optimizer = readChecked(dir, OPTIMIZER_MODEL, manifest);
        return new TrainingArtifacts(train, eval, optimizer, manifest);
    }

    private static byte[] readChecked(Path dir, String name, Manifest manifest) throws IOException {
        Path file = dir.resolve(name);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("training artifact " + file + " is missing; regenerate the artifacts", e);
        }
        String expected = manifest.files().get(name);
        if (expected == null || !expected.equals(ArtifactCompiler.sha256(bytes))) {
            throw new IOException("training artifact " + file + " does not match the SHA-256 in " + MANIFEST
                    + " (corrupt or edited); regenerate the artifacts");
        }
        return bytes;
    }

    /**
     * A run's first checkpoint: every parameter drawn from its initialisation scheme. Each parameter has its
     * own generator seeded from {@code seed} and the parameter's name, so values do not depend on the order
     * of parameters and the same seed always gives the same bytes.
     *
     * @param seed       the run's seed
     * @param properties string properties stored in the checkpoint's property bag (provenance)
     */
    public byte[] initialCheckpoint(long seed, Map<String, String> properties) {
        List<NamedTensor> trainable = new ArrayList<>();
        List<NamedTensor> frozen = new ArrayList<>();
        for (Manifest.ParameterEntry p : manifest.parameters()) {
            float[] data = new float[Math.toIntExact(p.elementCount())];
            p.init().toInit().fill(data, parameterRandom(seed, p.name()));
            NamedTensor t = new NamedTensor(p.name(), p.shape(), data);
            (p.trainable() ? trainable : frozen).add(t);
        }
        CheckpointWriter writer = new CheckpointWriter().addTrainable(trainable).addFrozen(frozen);
        properties.forEach(writer::addProperty);
        return writer.toBytes();
    }

    /** {@link #initialCheckpoint(long, Map)} with the artifacts' fingerprint as the only property. */
    public byte[] initialCheckpoint(long seed) {
        return initialCheckpoint(seed, Map.of("toolkit.fingerprint", manifest.fingerprint()));
    }

    static SplittableRandom parameterRandom(long seed, String name) {
        long h = 1125899906842597L;
        for (int i = 0; i < name.length(); i++) {
            h = 31 * h + name.charAt(i);
        }
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ h);
    }
}
