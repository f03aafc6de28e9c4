package org.onnxtoolkit.runtime.plugins;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.Plugin;

/**
 * The plugins found by {@link PluginLoader}, by kind and id. It owns the CDI container and the class loader
 * the plugins live in: plugin instances must not be used after {@link #close()}, which shuts the container
 * down and then closes the class loader.
 *
 * <p>Lookups may be made from several threads; the registry does not change after loading.
 */
public final class PluginRegistry implements AutoCloseable {
    private final Map<PluginKind, SortedMap<String, Plugin>> byKind;
    private final Map<PluginKind, SortedMap<String, PluginInfo>> infoByKind;
    private final List<PluginInfo> plugins;
    private final List<AutoCloseable> resources;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param plugins   each loaded plugin instance with its info; ids unique within a kind
     * @param resources closed in this order by {@link #close()}
     */
    PluginRegistry(Map<PluginInfo, Plugin> plugins, List<AutoCloseable> resources) {
        this.byKind = new EnumMap<>(PluginKind.class);
        this.infoByKind = new EnumMap<>(PluginKind.class);
        for (PluginKind kind : PluginKind.values()) {
            byKind.put(kind, new TreeMap<>());
            infoByKind.put(kind, new TreeMap<>());
        }
        for (Map.Entry<PluginInfo, Plugin> e : plugins.entrySet()) {
            PluginInfo info = e.getKey();
            Plugin plugin = info.kind().spiType().cast(e.getValue());
            if (byKind.get(info.kind()).put(info.id(), plugin) != null) {
                throw new IllegalArgumentException("duplicate " + info.kind().displayName() + " id '" + info.id() + "'");
            }
            infoByKind.get(info.kind()).put(info.id(), info);
        }
        this.plugins = plugins.keySet().stream()
                .sorted(Comparator.comparing(PluginInfo::kind).thenComparing(PluginInfo::id))
                .toList();
        this.resources = List.copyOf(resources);
    }

    /** A registry with no plugins and nothing to close. */
    static PluginRegistry empty() {
        return new PluginRegistry(Map.of(), List.of());
    }

    /**
     * The dataset with this id.
     *
     * @throws UnknownPluginException when no dataset has this id; the message lists those that exist
     */
    public Dataset dataset(String id) {
        return (Dataset) find(PluginKind.DATASET, id);
    }

    /**
     * The architecture with this id.
     *
     * @throws UnknownPluginException when no architecture has this id; the message lists those that exist
     */
    public Architecture architecture(String id) {
        return (Architecture) find(PluginKind.ARCHITECTURE, id);
    }

    /**
     * The objective with this id.
     *
     * @throws UnknownPluginException when no objective has this id; the message lists those that exist
     */
    public Objective objective(String id) {
        return (Objective) find(PluginKind.OBJECTIVE, id);
    }

    /**
     * What is known about the plugin of this kind and id (version and jar, for provenance).
     *
     * @throws UnknownPluginException when there is none
     */
    public PluginInfo info(PluginKind kind, String id) {
        checkClosed();
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        SortedMap<String, PluginInfo> infos = infoByKind.get(kind);
        PluginInfo info = infos.get(id);
        if (info == null) {
            throw new UnknownPluginException(kind, id, infos.keySet());
        }
        return info;
    }

    /** Every loaded plugin, sorted by kind ({@link PluginKind} order) and then id. Unmodifiable. */
    public List<PluginInfo> plugins() {
        checkClosed();
        return plugins;
    }

    /**
     * Shuts the plugins' CDI container down, then closes their class loader. A second call does nothing.
     *
     * @throws IllegalStateException when a resource fails to close (after closing the others)
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the plugins failed: " + e, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Plugin find(PluginKind kind, String id) {
        checkClosed();
        Objects.requireNonNull(id, "id");
        SortedMap<String, Plugin> registered = byKind.get(kind);
        Plugin plugin = registered.get(id);
        if (plugin == null) {
            throw new UnknownPluginException(kind, id, registered.keySet());
        }
        return plugin;
    }

    private void checkClosed() {
        if (closed.get()) {
            throw new IllegalStateException("the plugin registry is closed");
        }
    }
}
