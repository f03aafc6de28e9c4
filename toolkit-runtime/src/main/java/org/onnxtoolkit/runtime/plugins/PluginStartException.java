package org.onnxtoolkit.runtime.plugins;

/**
 * A plugin that a command asked for could not be started: its constructor, static initialiser or
 * {@code @PostConstruct} method threw or did not return in time, it needs a class that no jar has, its id()
 * contradicts its {@link org.onnxtoolkit.api.spi.PluginId}, or its jar's CDI container could not be deployed.
 * The message is one line naming the jar and the class; the cause, when there is one, is what the plugin or
 * the container threw (for {@code --verbose}). Once a plugin has failed to start, every later look-up of it
 * throws the same exception: it is never started twice.
 */
public class PluginStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PluginStartException(String message) {
        super(message);
    }

    public PluginStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
