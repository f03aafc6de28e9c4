package org.onnxtoolkit.runtime.plugins;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * No plugin of the asked kind has the asked id. The message names the kind, the id and the ids that are
 * available, for example {@code unknown dataset 'foo' (available: fashion-mnist, mnist, shapes)}.
 */
public class UnknownPluginException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final PluginKind kind;
    private final String id;
    private final List<String> available;

    /**
     * @param available the ids of the loaded plugins of {@code kind}, in the order to show them
     */
    public UnknownPluginException(PluginKind kind, String id, Collection<String> available) {
        super("unknown " + kind.displayName() + " '" + id + "' (available: "
                + (available.isEmpty() ? "none" : String.join(", ", available)) + ")");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.id = id;
        this.available = List.copyOf(available);
    }

    /** The kind that was asked for. */
    public PluginKind kind() {
        return kind;
    }

    /** The id that was asked for. */
    public String id() {
        return id;
    }

    /** The ids of the loaded plugins of {@link #kind()}. */
    public List<String> available() {
        return available;
    }
}
