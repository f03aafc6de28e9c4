package org.onnxtoolkit.runtime.plugins;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;

/**
 * Code of a plugin class asked for a class that neither the plugin jars, nor toolkit-api, nor the JDK have. The
 * plugin class loader throws it in place of a plain {@link ClassNotFoundException} (so code that catches that
 * still works) when the request came from plugin code; the JVM then throws a {@link NoClassDefFoundError} with
 * this as its cause. Its message is one line naming the jar, the class whose code needed the missing class, and
 * the missing class.
 */
public class PluginClassNotFoundException extends ClassNotFoundException {
    private static final long serialVersionUID = 1L;

    private final String missingClass;
    private final String requestingClass;

    /**
     * @param missingClass    binary name of the class that was not found
     * @param requestingClass binary name of the plugin class whose code asked for it
     * @param jarLabel        how to name that plugin class's jar (its file name, or its path when ambiguous)
     */
    public PluginClassNotFoundException(String missingClass, String requestingClass, String jarLabel) {
        super("plugin jar " + jarLabel + ": class " + requestingClass + " needs " + missingClass
                + ", which is in no plugin jar; a plugin may depend only on toolkit-api, the JDK and other plugin"
                + " jars (bundle and relocate other libraries into its jar)");
        this.missingClass = Objects.requireNonNull(missingClass, "missingClass");
        this.requestingClass = Objects.requireNonNull(requestingClass, "requestingClass");
    }

    /** The binary name of the class that was not found. */
    public String missingClass() {
        return missingClass;
    }

    /** The binary name of the plugin class whose code asked for it. */
    public String requestingClass() {
        return requestingClass;
    }

    /** The first {@code PluginClassNotFoundException} in the cause chain of {@code failure}, or null. */
    public static PluginClassNotFoundException in(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof PluginClassNotFoundException missing) {
                return missing;
            }
        }
        return null;
    }
}
