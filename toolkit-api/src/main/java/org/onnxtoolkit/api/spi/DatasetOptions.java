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
 * @param options  dataset-specific options ({@code crop=168}); never null
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
}
