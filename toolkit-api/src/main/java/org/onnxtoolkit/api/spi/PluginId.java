package org.onnxtoolkit.api.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a plugin class's id, so that the toolkit knows it without running any of the plugin's code:
 * {@code toolkit plugins} lists plugins, and duplicate ids are found, from this annotation alone, and a plugin
 * is constructed only when a command uses its id.
 *
 * <pre>
 * &#64;PluginId("pgm-folder")
 * &#64;ApplicationScoped
 * public class PgmFolderDataset implements Dataset { ... }
 * </pre>
 *
 * <p>Every concrete plugin class carries it, with a lower-kebab-case id ({@link Plugin#isValidId}). Its value
 * is what {@link Plugin#id()} returns by default; a plugin that overrides {@code id()} must return the same
 * value. It is read from the class itself, not inherited: a subclass that is a plugin of its own declares its
 * own id.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface PluginId {
    /** The stable lower-kebab-case id, for example {@code "fashion-mnist"}. */
    String value();
}
