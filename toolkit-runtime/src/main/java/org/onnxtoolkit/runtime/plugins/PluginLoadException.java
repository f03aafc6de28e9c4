package org.onnxtoolkit.runtime.plugins;

/**
 * The plugins cannot be loaded: a missing plugins directory, a jar that cannot be opened or has no
 * {@code META-INF/beans.xml}, a plugin class that fails to load or start, an invalid or duplicate id. The
 * message is one line naming the directory, jar(s) and class at fault; the cause, when there is one, is
 * what the JDK or the CDI container threw (for {@code --verbose}).
 */
public class PluginLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public PluginLoadException(String message) {
        super(message);
    }

    public PluginLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
