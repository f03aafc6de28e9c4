package org.onnxtoolkit.compiler.checkpoint;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The optimizer state of one trainable parameter in an ORT checkpoint. For AdamW, ORT stores two moments
 * named {@code "momentum0"} (first moment, m) and {@code "momentum1"} (second moment, v), each with the
 * parameter's shape.
 *
 * @param parameterName the parameter this state belongs to
 * @param momentums the moment tensors, in file order
 */
public record ParameterOptimizerState(String parameterName, List<NamedTensor> momentums) {

    /** Validates and copies the fields. */
    public ParameterOptimizerState {
        Objects.requireNonNull(parameterName, "parameterName");
        momentums = List.copyOf(momentums);
    }

    /**
     * @param name a moment name, e.g. {@code "momentum0"}
     * @return that moment, if present
     */
    public Optional<NamedTensor> momentum(String name) {
        return momentums.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
