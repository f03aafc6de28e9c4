package org.onnxtoolkit.runtime.cli;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.io.FileKind;
import org.onnxtoolkit.compiler.io.InputFiles;
import org.onnxtoolkit.compiler.io.NotARegularFileException;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.compiler.io.Json;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.runtime.web.ModelDescription;

/**
 * The models of a finished run folder (or of a folder written by {@code toolkit export}), checked: a
 * {@code decoder.onnx} whose metadata agrees with its graph, the {@code encoder.onnx} when asked for, and the
 * run record ({@code run.json}, or the {@code run} of an export's {@code model.json}) when there is one.
 *
 * <p>Every file is examined before it is opened: one that is not a regular file (a folder, a device, a named
 * pipe, which would block the open) is refused with its name.
 *
 * @param dir          the folder
 * @param decoder      the decoder, read and checked
 * @param encoderFile  {@code encoder.onnx}, or null when the folder has none
 * @param encoderBytes its content as read and checked, or null with {@code encoderFile}
 * @param metadata     the decoder's {@code metadata_props}
 * @param run          the run record as a JSON object, or null when unknown
 */
record RunFolder(Path dir, DecoderModel decoder, Path encoderFile, byte[] encoderBytes, Map<String, String> metadata,
                 JsonNode run) {
    private static final ObjectMapper JSON = Json.MAPPER;
    /** Far more than any run record or model description; a larger file is not one. */
    private static final long MAX_JSON_BYTES = 64L << 20;

    /**
     * Opens a run folder.
     *
     * @param needEncoder whether the command needs {@code encoder.onnx}
     * @throws UsageException           when the folder is missing, is no run folder, or lacks a model
     * @throws NotARegularFileException when one of its files is a folder, a device or a named pipe
     * @throws IOException              when a file is damaged or the models disagree
     */
    static RunFolder open(Path dir, boolean needEncoder) throws IOException {
        FileKind kind = FileKind.of(dir, true);
        if (kind == FileKind.MISSING) {
            throw new UsageException("run folder " + dir + " does not exist");
        }
        if (kind != FileKind.DIRECTORY) {
            throw new UsageException("--run " + dir + " is " + kind.description() + ", not a folder");
        }
        RunDirectory folder = RunDirectory.at(dir);
        Path runJson = folder.runJson();
        Path decoderFile = folder.decoder();
        Path encoderFile = folder.encoder();
        Path modelJson = dir.resolve(ModelDescription.FILE);
        boolean isRun = present(runJson);
        boolean isExport = present(modelJson);
        boolean hasEncoder = present(encoderFile);
        String finish = isRun ? ": finish it first (./toolkit train --resume " + dir + ")" : "";
        if (!present(decoderFile)) {
            if (!isRun && !isExport) {
                throw new UsageException(dir + " is not a run folder (it has neither run.json nor decoder.onnx)");
            }
            throw new UsageException("run " + dir + " has no decoder.onnx yet" + finish);
        }
        if (needEncoder && !hasEncoder) {
            throw new UsageException("run " + dir + " has no encoder.onnx" + (isRun ? " yet" + finish : ""));
        }
        DecoderModel decoder = DecoderModel.read(decoderFile);
        Map<String, String> metadata = metadata(ModelFiles.parse(decoderFile, decoder.bytes()));
        checkMetadata(decoderFile, decoder, metadata);
        byte[] encoderBytes = null;
        if (hasEncoder) {
            encoderBytes = ModelFiles.read(encoderFile, "model file");
            checkEncoder(encoderFile, encoderBytes, decoder);
        }
        JsonNode run = null;
        if (isRun) {
            readObject(runJson); // a JSON object at all, before its fields are checked
            // Typed and checked as the trainer reads it; model.json then embeds the record as written.
            run = JSON.valueToTree(folder.readRecord());
        } else if (isExport) {
            JsonNode embedded = readObject(modelJson).get("run");
            run = embedded != null && embedded.isObject() ? embedded : null;
        }
        return new RunFolder(dir, decoder, hasEncoder ? encoderFile : null, encoderBytes, metadata, run);
    }

    /**
     * Whether {@code file} exists, refusing one that is not a regular file before anything opens it.
     *
     * @throws NotARegularFileException if it is a folder, a device, a named pipe or a socket
     */
    static boolean present(Path file) throws IOException {
        FileKind kind = FileKind.of(file, true);
        if (kind == FileKind.MISSING) {
            return false;
        }
        if (kind != FileKind.REGULAR) {
            throw NotARegularFileException.forReading(file, kind);
        }
        return true;
    }

    /**
     * Decodes latent vectors on the CPU.
     *
     * @param z {@code [n, latent]}, row-major
     * @return images {@code [n, C, H, W]} in [0, 1]
     * @throws IOException if ONNX Runtime cannot load or run the decoder
     */
    float[] decode(float[] z, int n) throws IOException {
        return decoder.decode(Tensor.of(z, n, decoder.latentSize()), SessionConfig.cpu());
    }

    /**
     * Decodes latent vectors of a class-conditional decoder on the CPU, or of an unconditional one when
     * {@code label} is negative.
     *
     * @param label the class of every image, or -1 for an unconditional decoder
     * @return images {@code [n, C, H, W]} in [0, 1]
     */
    float[] decode(float[] z, int n, int label) throws IOException {
        return decoder.decode(Tensor.of(z, n, decoder.latentSize()), label < 0 ? null : labels(label, n),
                SessionConfig.cpu());
    }

    /** {@code n} copies of one class label, as a conditional model's {@code label [n]} input. */
    static Tensor labels(int label, int n) {
        long[] values = new long[n];
        java.util.Arrays.fill(values, label);
        return Tensor.of(values, n);
    }

    /**
     * Encodes images on the CPU to the means of their posteriors.
     *
     * @param x images {@code [n, C, H, W]} in [0, 1]
     * @return {@code mu [n, latent]}
     * @throws IllegalStateException if the folder has no encoder
     * @throws IOException           if ONNX Runtime cannot load or run the encoder
     */
    float[] encodeMeans(float[] x, int n) throws IOException {
        return encodeMeans(x, null, n);
    }

    /**
     * Encodes images of given classes on the CPU to the means of their posteriors.
     *
     * @param x      images {@code [n, C, H, W]} in [0, 1]
     * @param labels {@code [n]} class labels for a class-conditional model, null for an unconditional one
     * @return {@code mu [n, latent]}
     */
    float[] encodeMeans(float[] x, Tensor labels, int n) throws IOException {
        if (encoderFile == null) {
            throw new IllegalStateException(dir + " has no encoder.onnx");
        }
        if (decoder.conditional() != (labels != null)) {
            throw new IllegalStateException(encoderFile + (decoder.conditional() ? " needs" : " takes no") + " class labels");
        }
        ImageShape s = decoder.imageShape();
        Map<String, Tensor> feeds = new java.util.HashMap<>();
        feeds.put(ModelGraphs.X, Tensor.of(x, n, s.channels(), s.height(), s.width()));
        if (labels != null) {
            feeds.put(ModelGraphs.LABEL, labels);
        }
        try (InferenceSession enc = ModelFiles.open(encoderFile, encoderBytes, SessionConfig.cpu())) {
            Tensor mu = ModelFiles.run(encoderFile, enc, feeds).get(ModelGraphs.MU);
            long[] expected = {n, decoder.latentSize()};
            if (!Arrays.equals(mu.shape(), expected)) {
                throw new IOException(encoderFile + " is damaged: it gave mu " + Arrays.toString(mu.shape()) + " for " + n
                        + " images, expected " + Arrays.toString(expected));
            }
            return mu.toFloatArray();
        }
    }

    /** @return {@code model.json} for these models */
    ModelDescription description() {
        return new ModelDescription(decoder.latentSize(), decoder.imageShape(), encoderFile != null, metadata, run,
                decoder.classes());
    }

    /** Reads a JSON file that must hold an object. */
    private static JsonNode readObject(Path file) throws IOException {
        byte[] bytes = InputFiles.readAllBytes(file, MAX_JSON_BYTES, "a JSON record");
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is damaged: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IOException(file + " is damaged: it holds " + (node == null || node.isMissingNode() ? "nothing"
                    : "a JSON " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)) + ", not a JSON object");
        }
        return node;
    }

    private static Map<String, String> metadata(OnnxMl.ModelProto model) {
        Map<String, String> m = new TreeMap<>();
        for (OnnxMl.StringStringEntryProto p : model.getMetadataPropsList()) {
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
    private static void checkEncoder(Path file, byte[] bytes, DecoderModel decoder) throws IOException {
        OnnxMl.GraphProto g = ModelFiles.parse(file, bytes).getGraph();
        ImageShape s = decoder.imageShape();
        String expected = "input x [N, " + s.channels() + ", " + s.height() + ", " + s.width() + "]"
                + (decoder.conditional() ? " and label [N]" : "") + " and outputs mu, logvar [N, " + decoder.latentSize() + "]";
        int inputs = decoder.conditional() ? 2 : 1;
        boolean ok = g.getInputCount() == inputs && g.getInput(0).getName().equals(ModelGraphs.X)
                && (inputs == 1 || g.getInput(1).getName().equals(ModelGraphs.LABEL)) && g.getOutputCount() == 2
                && g.getOutput(0).getName().equals(ModelGraphs.MU) && g.getOutput(1).getName().equals(ModelGraphs.LOGVAR);
        if (ok) {
            long[] x = DecoderModel.dims(g.getInput(0));
            long[] mu = DecoderModel.dims(g.getOutput(0));
            ok = x.length == 4 && x[1] == s.channels() && x[2] == s.height() && x[3] == s.width() && mu.length == 2
                    && mu[1] == decoder.latentSize();
        }
        if (!ok) {
            throw new IOException(file + " does not match decoder.onnx: expected " + expected);
        }
    }
}
