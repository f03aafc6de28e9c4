package org.onnxtoolkit.runtime.plugins;

import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.Plugin;

/** The kinds of plugin the toolkit loads, one per SPI interface. Ids are unique within a kind. */
public enum PluginKind {
    DATASET("dataset", Dataset.class),
    ARCHITECTURE("architecture", Architecture.class),
    OBJECTIVE("objective", Objective.class);

    private final String displayName;
    private final Class<? extends Plugin> spiType;

    PluginKind(String displayName, Class<? extends Plugin> spiType) {
        this.displayName = displayName;
        this.spiType = spiType;
    }

    /** The lower-case name used in messages and listings: {@code dataset}, {@code architecture}, {@code objective}. */
    public String displayName() {
        return displayName;
    }

    /** The SPI interface a plugin of this kind implements. */
    public Class<? extends Plugin> spiType() {
        return spiType;
    }
}
