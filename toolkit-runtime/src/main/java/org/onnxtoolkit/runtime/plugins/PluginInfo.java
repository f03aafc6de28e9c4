package org.onnxtoolkit.runtime.plugins;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What is known about one plugin without running any of its code: what {@code toolkit plugins} lists and what
 * provenance records. It comes from the plugin class's {@link org.onnxtoolkit.api.spi.PluginId} annotation and
 * its jar's manifest.
 *
 * @param id        the plugin's lower-kebab-case id, unique within its kind
 * @param kind      which SPI it implements
 * @param version   the {@code Implementation-Version} of its jar's manifest, or {@code "unknown"}
 * @param jar       the absolute path of the jar it was loaded from
 * @param className the binary name of the plugin class
 */
public record PluginInfo(String id, PluginKind kind, String version, Path jar, String className) {
    public PluginInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(className, "className");
    }
}
