package org.onnxtoolkit.compiler.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Everything {@link CheckpointReader} reads from an ORT training checkpoint.
 *
 * @param version the {@code Checkpoint.version} field (always 2 after validation)
 * @param trainableParameters {@code requires_grad_params}, in file order
 * @param frozenParameters {@code frozen_params}, in file order
 * @param nominalState the {@code is_nominal_state} flag (true only for ORT's shape-only checkpoints)
 * @param optimizerGroups the optimizer groups; empty for an initial checkpoint or one saved without
 *     optimizer state
 * @param intProperties int64 properties, in file order
 * @param floatProperties float properties, in file order
 * @param stringProperties string properties, in file order
 */
public record CheckpointContents(int version, List<NamedTensor> trainableParameters,
        List<NamedTensor> frozenParameters, boolean nominalState, List<OptimizerGroupState> optimizerGroups,
        Map<String, Long> intProperties, Map<String, Float> floatProperties, Map<String, String> stringProperties) {

    /** Copies the collections into unmodifiable ones (maps keep their iteration order). */
    public CheckpointContents {
        trainableParameters = List.copyOf(trainableParameters);
        frozenParameters = List.copyOf(frozenParameters);
        optimizerGroups = List.copyOf(optimizerGroups);
        intProperties = Collections.unmodifiableMap(new LinkedHashMap<>(intProperties));
        floatProperties = Collections.unmodifiableMap(new LinkedHashMap<>(floatProperties));
        stringProperties = Collections.unmodifiableMap(new LinkedHashMap<>(stringProperties));
    }

    /**
     * @param name a parameter name
     * @return the trainable or frozen parameter with that name, if present
     */
    public Optional<NamedTensor> parameter(String name) {
        Objects.requireNonNull(name, "name");
        return Stream.concat(trainableParameters.stream(), frozenParameters.stream())
                .filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * @param groupName an optimizer group name, e.g. {@code "group0"}
     * @return that group, if present
     */
    public Optional<OptimizerGroupState> optimizerGroup(String groupName) {
        return optimizerGroups.stream().filter(g -> g.groupName().equals(groupName)).findFirst();
    }
}
