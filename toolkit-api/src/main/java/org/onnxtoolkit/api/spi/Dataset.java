package org.onnxtoolkit.api.spi;

import java.util.List;

/**
 * A source of images with a train and a test split ({@code mnist}, {@code fashion-mnist}, {@code shapes},
 * {@code image-folder}). Implementations are stateless beans; {@link #open} may be called several times.
 */
public interface Dataset extends Plugin {
    /**
     * The options this dataset accepts ({@code -D name=value}), with their defaults: listed by
     * {@code toolkit plugins ID}, and the only ones the runtime passes on (it refuses any other, naming these).
     * None by default.
     */
    default List<OptionSpec> options() {
        return List.of();
    }

    /** The native image shape, or null when the dataset can produce any requested shape. */
    ImageShape nativeShape();

    /**
     * Opens (reads, decodes or generates) both splits. Read the options with
     * {@link DatasetOptions#optionsFor(Dataset) options.optionsFor(this)}, which merges them over
     * {@link #options()}' defaults and refuses undeclared ones.
     *
     * @throws DatasetException         with a one-line message naming the file or option at fault and what to do
     * @throws IllegalArgumentException from {@link PluginOptions}: an undeclared option or a value of the wrong
     *                                  form (a usage error, like {@link DatasetException.Cause#USAGE})
     */
    DatasetSplits open(DatasetOptions options) throws DatasetException;
}
