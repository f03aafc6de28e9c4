package org.onnxtoolkit.engine.ort;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one run of a model returned: one {@link Tensor} per output, found by the output's name (as ONNX
 * Runtime Java's {@code OrtSession.Result}). The outputs keep the model's order ({@link #names()}).
 *
 * <p>The tensors are copies in Java memory, so an {@code Outputs} holds no native memory, needs no closing
 * and stays valid after its session is closed. Immutable and thread-safe.
 */
public final class Outputs {

    private final Map<String, Tensor> byName;
    private final List<String> names;

    /** @param byName the outputs in the model's order; owned from now on (not copied) */
    Outputs(LinkedHashMap<String, Tensor> byName) {
        this.byName = Collections.unmodifiableMap(byName);
        this.names = List.copyOf(byName.keySet());
    }

    /**
     * @param name an output name of the model
     * @return that output
     * @throws IllegalArgumentException if the model has no output of that name ("unknown output 'X';
     *     expected one of [...]")
     */
    public Tensor get(String name) {
        Objects.requireNonNull(name, "name");
        Tensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("unknown output '" + name + "'; expected one of " + names);
        }
        return t;
    }

    /** @return the output names in the model's order */
    public List<String> names() {
        return names;
    }

    /** @return the number of outputs */
    public int size() {
        return names.size();
    }

    /** @return the outputs by name, in the model's order; unmodifiable */
    public Map<String, Tensor> asMap() {
        return byName;
    }

    /** @return e.g. {@code "Outputs[loss: Tensor float32[][0.25], yhat: Tensor float32[5, 2]]"} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Outputs[");
        byName.forEach((k, v) -> sb.append(sb.length() > 8 ? ", " : "").append(k).append(": ").append(v));
        return sb.append(']').toString();
    }
}
