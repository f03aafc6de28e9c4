package org.onnxtoolkit.engine.ort;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The user inputs one model takes, in the order ORT wants them, with the element type the model declares for
 * each. Checks name-keyed inputs before any native memory is touched and puts them in that order.
 * Immutable; internal to the session layer.
 */
final class InputSignature {

    private final String verb;
    private final List<String> names;
    private final int[] declaredTypes;

    /**
     * @param verb names the call in messages, e.g. {@code "TrainStep"}
     * @param names the input names in the model's order
     * @param declaredTypes the ONNX element type code the model declares for each name, parallel to
     *     {@code names}; 0 where the model declares none (then any tensor is passed on and ORT decides)
     */
    InputSignature(String verb, List<String> names, int[] declaredTypes) {
        this.verb = verb;
        this.names = List.copyOf(names);
        this.declaredTypes = declaredTypes.clone();
        if (declaredTypes.length != names.size()) {
            throw new IllegalArgumentException(names.size() + " names but " + declaredTypes.length + " types");
        }
    }

    /** @return the input names in the model's order */
    List<String> names() {
        return names;
    }

    /**
     * Checks {@code inputs} and returns them in model order. Every problem is found before any is reported,
     * so that one message names every unknown and missing input (a misspelt name shows as both).
     *
     * @param inputs one tensor per input name; no other names, no nulls
     * @return the tensors in the order of {@link #names()}
     * @throws IllegalArgumentException naming the unknown, missing or null inputs, or the first input whose
     *     element type differs from the model's
     */
    Tensor[] order(Map<String, Tensor> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            if (!names.contains(e.getKey())) {
                unknown.add(e.getKey());
            } else if (e.getValue() == null) {
                throw new IllegalArgumentException(verb + ": input '" + e.getKey() + "' is null");
            }
        }
        List<String> missing = names.stream().filter(n -> !inputs.containsKey(n)).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            List<String> problems = new ArrayList<>();
            if (!unknown.isEmpty()) {
                problems.add("unknown " + plural("input", unknown) + "; expected one of " + names);
            }
            if (!missing.isEmpty()) {
                problems.add("missing " + plural("input", missing) + "; expected all of " + names + " but got "
                        + List.copyOf(inputs.keySet()));
            }
            throw new IllegalArgumentException(verb + ": " + String.join("; ", problems));
        }
        Tensor[] ordered = new Tensor[names.size()];
        for (int i = 0; i < ordered.length; i++) {
            Tensor t = inputs.get(names.get(i));
            int declared = declaredTypes[i];
            if (declared != 0 && declared != t.type().onnxCode()) {
                ElementType wanted = ElementType.ofOnnxCode(declared);
                throw new IllegalArgumentException(verb + ": input '" + names.get(i) + "' is " + t.type()
                        + " but the model declares " + ElementType.nameOf(declared)
                        + (wanted == null ? ", which a Tensor cannot carry" : "; create it with " + wanted.factory()));
            }
            ordered[i] = t;
        }
        return ordered;
    }

    /** Describes ordered inputs for an ORT failure's context, e.g. {@code "[x: float32[128, 784]]"}. */
    String describe(Tensor[] ordered) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ordered.length; i++) {
            sb.append(i > 0 ? ", " : "").append(names.get(i)).append(": ").append(OrtValues.describe(ordered[i]));
        }
        return sb.append(']').toString();
    }

    private static String plural(String word, List<String> names) {
        return word + (names.size() == 1 ? " " : "s ") + names.stream().map(n -> "'" + n + "'")
                .collect(Collectors.joining(", "));
    }
}
