package org.onnxtoolkit.api.spi;

import java.util.List;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;

/**
 * A training objective for a {@link LatentModel} ({@code bce-kl}, {@code mse-kl}): encodes the batch, draws
 * latent vectors, decodes them and declares the loss and its terms.
 */
public interface Objective extends Plugin {
    /** The options this objective accepts, with their defaults. */
    List<OptionSpec> options();

    /**
     * Declares the objective on {@code g}.
     *
     * @param model    the model, whose {@code encode} and {@code decode} this method calls once each
     * @param x        images {@code [N, C, H, W]} in {@code [0, 1]}
     * @param klWeight a scalar graph input (rank 0) holding the KL weight, so that one compiled graph
     *                 serves every weight and schedule
     * @param options  merged with the defaults of {@link #options()}
     * @throws IllegalArgumentException when the model does not suit this objective
     */
    ObjectiveTerms build(Graph g, LatentModel model, Value x, Value klWeight, PluginOptions options);
}
