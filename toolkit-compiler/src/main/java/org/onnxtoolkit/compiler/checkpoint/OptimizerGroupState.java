package org.onnxtoolkit.compiler.checkpoint;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One optimizer group in an ORT checkpoint (ORT uses a single group, {@code "group0"}).
 *
 * @param groupName the group name
 * @param step the number of optimizer steps taken so far; the next step uses {@code step + 1}
 * @param initialLearningRate the learning rate the group was created with (not the current one, which ORT
 *     does not save)
 * @param parameterStates one entry per trainable parameter, in file order (ORT writes them sorted by name)
 */
public record OptimizerGroupState(String groupName, long step, float initialLearningRate,
        List<ParameterOptimizerState> parameterStates) {

    /** Validates and copies the fields. */
    public OptimizerGroupState {
        Objects.requireNonNull(groupName, "groupName");
        parameterStates = List.copyOf(parameterStates);
    }

    /**
     * @param parameterName a trainable parameter name
     * @return its optimizer state, if present
     */
    public Optional<ParameterOptimizerState> parameterState(String parameterName) {
        return parameterStates.stream().filter(s -> s.parameterName().equals(parameterName)).findFirst();
    }
}
