package org.onnxtoolkit.api.spi;

import java.util.List;

/**
 * A family of latent-variable image models ({@code mlp-vae}, {@code conv-vae}) with options.
 */
public interface Architecture extends Plugin {
    /** The options this architecture accepts, with their defaults. */
    List<OptionSpec> options();

    /**
     * The image shape this configuration wants from datasets that can produce any shape (the procedural
     * dataset, image folders), or null to take the dataset's default.
     */
    default ImageShape preferredImageShape(PluginOptions options) {
        return null;
    }

    /**
     * Creates the model for resolved options and an image shape.
     *
     * @param options    merged with the defaults of {@link #options()}
     * @param imageShape the dataset's image shape
     * @throws IllegalArgumentException with a one-line message when the options or the shape do not fit
     */
    LatentModel create(PluginOptions options, ImageShape imageShape);
}
