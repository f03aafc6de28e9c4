package org.onnxtoolkit.api.graph;

/**
 * What a graph is built for. Layers whose behaviour differs between training and inference (batch
 * normalisation) read it from {@link Graph#phase()}.
 */
public enum Phase {
    /** The forward pass of a training step: batch statistics, running statistics updated. */
    TRAINING,
    /** Evaluation and exported models: running statistics, nothing updated. */
    INFERENCE
}
