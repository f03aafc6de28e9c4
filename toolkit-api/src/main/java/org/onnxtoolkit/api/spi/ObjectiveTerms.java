package org.onnxtoolkit.api.spi;

import org.onnxtoolkit.api.graph.Value;

/**
 * The scalars an {@link Objective} declares, each averaged over the images of the batch.
 *
 * @param loss           what the optimiser minimises (may weight the terms, for example by the KL weight)
 * @param reconstruction reconstruction term, nats per image (or the objective's stated unit)
 * @param kl             KL divergence of the posterior from the prior, nats per image
 * @param negativeElbo   {@code reconstruction + kl} unweighted: the negative evidence lower bound, nats per
 *                       image
 */
public record ObjectiveTerms(Value loss, Value reconstruction, Value kl, Value negativeElbo) {
}
