package org.onnxtoolkit.api.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the toolkit tells its plugins about where it runs. Plugins receive it by CDI injection
 * ({@code @Inject ToolkitContext context}), as they receive {@link Progress}; it is the same object for every
 * plugin of one command.
 *
 * @param cacheDirectory  a folder a plugin may keep caches in (created on demand by whoever writes there),
 *                        {@code $XDG_CACHE_HOME/onnxtoolkit} or {@code ~/.cache/onnxtoolkit}; a plugin
 *                        should use a sub-folder named after its id, and keep it bounded
 *                        ({@link CacheFolder})
 * @param toolkitVersion  the toolkit's version, for example {@code 0.1.0-SNAPSHOT}
 * @param verbose         whether the user asked for details ({@code --verbose})
 */
public record ToolkitContext(Path cacheDirectory, String toolkitVersion, boolean verbose) {
    public ToolkitContext {
        Objects.requireNonNull(cacheDirectory, "cacheDirectory");
        Objects.requireNonNull(toolkitVersion, "toolkitVersion");
    }
}
