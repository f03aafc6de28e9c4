package org.onnxtoolkit.runtime.plugins;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.Optional;

/**
 * The one class loader of all plugin jars (parent first, as any {@link URLClassLoader}). What it adds: when code
 * of a plugin class asks for a class that no jar has, typically a library used only inside method bodies that
 * was not bundled, it throws a {@link PluginClassNotFoundException} naming the jar and the class whose code
 * asked, instead of a bare class name. It finds the asking class by walking the stack past the class-loading
 * machinery: when the JVM resolves a reference while running a method, that method's frame is the first one
 * beyond it.
 *
 * <p>Thread-safe, as its superclass (registered as parallel capable).
 */
final class PluginClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** Binary class name to the label of the jar it is loaded from. */
    private final Map<String, String> jarLabels;

    /**
     * @param urls      the plugin jars, in loading order
     * @param parent    the runtime's class loader
     * @param jarLabels binary name of every class in the jars to how to name its jar in messages; not copied,
     *                  must not change afterwards
     */
    PluginClassLoader(URL[] urls, ClassLoader parent, Map<String, String> jarLabels) {
        super("toolkit-plugins", urls, parent);
        this.jarLabels = jarLabels;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        try {
            return super.findClass(name);
        } catch (ClassNotFoundException notFound) {
            Optional<Class<?>> asking = WALKER.walk(frames -> frames.<Class<?>>map(StackWalker.StackFrame::getDeclaringClass)
                    .filter(type -> !isLoadingMachinery(type))
                    .findFirst());
            if (asking.isPresent() && asking.get().getClassLoader() == this) {
                String jar = jarLabels.get(asking.get().getName());
                if (jar != null) {
                    PluginClassNotFoundException attributed =
                            new PluginClassNotFoundException(name, asking.get().getName(), jar);
                    attributed.addSuppressed(notFound);
                    throw attributed;
                }
            }
            throw notFound;
        }
    }

    /** Frames between the code that needs a class and this loader: class loaders, Class, reflection internals. */
    private static boolean isLoadingMachinery(Class<?> type) {
        String name = type.getName();
        return ClassLoader.class.isAssignableFrom(type) || type == Class.class || name.startsWith("jdk.internal.")
                || name.startsWith("java.security.") || name.startsWith("java.lang.reflect.")
                || name.startsWith("java.lang.invoke.") || name.startsWith("sun.reflect.");
    }
}
