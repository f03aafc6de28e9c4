package org.onnxtoolkit.api.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a user asked of a dataset.
 *
 * @param dataDir  the folder given with {@code --data-dir}, or null for the dataset's default location
 * @param shape    the image shape the model wants, or null for the dataset's native shape; datasets that
 *                 can render or resize (procedural, image folders) honour it, fixed-size ones reject a
 *                 different shape with a {@link DatasetException}
 * @param seed     seed for generated or sampled data
 * @param options  dataset-specific options as given ({@code crop=168}), not yet checked; never null. Read them
 *                 with {@link #optionsFor(Dataset)}
 * @param progress where to report long work such as decoding a folder the first time; never null
 */
public record DatasetOptions(Path dataDir, ImageShape shape, long seed, Map<String, String> options,
                             Progress progress) {
    public DatasetOptions {
        options = Map.copyOf(options);
        Objects.requireNonNull(progress, "progress");
    }

    /** Options whose progress is not shown ({@link Progress#NONE}). */
    public DatasetOptions(Path dataDir, ImageShape shape, long seed, Map<String, String> options) {
        this(dataDir, shape, seed, options, Progress.NONE);
    }

    /**
     * The {@link #options()} merged over {@code dataset}'s declared defaults ({@link Dataset#options()}), read
     * with the typed getters of {@link PluginOptions}. Messages name the dataset: {@code dataset shapes has no
     * option 'size' (options: test-size, train-size)}, {@code dataset shapes: option train-size must be a
     * positive integer, got '0'}.
     *
     * @throws IllegalArgumentException when an option is not one of {@code dataset.options()}
     */
    public PluginOptions optionsFor(Dataset dataset) {
        return PluginOptions.of("dataset " + dataset.id(), dataset.options(), options);
    }
}
