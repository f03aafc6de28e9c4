package org.onnxtoolkit.api.spi;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a user asked of a dataset.
 *
 * @param dataDir  the folder given with {@code --data-dir}, or null for the dataset's default location
 * @param shape    the image shape the model wants, or null for the dataset's native shape; datasets that
 *                 can render or resize (procedural, image folders) honour it, fixed-size ones reject a
 *                 different shape with a {@link DatasetException}
 * @param seed     seed for generated or sampled data
 * @param options  dataset-specific options ({@code crop=168}); never null
 */
public record DatasetOptions(Path dataDir, ImageShape shape, long seed, Map<String, String> options) {
    public DatasetOptions {
        options = Map.copyOf(options);
    }
}
