package org.onnxtoolkit.api.spi;

import org.onnxtoolkit.api.graph.Value;

/**
 * The decoder's output for a batch of latent vectors.
 *
 * @param preActivation the values before the final activation, {@code [N, C, H, W]} (logits for
 *                      {@link OutputActivation#SIGMOID})
 * @param output        the values after it, {@code [N, C, H, W]}, in the activation's range
 * @param activation    the final activation
 */
public record Decoding(Value preActivation, Value output, OutputActivation activation) {
}
