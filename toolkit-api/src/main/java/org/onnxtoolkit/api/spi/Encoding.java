package org.onnxtoolkit.api.spi;

import org.onnxtoolkit.api.graph.Value;

/**
 * The encoder's output: a diagonal Gaussian over the latent space.
 *
 * @param mu     mean, {@code [N, latent]}
 * @param logvar log-variance, {@code [N, latent]}
 */
public record Encoding(Value mu, Value logvar) {
}
