package org.onnxtoolkit.runtime.plugins;

import java.util.Objects;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.api.spi.ToolkitContext;

/**
 * What the runtime offers plugins for injection into their beans: {@link Progress} (where long work is shown
 * to the user) and {@link ToolkitContext} (cache folder, version, verbosity). Each jar's CDI container gets
 * them as beans when it starts.
 *
 * @param progress the console progress of the command (or {@link Progress#NONE})
 * @param context  the toolkit context
 */
public record PluginServices(Progress progress, ToolkitContext context) {
    public PluginServices {
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(context, "context");
    }
}
