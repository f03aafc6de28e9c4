package org.onnxtoolkit.api.spi;

/**
 * One option a plugin accepts, for validation and {@code toolkit plugins ID}.
 *
 * @param name         lower-kebab-case name ({@code hidden}, {@code latent}, {@code kl-weight})
 * @param defaultValue the value used when the user gives none, as text; {@code ""} for "none" (null is read
 *                     as {@code ""})
 * @param description  one line (null is read as {@code ""})
 */
public record OptionSpec(String name, String defaultValue, String description) {
    public OptionSpec {
        if (!Plugin.isValidId(name)) {
            throw new IllegalArgumentException("option name '" + name + "' is not lower-kebab-case");
        }
        defaultValue = defaultValue == null ? "" : defaultValue;
        description = description == null ? "" : description;
    }
}
