package org.onnxtoolkit.compiler.artifacts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.Init;

/**
 * Describes a set of training artifacts ({@code manifest.json}): what the models take and return, every
 * parameter with its shape and initialisation scheme (so a run's first checkpoint can be drawn without
 * rebuilding the graph), the optimiser settings, and the fingerprint of the whole, computed from the
 * content (see {@link ArtifactCompiler}). Shapes use {@code -1} for the symbolic batch dimension.
 *
 * @param format          always {@value #FORMAT}
 * @param fingerprint     SHA-256 (hex) of the content: the models' bytes and everything else recorded here
 *                        (see {@link ArtifactCompiler}); the artifacts' cache key
 * @param configuration   what the artifacts were compiled from (architecture, options, image shape, ...)
 * @param irVersion       ONNX IR version of the models
 * @param opset           default-domain opset of the models
 * @param lossOutput      name of the training model's loss output (its first output)
 * @param gradientKernels which activation-gradient kernels the training model uses
 * @param optimizer       the AdamW attributes written to the optimizer model
 * @param parameters      every parameter, in the order of the models' parameter inputs
 * @param trainingInputs  user inputs of the training model, in order
 * @param trainingOutputs user outputs of the training model, in order (loss first)
 * @param evalInputs      user inputs of the eval model, in order
 * @param evalOutputs     outputs of the eval model, in order
 * @param files           SHA-256 (hex) of each model file, by file name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(String format, String fingerprint,
                       SortedMap<String, String> configuration, long irVersion, long opset, String lossOutput,
                       String gradientKernels, Map<String, Object> optimizer, List<ParameterEntry> parameters,
                       List<TensorEntry> trainingInputs, List<String> trainingOutputs, List<TensorEntry> evalInputs,
                       List<String> evalOutputs, SortedMap<String, String> files) {
    public static final String FORMAT = "onnxtoolkit-training-artifacts/1";
    private static final ObjectMapper JSON = org.onnxtoolkit.compiler.io.Json.MAPPER;

    public Manifest {
        configuration = configuration == null ? new TreeMap<>() : new TreeMap<>(configuration);
        files = files == null ? new TreeMap<>() : new TreeMap<>(files);
        parameters = parameters == null ? null : List.copyOf(parameters);
        trainingInputs = trainingInputs == null ? null : List.copyOf(trainingInputs);
        trainingOutputs = trainingOutputs == null ? List.of() : List.copyOf(trainingOutputs);
        evalInputs = evalInputs == null ? List.of() : List.copyOf(evalInputs);
        evalOutputs = evalOutputs == null ? List.of() : List.copyOf(evalOutputs);
        optimizer = optimizer == null ? new TreeMap<>() : new TreeMap<>(optimizer);
    }

    /** A parameter: name, static shape, whether the optimiser trains it, and its initialisation. */
    public record ParameterEntry(String name, long[] shape, boolean trainable, InitEntry init) {
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * A user input: name, element type name ({@code FLOAT}), shape with -1 for the batch, and role:
     * {@value #ROLE_INPUT} for data and settings the graph declared, {@value #ROLE_NOISE} for a
     * {@code RandomNormalLike} turned into an input that must be fed standard normal noise.
     */
    public record TensorEntry(String name, String type, long[] shape, String role) {
        public static final String ROLE_INPUT = "input";
        public static final String ROLE_NOISE = "noise";
    }

    /**
     * An initialisation scheme in a form that can be turned back into an {@link Init}.
     *
     * @param scheme {@code kaiming_uniform}, {@code fan_in_uniform}, {@code uniform}, {@code constant} or
     *               {@code given} (the initializer {@code initializer} of the ONNX model {@code file}, whose
     *               float32 bytes have the SHA-256 {@code sha256})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InitEntry(String scheme, Long fanIn, Double a, Float value, Double low, Double high, String sha256,
                            String file, String initializer) {
        public static InitEntry of(Init init) {
            if (init instanceof Init.KaimingUniform k) {
                return new InitEntry("kaiming_uniform", k.fanIn(), k.a(), null, null, null, null, null, null);
            } else if (init instanceof Init.FanInUniform f) {
                return new InitEntry("fan_in_uniform", f.fanIn(), null, null, null, null, null, null, null);
            } else if (init instanceof Init.Constant c) {
                return new InitEntry("constant", null, null, c.value(), null, null, null, null, null);
            } else if (init instanceof Init.Uniform u) {
                return new InitEntry("uniform", null, null, null, u.low(), u.high(), null, null, null);
            } else if (init instanceof Init.Given g) {
                return new InitEntry("given", null, null, null, null, null, g.sha256(), g.file(), g.initializer());
            }
            throw new IllegalArgumentException("unknown initialisation " + init);
        }

        public Init toInit() {
            return switch (scheme) {
                case "kaiming_uniform" -> new Init.KaimingUniform(require(fanIn), a == null ? Math.sqrt(5) : a);
                case "fan_in_uniform" -> new Init.FanInUniform(require(fanIn));
                case "constant" -> new Init.Constant(require(value));
                case "uniform" -> new Init.Uniform(require(low), require(high));
                case "given" -> org.onnxtoolkit.compiler.imports.OnnxImport.initialValues(require(file),
                        require(initializer), require(sha256));
                default -> throw new IllegalArgumentException("unknown initialisation scheme '" + scheme + "'");
            };
        }

        private <T> T require(T v) {
            if (v == null) {
                throw new IllegalArgumentException("initialisation scheme '" + scheme + "' lacks a field");
            }
            return v;
        }
    }

    /** The manifest as indented JSON with sorted keys (deterministic). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    /**
     * Parses a manifest.
     *
     * @throws IllegalArgumentException if the JSON is malformed or not a manifest of this format
     */
    public static Manifest fromJson(String json) {
        Manifest m;
        try {
            m = JSON.readValue(json, Manifest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed manifest: " + e.getOriginalMessage(), e);
        }
        if (!FORMAT.equals(m.format())) {
            throw new IllegalArgumentException("not a manifest of format " + FORMAT + " (found " + m.format() + ")");
        }
        if (m.parameters() == null || m.trainingInputs() == null || m.fingerprint() == null) {
            throw new IllegalArgumentException("manifest lacks parameters, trainingInputs or fingerprint");
        }
        return m;
    }
}
