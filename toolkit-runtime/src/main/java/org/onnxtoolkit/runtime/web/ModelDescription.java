package org.onnxtoolkit.runtime.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.onnxtoolkit.api.spi.ImageShape;

/**
 * {@code model.json}, the description of an exported model that the page (and any other consumer) reads
 * before loading {@code decoder.onnx}:
 *
 * <pre>{@code
 * {
 *   "format" : "onnx-toolkit-model", "format_version" : 1,
 *   "latent_size" : 20,
 *   "image_shape" : { "channels" : 1, "height" : 28, "width" : 28 },
 *   "decoder" : { "file" : "decoder.onnx", "input" : "z", "input_shape" : [ "N", 20 ], "output" : "image",
 *                 "output_shape" : [ "N", 1, 28, 28 ], "output_range" : [ 0, 1 ] },
 *   "encoder" : { "file" : "encoder.onnx", "input" : "x", "outputs" : [ "mu", "logvar" ] },
 *   "classes" : [ "T-shirt/top", "Trouser", ... ],      (a class-conditional model only)
 *   "provenance" : { ...the decoder's metadata_props, sorted by key... },
 *   "run" : { ...the run's run.json, when known... }
 * }
 * }</pre>
 *
 * Images are float32, {@code [N, C, H, W]}, channels grey or R, G, B. {@code encoder} is absent when the
 * export has no encoder. A class-conditional model ({@code train --conditional}) lists its class names in label
 * order in {@code classes}, and its decoder and encoder take a second input, named by {@code label_input}
 * ({@code "label"}): int64 class indices {@code [N]} ({@code label_shape [ "N" ]}, {@code label_type "int64"}).
 *
 * <p>No absolute path of this machine is written: every string of {@code provenance} and {@code run} (field names
 * included) has its absolute paths reduced to their last element by {@link LocalPaths} ({@code "dataDir" :
 * "/home/ana/photos"} becomes {@code "photos"}), since {@code toolkit serve} hands this file to any page on the
 * machine that asks and exports end up on web servers.
 *
 * @param latentSize  the decoder's latent size
 * @param imageShape  the decoder's image shape
 * @param withEncoder whether {@code encoder.onnx} is part of the export
 * @param provenance  the decoder's {@code metadata_props}; kept with absolute paths reduced to names
 * @param run         the run's {@code run.json}, or null when unknown; kept as a copy with absolute paths reduced to
 *                    names
 * @param classes     the class names of a class-conditional model in label order; empty for an unconditional one
 */
public record ModelDescription(int latentSize, ImageShape imageShape, boolean withEncoder, Map<String, String> provenance,
                               JsonNode run, List<String> classes) {
    /** An unconditional model's description. */
    public ModelDescription(int latentSize, ImageShape imageShape, boolean withEncoder, Map<String, String> provenance,
                            JsonNode run) {
        this(latentSize, imageShape, withEncoder, provenance, run, List.of());
    }

    public static final String FILE = "model.json";
    public static final String FORMAT = "onnx-toolkit-model";
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = org.onnxtoolkit.compiler.io.Json.MAPPER;

    public ModelDescription {
        Objects.requireNonNull(imageShape, "imageShape");
        provenance = Map.copyOf(LocalPaths.strip(Objects.requireNonNull(provenance, "provenance")));
        run = LocalPaths.strip(run);
        classes = List.copyOf(classes);
        if (latentSize < 1) {
            throw new IllegalArgumentException("latent size must be at least 1, got " + latentSize);
        }
    }

    /** @return {@code model.json} as an object tree */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", FORMAT_VERSION);
        root.put("latent_size", latentSize);
        ObjectNode shape = root.putObject("image_shape");
        shape.put("channels", imageShape.channels());
        shape.put("height", imageShape.height());
        shape.put("width", imageShape.width());
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("file", "decoder.onnx");
        decoder.put("input", "z");
        decoder.putArray("input_shape").add("N").add(latentSize);
        decoder.put("output", "image");
        decoder.putArray("output_shape").add("N").add(imageShape.channels()).add(imageShape.height())
                .add(imageShape.width());
        decoder.putArray("output_range").add(0).add(1);
        if (!classes.isEmpty()) {
            labelInput(decoder);
        }
        if (withEncoder) {
            ObjectNode encoder = root.putObject("encoder");
            encoder.put("file", "encoder.onnx");
            encoder.put("input", "x");
            if (!classes.isEmpty()) {
                labelInput(encoder);
            }
            ArrayNode outputs = encoder.putArray("outputs");
            outputs.add("mu").add("logvar");
        }
        if (!classes.isEmpty()) {
            ArrayNode names = root.putArray("classes");
            classes.forEach(names::add);
        }
        ObjectNode prov = root.putObject("provenance");
        new TreeMap<>(provenance).forEach(prov::put);
        if (run != null) {
            root.set("run", run);
        }
        return root;
    }

    private static void labelInput(ObjectNode model) {
        model.put("label_input", "label");
        model.putArray("label_shape").add("N");
        model.put("label_type", "int64");
    }

    /** @return {@code model.json} as UTF-8 bytes, indented, ending with a newline */
    public byte[] toBytes() {
        try {
            byte[] body = JSON.writeValueAsBytes(toJson());
            byte[] out = java.util.Arrays.copyOf(body, body.length + 1);
            out[body.length] = '\n';
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write model.json", e);
        }
    }
}
