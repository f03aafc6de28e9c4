package org.onnxtoolkit.runtime.plugins;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@code toolkit plugins} and {@code --verbose} show about one loaded plugin, and what provenance records.
 *
 * @param id          the plugin's lower-kebab-case id, unique within its kind
 * @param kind        which SPI it implements
 * @param version     the {@code Implementation-Version} of its jar's manifest, or {@code "unknown"}
 * @param jar         the absolute path of the jar it was loaded from
 * @param description the plugin's one-line description, possibly empty, never null
 */
public record PluginInfo(String id, PluginKind kind, String version, Path jar, String description) {
    public PluginInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(description, "description");
    }
}
