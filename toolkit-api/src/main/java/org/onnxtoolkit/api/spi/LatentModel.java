package org.onnxtoolkit.api.spi;

import java.util.SortedMap;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;

/**
 * A configured latent-variable image model: an encoder to a diagonal Gaussian posterior and a decoder from
 * latent vectors whose prior is the standard normal. Created by an {@link Architecture} for one
 * configuration and image shape.
 *
 * <p>{@link #encode} and {@link #decode} declare their parameters in the graph they are given, under fixed
 * scope names, so the same parameter has the same name in the training, eval, encoder and decoder graphs;
 * they may be called on one graph once each. Implementations are immutable.
 */
public interface LatentModel {
    /** The shape of the images the model reads and writes. */
    ImageShape imageShape();

    /** The dimension of the latent space. */
    int latentSize();

    /**
     * Everything that determines the graphs (architecture id, resolved options, image shape), in canonical
     * text form: part of the fingerprint of compiled artifacts and of a run's provenance.
     */
    SortedMap<String, String> configuration();

    /**
     * The training settings this configuration was designed for, used where the user gives none (for example
     * the blog notebook's conv VAE: {@code mse-kl}, learning rate 0.005, batch 64, KL weight 0.00025).
     * {@link RecommendedTraining#NONE} by default; never null.
     */
    default RecommendedTraining recommendedTraining() {
        return RecommendedTraining.NONE;
    }

    /**
     * Declares the encoder.
     *
     * @param x images {@code [N, C, H, W]} with intensities in {@code [0, 1]}
     */
    Encoding encode(Graph g, Value x);

    /**
     * Declares the decoder.
     *
     * @param z latent vectors {@code [N, latentSize]}
     */
    Decoding decode(Graph g, Value z);

    /**
     * Whether this model can be conditioned on a class ({@code train --conditional}): then
     * {@link #encode(Graph, Value, Value)} and {@link #decode(Graph, Value, Value)} take the class's one-hot
     * vector. False by default.
     */
    default boolean conditionable() {
        return false;
    }

    /**
     * Declares the encoder of a class-conditional model: the class joins the encoder's input.
     *
     * @param x         images {@code [N, C, H, W]} with intensities in {@code [0, 1]}
     * @param condition the class as a one-hot vector {@code [N, K]} float32, or null for
     *                  {@link #encode(Graph, Value)}
     * @throws UnsupportedOperationException when {@link #conditionable()} is false and a condition is given
     */
    default Encoding encode(Graph g, Value x, Value condition) {
        if (condition == null) {
            return encode(g, x);
        }
        throw new UnsupportedOperationException(configuration().getOrDefault("architecture", "this model")
                + " cannot be conditioned on a class");
    }

    /**
     * Declares the decoder of a class-conditional model: the class joins the latent vector.
     *
     * @param z         latent vectors {@code [N, latentSize]}
     * @param condition the class as a one-hot vector {@code [N, K]} float32, or null for
     *                  {@link #decode(Graph, Value)}
     * @throws UnsupportedOperationException when {@link #conditionable()} is false and a condition is given
     */
    default Decoding decode(Graph g, Value z, Value condition) {
        if (condition == null) {
            return decode(g, z);
        }
        throw new UnsupportedOperationException(configuration().getOrDefault("architecture", "this model")
                + " cannot be conditioned on a class");
    }
}
