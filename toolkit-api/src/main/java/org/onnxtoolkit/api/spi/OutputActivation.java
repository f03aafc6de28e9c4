package org.onnxtoolkit.api.spi;

/**
 * The decoder's final activation, which fixes the range of its output and how the runtime maps that
 * output to an image in {@code [0, 1]} for exported models and pictures.
 */
public enum OutputActivation {
    /** Output in (0, 1): used as the image directly. The pre-activation values are logits. */
    SIGMOID,
    /** Output in (-1, 1): mapped to an image by {@code (y + 1) / 2}; training targets are {@code 2x - 1}. */
    TANH,
    /** Output in [0, inf): clamped to {@code [0, 1]} for images. */
    RELU,
    /** No activation: clamped to {@code [0, 1]} for images. */
    NONE
}
