package org.onnxtoolkit.runtime.cli;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.runtime.model.ModelGraphs;
import org.onnxtoolkit.runtime.ort.InferenceSession;
import org.onnxtoolkit.runtime.ort.SessionConfig;
import org.onnxtoolkit.runtime.ort.Tensor;
import org.onnxtoolkit.runtime.training.RunOutputs;
import org.onnxtoolkit.runtime.training.Trainer;
import org.onnxtoolkit.runtime.web.ModelDescription;

/**
 * The models of a finished run folder (or of a folder written by {@code toolkit export}), checked: a
 * {@code decoder.onnx} whose metadata agrees with its graph, the {@code encoder.onnx} when asked for, and the
 * run record ({@code run.json}, or the {@code run} of an export's {@code model.json}) when there is one.
 *
 * @param dir         the folder
 * @param decoder     the decoder, read and checked
 * @param encoderFile {@code encoder.onnx}, or null when the folder has none
 * @param metadata    the decoder's {@code metadata_props}
 * @param run         the run record as JSON, or null when unknown
 */
record RunFolder(Path dir, DecoderModel decoder, Path encoderFile, Map<String, String> metadata, JsonNode run) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Opens a run folder.
     *
     * @param needEncoder whether the command needs {@code encoder.onnx}
     * @throws UsageException when the folder is missing, is no run folder, or lacks a model
     * @throws IOException    when a file is damaged or the models disagree
     */
    static RunFolder open(Path dir, boolean needEncoder) throws IOException {
        if (!Files.exists(dir)) {
            throw new UsageException("run folder " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageException("--run " + dir + " is not a folder");
        }
        boolean isRun = Files.isRegularFile(dir.resolve(Trainer.RUN_JSON));
        Path decoderFile = dir.resolve(RunOutputs.DECODER);
        Path encoderFile = dir.resolve(RunOutputs.ENCODER);
        String finish = isRun ? ": finish it first (./toolkit train --resume " + dir + ")" : "";
        if (!Files.isRegularFile(decoderFile)) {
            if (!isRun && !Files.isRegularFile(dir.resolve(ModelDescription.FILE))) {
                throw new UsageException(dir + " is not a run folder (it has neither run.json nor decoder.onnx)");
            }
            throw new UsageException("run " + dir + " has no decoder.onnx yet" + finish);
        }
        if (needEncoder && !Files.isRegularFile(encoderFile)) {
            throw new UsageException("run " + dir + " has no encoder.onnx" + (isRun ? " yet" + finish : ""));
        }
        DecoderModel decoder = DecoderModel.read(decoderFile);
        Map<String, String> metadata = metadata(decoder.bytes());
        checkMetadata(decoderFile, decoder, metadata);
        if (Files.isRegularFile(encoderFile)) {
            checkEncoder(encoderFile, decoder);
        }
        JsonNode run = null;
        if (isRun) {
            run = readJson(dir.resolve(Trainer.RUN_JSON));
        } else if (Files.isRegularFile(dir.resolve(ModelDescription.FILE))) {
            run = readJson(dir.resolve(ModelDescription.FILE)).get("run");
        }
        return new RunFolder(dir, decoder, Files.isRegularFile(encoderFile) ? encoderFile : null, metadata, run);
    }

    /**
     * Decodes latent vectors on the CPU.
     *
     * @param z {@code [n, latent]}, row-major
     * @return images {@code [n, C, H, W]} in [0, 1]
     */
    float[] decode(float[] z, int n) {
        try (InferenceSession s = InferenceSession.open(decoder.bytes(), SessionConfig.cpu())) {
            return s.run(Map.of(ModelGraphs.Z, Tensor.of(z, n, decoder.latentSize()))).get(ModelGraphs.IMAGE).toArray();
        }
    }

    /**
     * Encodes images on the CPU to the means of their posteriors.
     *
     * @param x images {@code [n, C, H, W]} in [0, 1]
     * @return {@code mu [n, latent]}
     * @throws IllegalStateException if the folder has no encoder
     */
    float[] encodeMeans(float[] x, int n) {
        if (encoderFile == null) {
            throw new IllegalStateException(dir + " has no encoder.onnx");
        }
        ImageShape s = decoder.imageShape();
        try (InferenceSession enc = InferenceSession.open(encoderFile, SessionConfig.cpu())) {
            return enc.run(Map.of(ModelGraphs.X, Tensor.of(x, n, s.channels(), s.height(), s.width()))).get(ModelGraphs.MU)
                    .toArray();
        }
    }

    /** @return {@code model.json} for these models */
    ModelDescription description() {
        return new ModelDescription(decoder.latentSize(), decoder.imageShape(), encoderFile != null, metadata, run);
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is damaged: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, String> metadata(byte[] model) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (OnnxMl.StringStringEntryProto p : OnnxMl.ModelProto.parseFrom(model).getMetadataPropsList()) {
            m.put(p.getKey(), p.getValue());
        }
        return m;
    }

    /** The recorded latent size and image shape, when present, must be the graph's. */
    private static void checkMetadata(Path file, DecoderModel decoder, Map<String, String> metadata) throws IOException {
        String latent = metadata.get("model.latent_size");
        if (latent != null && !latent.equals(Integer.toString(decoder.latentSize()))) {
            throw new IOException(file + " is inconsistent: its metadata says model.latent_size " + latent
                    + " but its input z is [N, " + decoder.latentSize() + "]");
        }
        ImageShape s = decoder.imageShape();
        String shape = metadata.get("model.image_shape");
        String actual = s.channels() + "," + s.height() + "," + s.width();
        if (shape != null && !shape.equals(actual)) {
            throw new IOException(file + " is inconsistent: its metadata says model.image_shape " + shape
                    + " but its output image is [N, " + actual.replace(",", ", ") + "]");
        }
    }

    /** encoder.onnx must take the decoder's images and give its latent vectors. */
    private static void checkEncoder(Path file, DecoderModel decoder) throws IOException {
        OnnxMl.GraphProto g;
        try {
            g = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file)).getGraph();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IOException(file + " is not an ONNX model (it cannot be parsed)", e);
        }
        ImageShape s = decoder.imageShape();
        String expected = "input x [N, " + s.channels() + ", " + s.height() + ", " + s.width() + "] and outputs mu,"
                + " logvar [N, " + decoder.latentSize() + "]";
        boolean ok = g.getInputCount() == 1 && g.getInput(0).getName().equals(ModelGraphs.X) && g.getOutputCount() == 2
                && g.getOutput(0).getName().equals(ModelGraphs.MU) && g.getOutput(1).getName().equals(ModelGraphs.LOGVAR);
        if (ok) {
            long[] x = dims(g.getInput(0));
            long[] mu = dims(g.getOutput(0));
            ok = x.length == 4 && x[1] == s.channels() && x[2] == s.height() && x[3] == s.width() && mu.length == 2
                    && mu[1] == decoder.latentSize();
        }
        if (!ok) {
            throw new IOException(file + " does not match decoder.onnx: expected " + expected);
        }
    }

    private static long[] dims(OnnxMl.ValueInfoProto v) {
        OnnxMl.TensorShapeProto s = v.getType().getTensorType().getShape();
        long[] d = new long[s.getDimCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.getDim(i).hasDimValue() ? s.getDim(i).getDimValue() : -1;
        }
        return d;
    }
}
