package org.onnxtoolkit.runtime.cli;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Path;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.onnxtoolkit.compiler.io.Json;
import org.onnxtoolkit.engine.training.ModelExport;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;

/**
 * An exported {@code decoder.onnx} read from disk, with its latent size and image shape checked.
 *
 * @param file       where it was read from (for messages)
 * @param bytes      the model, as read
 * @param latentSize the size of its input {@code z [N, latent]}
 * @param imageShape the shape of its output {@code image [N, C, H, W]}
 * @param classes    the class names, in label order, of a class-conditional decoder (a second input
 *                   {@code label [N]} int64); empty for an unconditional one
 */
record DecoderModel(Path file, byte[] bytes, int latentSize, ImageShape imageShape, List<String> classes) {
    DecoderModel {
        classes = List.copyOf(classes);
    }

    /** Whether the decoder takes a class label besides the latent vectors. */
    boolean conditional() {
        return !classes.isEmpty();
    }

    /**
     * Reads and checks a decoder.
     *
     * @throws UsageException if the file does not exist
     * @throws org.onnxtoolkit.compiler.io.NotARegularFileException if it is a folder, a device or a named pipe
     *     (never opened)
     * @throws IOException    if it is not an ONNX model or not a decoder exported by the toolkit
     */
    static DecoderModel read(Path file) throws IOException {
        byte[] bytes = ModelFiles.read(file, "model file");
        OnnxMl.ModelProto proto = ModelFiles.parse(file, bytes);
        OnnxMl.GraphProto g = proto.getGraph();
        boolean conditional = g.getInputCount() == 2 && g.getInput(1).getName().equals(ModelGraphs.LABEL);
        if ((g.getInputCount() != 1 && !conditional) || g.getOutputCount() != 1
                || !g.getInput(0).getName().equals(ModelGraphs.Z) || !g.getOutput(0).getName().equals(ModelGraphs.IMAGE)) {
            String expected = g.getInputCount() == 2
                    ? "the inputs 'z' [N, latent] and 'label' [N] of a class-conditional decoder"
                    : "one input 'z' [N, latent]";
            throw new IOException(file + " is not a decoder exported by the toolkit (expected " + expected
                    + " and one output 'image' [N, C, H, W], found inputs " + names(g.getInputList()) + " and outputs "
                    + names(g.getOutputList()) + ")");
        }
        List<String> classes = conditional ? classes(file, proto) : List.of();
        long[] in = dims(g.getInput(0));
        long[] out = dims(g.getOutput(0));
        if (in.length != 2 || !positiveInt(in[1]) || out.length != 4 || !positiveInt(out[1]) || !positiveInt(out[2])
                || !positiveInt(out[3]) || (long) out[1] * out[2] * out[3] > Integer.MAX_VALUE) {
            throw new IOException(file + ": expected input z [N, latent] and output image [N, C, H, W] with fixed sizes,"
                    + " found z " + Arrays.toString(in) + " and image " + Arrays.toString(out) + " (-1: not fixed)");
        }
        return new DecoderModel(file, bytes, (int) in[1], new ImageShape((int) out[1], (int) out[2], (int) out[3]),
                classes);
    }

    /** The class names a conditional decoder's metadata records (written by the toolkit's export). */
    private static List<String> classes(Path file, OnnxMl.ModelProto proto) throws IOException {
        String names = null;
        String count = null;
        for (OnnxMl.StringStringEntryProto p : proto.getMetadataPropsList()) {
            if (p.getKey().equals(ModelExport.CLASS_NAMES)) {
                names = p.getValue();
            } else if (p.getKey().equals(ModelExport.CONDITIONAL_CLASSES)) {
                count = p.getValue();
            }
        }
        if (names == null) {
            throw new IOException(file + " takes a class label but its metadata has no " + ModelExport.CLASS_NAMES
                    + "; it was not exported by the toolkit");
        }
        List<String> classes;
        try {
            classes = Arrays.asList(Json.MAPPER.readValue(names, String[].class));
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is damaged: its " + ModelExport.CLASS_NAMES + " is not a JSON list of names", e);
        }
        if (classes.isEmpty() || classes.contains(null)
                || (count != null && !count.equals(Integer.toString(classes.size())))) {
            throw new IOException(file + " is inconsistent: its metadata names " + classes.size() + " classes but says "
                    + ModelExport.CONDITIONAL_CLASSES + " " + count);
        }
        return classes;
    }

    /**
     * Checks a class label given on the command line and returns its index: a number in {@code [0, K)} or a class
     * name.
     *
     * @param option   the flag that gave it, for messages
     * @param allowAll whether the command also takes {@code all} (named in the message)
     * @throws UsageException when the decoder is unconditional or the label is none of its classes
     */
    int labelIndex(String label, String option, boolean allowAll) {
        if (!conditional()) {
            throw new UsageException(option + ": " + file + " is not class-conditional (it was trained without"
                    + " --conditional); leave out " + option);
        }
        int index = classes.indexOf(label);
        if (index < 0) {
            try {
                index = Integer.parseInt(label.trim());
            } catch (NumberFormatException e) {
                index = -1;
            }
        }
        if (index < 0 || index >= classes.size()) {
            throw new UsageException(option + " " + label + ": the model has " + classes.size() + " classes, labels 0 to "
                    + (classes.size() - 1) + " (" + String.join(", ", classes) + ")" + (allowAll ? ", or all" : ""));
        }
        return index;
    }

    /**
     * Decodes latent vectors.
     *
     * @param z {@code [n, latent]}
     * @return images {@code [n, C, H, W]}, as the model gives them
     * @throws IOException if ONNX Runtime cannot load or run the model, or its output is not of the declared shape
     */
    float[] decode(Tensor z, SessionConfig config) throws IOException {
        if (conditional()) {
            throw new IllegalStateException(file + " is class-conditional: decode with labels");
        }
        return decode(z, null, config);
    }

    /**
     * Decodes latent vectors of given classes.
     *
     * @param z      {@code [n, latent]}
     * @param labels {@code [n]} int64 class labels for a conditional decoder, null for an unconditional one
     * @return images {@code [n, C, H, W]}, as the model gives them
     * @throws IOException if ONNX Runtime cannot load or run the model, or its output is not of the declared shape
     */
    float[] decode(Tensor z, Tensor labels, SessionConfig config) throws IOException {
        if (conditional() != (labels != null)) {
            throw new IllegalStateException(file + (conditional() ? " needs" : " takes no") + " class labels");
        }
        Map<String, Tensor> feeds = new java.util.HashMap<>();
        feeds.put(ModelGraphs.Z, z);
        if (labels != null) {
            feeds.put(ModelGraphs.LABEL, labels);
        }
        try (InferenceSession s = ModelFiles.open(file, bytes, config)) {
            Tensor image = ModelFiles.run(file, s, feeds).get(ModelGraphs.IMAGE);
            long[] expected = {z.dim(0), imageShape.channels(), imageShape.height(), imageShape.width()};
            if (!Arrays.equals(image.shape(), expected)) {
                throw new IOException(file + " is damaged: its graph declares image [N, " + imageShape.channels() + ", "
                        + imageShape.height() + ", " + imageShape.width() + "] but it gave " + Arrays.toString(image.shape())
                        + " for " + z.dim(0) + " latent vectors");
            }
            return image.toFloatArray();
        }
    }

    /**
     * Checks, before anything is allocated, that {@code n} images of this decoder (and their latent vectors) fit
     * in one Java array each and in the heap.
     *
     * @param option the flag that sets {@code n}, for the advice
     * @throws UsageException if they do not
     */
    void requireFits(long n, String option) {
        long values = Math.max(n * imageShape.size(), n * latentSize);
        // The images are held about three times over: ORT's output, the float array, the picture being drawn.
        long bytes = values * Float.BYTES * 3;
        long heap = Runtime.getRuntime().maxMemory();
        if (values > Integer.MAX_VALUE - 8 || bytes > heap) {
            throw new UsageException(option + " " + n + " images of [" + imageShape.channels() + ", " + imageShape.height()
                    + ", " + imageShape.width() + "] (latent size " + latentSize + ") need about " + (bytes >> 20)
                    + " MB, more than the " + (heap >> 20) + " MB Java heap; use a smaller " + option
                    + " or raise -Xmx in TOOLKIT_JAVA_OPTS");
        }
    }

    private static boolean positiveInt(long v) {
        return v > 0 && v <= Integer.MAX_VALUE;
    }

    private static String names(java.util.List<OnnxMl.ValueInfoProto> values) {
        return values.stream().map(OnnxMl.ValueInfoProto::getName).toList().toString();
    }

    static long[] dims(OnnxMl.ValueInfoProto v) {
        OnnxMl.TensorShapeProto s = v.getType().getTensorType().getShape();
        long[] d = new long[s.getDimCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.getDim(i).hasDimValue() ? s.getDim(i).getDimValue() : -1;
        }
        return d;
    }
}
