package org.onnxtoolkit.runtime.cli;

import java.util.List;
import java.util.Map;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import org.onnxtoolkit.runtime.plugins.UnknownPluginException;

/**
 * Plugin look-ups whose failures are usage errors (exit code 2): an unknown id, options or a shape the plugin
 * refuses. Looking a plugin up starts it; a plugin that cannot start throws
 * {@link org.onnxtoolkit.runtime.plugins.PluginStartException}, a runtime failure (exit code 1) whose one line
 * names the jar and the class, which passes through.
 */
final class Lookup {
    private Lookup() {
    }

    static Architecture architecture(PluginRegistry r, String id) {
        try {
            return r.architecture(id);
        } catch (UnknownPluginException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static Dataset dataset(PluginRegistry r, String id) {
        try {
            return r.dataset(id);
        } catch (UnknownPluginException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static Objective objective(PluginRegistry r, String id) {
        try {
            return r.objective(id);
        } catch (UnknownPluginException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static PluginOptions options(String owner, List<OptionSpec> specs, Map<String, String> given) {
        try {
            return PluginOptions.of(owner, specs, given);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static LatentModel create(Architecture a, PluginOptions options, ImageShape shape) {
        try {
            return a.create(options, shape);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
