package org.onnxtoolkit.api.spi;

/**
 * What every plugin has: a stable, unique identifier. Ids are lower-kebab-case ({@code fashion-mnist},
 * {@code mlp-vae}, {@code bce-kl}), chosen once and never changed, because command lines and scripts name
 * plugins by id. Plugin classes carry a CDI bean-defining annotation (for example
 * {@code @jakarta.enterprise.context.ApplicationScoped}) and their jar has {@code META-INF/beans.xml} with
 * {@code bean-discovery-mode="annotated"}.
 *
 * <p>Plugins never hold native handles: they describe graphs and yield plain Java data.
 */
public interface Plugin {
    /** The stable lower-kebab-case id. */
    String id();

    /** One line for {@code toolkit plugins}. */
    default String description() {
        return "";
    }

    /** True when {@code id} is lower-kebab-case: {@code [a-z0-9]+(-[a-z0-9]+)*}. */
    static boolean isValidId(String id) {
        return id != null && id.matches("[a-z0-9]+(-[a-z0-9]+)*");
    }
}
