package org.onnxtoolkit.api.spi;

/**
 * What every plugin has: a stable, unique identifier. Ids are lower-kebab-case ({@code fashion-mnist},
 * {@code mlp-vae}, {@code bce-kl}), chosen once and never changed, because command lines and scripts name
 * plugins by id. A plugin class declares its id with {@link PluginId} and carries a CDI bean-defining
 * annotation (for example {@code @jakarta.enterprise.context.ApplicationScoped}); its jar has
 * {@code META-INF/beans.xml} with {@code bean-discovery-mode="annotated"}.
 *
 * <p>Plugins never hold native handles: they describe graphs and yield plain Java data.
 */
public interface Plugin {
    /**
     * The stable lower-kebab-case id: by default the {@link PluginId} of this object's class, or of the nearest
     * superclass that has one (the CDI container may hand out a subclass it generated).
     *
     * @throws IllegalStateException when no class in the hierarchy carries {@link PluginId}
     */
    default String id() {
        for (Class<?> type = getClass(); type != null; type = type.getSuperclass()) {
            PluginId id = type.getAnnotation(PluginId.class);
            if (id != null) {
                return id.value();
            }
        }
        throw new IllegalStateException(getClass().getName() + " has no @PluginId annotation");
    }

    /** One line, shown by {@code toolkit plugins ID} (which starts the plugin to ask). */
    default String description() {
        return "";
    }

    /** True when {@code id} is lower-kebab-case: {@code [a-z0-9]+(-[a-z0-9]+)*}. */
    static boolean isValidId(String id) {
        return id != null && id.matches("[a-z0-9]+(-[a-z0-9]+)*");
    }
}
