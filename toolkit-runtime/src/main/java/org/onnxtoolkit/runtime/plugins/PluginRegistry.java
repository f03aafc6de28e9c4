package org.onnxtoolkit.runtime.plugins;

import java.util.ArrayList;
import java.util.Collections;
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
import org.onnxtoolkit.api.events.TrainingEvent;
import org.onnxtoolkit.api.spi.Plugin;

/**
 * The plugins found by {@link PluginLoader}, by kind and id. Listing them ({@link #plugins()}, {@link #info})
 * runs no plugin code. A plugin is started the first time it is asked for ({@link #dataset}, ...), and only
 * then: a plugin that fails to start, hangs or exits affects only the commands that use it. A started plugin
 * is kept, and so is a failure to start: a plugin is started at most once.
 *
 * <p>The registry owns the plugins' CDI containers and class loader: plugin instances must not be used after
 * {@link #close()}, which shuts the containers down and then closes the class loader.
 *
 * <p>Lookups may be made from several threads; the set of plugins does not change after loading.
 */
public final class PluginRegistry implements AutoCloseable {
    /** Starts one plugin; the registry calls it at most once per plugin. */
    @FunctionalInterface
    interface PluginSource {
        /**
         * @return the started plugin, an instance of its kind's SPI type
         * @throws PluginStartException with one line naming the jar and the class
         */
        Plugin start() throws PluginStartException;
    }

    private final Map<PluginKind, SortedMap<String, Slot>> byKind;
    private final List<PluginInfo> plugins;
    private final List<AutoCloseable> resources;
    private final List<JarContainer> containers;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param plugins   each plugin's info with how to start it; ids unique within a kind
     * @param resources closed in this order by {@link #close()}
     */
    PluginRegistry(Map<PluginInfo, PluginSource> plugins, List<AutoCloseable> resources) {
        this(plugins, List.of(), resources);
    }

    /**
     * @param plugins    each plugin's info with how to start it; ids unique within a kind
     * @param containers the jars' containers in loading order, which {@link #fire} delivers events to
     * @param resources  closed in this order by {@link #close()}
     */
    PluginRegistry(Map<PluginInfo, PluginSource> plugins, List<JarContainer> containers,
            List<AutoCloseable> resources) {
        this.containers = List.copyOf(containers);
        this.byKind = new EnumMap<>(PluginKind.class);
        for (PluginKind kind : PluginKind.values()) {
            byKind.put(kind, new TreeMap<>());
        }
        for (Map.Entry<PluginInfo, PluginSource> e : plugins.entrySet()) {
            PluginInfo info = e.getKey();
            if (byKind.get(info.kind()).put(info.id(), new Slot(info, e.getValue())) != null) {
                throw new IllegalArgumentException("duplicate " + info.kind().displayName() + " id '" + info.id() + "'");
            }
        }
        List<PluginInfo> sorted = new ArrayList<>();
        for (SortedMap<String, Slot> slots : byKind.values()) { // EnumMap: in kind order; TreeMap: by id
            for (Slot slot : slots.values()) {
                sorted.add(slot.info);
            }
        }
        this.plugins = Collections.unmodifiableList(sorted);
        this.resources = List.copyOf(resources);
    }

    /**
     * Delivers a training event as a CDI event to every plugin jar that observes training events, in loading
     * order, on the calling thread (starting a jar's container on its first event).
     *
     * @throws PluginStartException when a jar's container cannot start or one of its observers throws; one line
     *                              naming the jar
     * @throws IllegalStateException after {@link #close()}
     */
    public void fire(TrainingEvent event) {
        if (closed.get()) {
            throw new IllegalStateException("the plugin registry is closed");
        }
        for (JarContainer container : containers) {
            container.fire(event);
        }
    }

    /** A registry with no plugins and nothing to close. */
    static PluginRegistry empty() {
        return new PluginRegistry(Map.of(), List.of());
    }

    /**
     * The dataset with this id, started on first use.
     *
     * @throws UnknownPluginException when no dataset has this id; the message lists those that exist
     * @throws PluginStartException   when it cannot be started; one line naming the jar and the class
     */
    public Dataset dataset(String id) {
        return (Dataset) plugin(PluginKind.DATASET, id);
    }

    /**
     * The architecture with this id, started on first use.
     *
     * @throws UnknownPluginException when no architecture has this id; the message lists those that exist
     * @throws PluginStartException   when it cannot be started; one line naming the jar and the class
     */
    public Architecture architecture(String id) {
        return (Architecture) plugin(PluginKind.ARCHITECTURE, id);
    }

    /**
     * The objective with this id, started on first use.
     *
     * @throws UnknownPluginException when no objective has this id; the message lists those that exist
     * @throws PluginStartException   when it cannot be started; one line naming the jar and the class
     */
    public Objective objective(String id) {
        return (Objective) plugin(PluginKind.OBJECTIVE, id);
    }

    /**
     * The plugin of this kind and id, started on first use; an instance of {@link PluginKind#spiType()}.
     *
     * @throws UnknownPluginException when there is none; the message lists the ids of that kind
     * @throws PluginStartException   when it cannot be started; one line naming the jar and the class
     */
    public Plugin plugin(PluginKind kind, String id) {
        return slot(kind, id).get();
    }

    /**
     * What is known about the plugin of this kind and id without starting it (version and jar, for provenance).
     *
     * @throws UnknownPluginException when there is none
     */
    public PluginInfo info(PluginKind kind, String id) {
        return slot(kind, id).info;
    }

    /** Every plugin found, sorted by kind ({@link PluginKind} order) and then id; starts none. Unmodifiable. */
    public List<PluginInfo> plugins() {
        checkClosed();
        return plugins;
    }

    /**
     * Shuts the plugins' CDI containers down, then closes their class loader. A second call does nothing.
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

    private Slot slot(PluginKind kind, String id) {
        checkClosed();
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        SortedMap<String, Slot> registered = byKind.get(kind);
        Slot slot = registered.get(id);
        if (slot == null) {
            throw new UnknownPluginException(kind, id, registered.keySet());
        }
        return slot;
    }

    private void checkClosed() {
        if (closed.get()) {
            throw new IllegalStateException("the plugin registry is closed");
        }
    }

    /** One plugin: its info, and once asked for, the started instance or why it could not start. */
    private static final class Slot {
        private final PluginInfo info;
        private final PluginSource source;
        private Plugin plugin;
        private PluginStartException failure;

        Slot(PluginInfo info, PluginSource source) {
            this.info = info;
            this.source = Objects.requireNonNull(source, "source");
        }

        synchronized Plugin get() {
            if (plugin == null && failure == null) {
                try {
                    plugin = info.kind().spiType().cast(source.start());
                } catch (PluginStartException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return plugin;
        }
    }
}
