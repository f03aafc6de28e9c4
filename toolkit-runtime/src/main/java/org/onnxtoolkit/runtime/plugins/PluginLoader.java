package org.onnxtoolkit.runtime.plugins;

import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.jboss.weld.resources.spi.ResourceLoader;
import org.jboss.weld.resources.spi.ResourceLoadingException;
import org.onnxtoolkit.api.spi.Plugin;

/**
 * Loads plugin jars and finds the {@link org.onnxtoolkit.api.spi.Dataset}, {@link org.onnxtoolkit.api.spi.Architecture}
 * and {@link org.onnxtoolkit.api.spi.Objective} beans in them. This is the only class that touches the CDI
 * container (Weld SE).
 *
 * <p>Every {@code *.jar} in the given directories is loaded, directories in the given order and jars within
 * one sorted by file name. The jars share one class loader, whose parent is the runtime's, and one CDI
 * container whose bean archives are exactly those jars (bean archives on the runtime's own class path are
 * not deployed). Each jar must carry {@code META-INF/beans.xml} with {@code bean-discovery-mode="annotated"};
 * plugin classes carry a bean-defining annotation such as {@code @ApplicationScoped}. A jar may depend only
 * on {@code toolkit-api}, the JDK and the other plugin jars: every class in it is loaded up front, so that a
 * class that cannot link is reported instead of being silently skipped by bean discovery.
 *
 * <p>The container's INFO chatter is kept off the console: when the {@code java.util.logging} logger
 * {@code org.jboss.weld} has no level of its own, it is set to {@code WARNING}. (Weld logs through
 * jboss-logging, which picks java.util.logging when no other logging backend is on the class path.)
 */
public final class PluginLoader {
    private static final String BEANS_XML = "META-INF/beans.xml";
    private static final String UNKNOWN_VERSION = "unknown";
    /** Held here because java.util.logging keeps loggers weakly and a collected logger forgets its level. */
    private static final Logger WELD_LOGGER = Logger.getLogger("org.jboss.weld");
    private static final AtomicLong CONTAINER_COUNT = new AtomicLong();

    private final List<Path> jarPaths;
    /** The jars in loading order, once inspected. */
    private final List<PluginJar> jars = new ArrayList<>();
    private final Map<Path, PluginJar> jarsByPath = new HashMap<>();
    /** Class name to the jar its class is loaded from (the first jar holding it, as the class loader finds it). */
    private final Map<String, PluginJar> classIndex = new HashMap<>();
    /** File names that more than one jar has: such jars are named by their full path. */
    private final Set<String> ambiguousFileNames = new HashSet<>();

    private PluginLoader(List<Path> jarPaths) {
        this.jarPaths = jarPaths;
        Set<String> fileNames = new HashSet<>();
        for (Path jar : jarPaths) {
            String fileName = jar.getFileName().toString();
            if (!fileNames.add(fileName)) {
                ambiguousFileNames.add(fileName);
            }
        }
    }

    /**
     * Loads every plugin jar in {@code directories}.
     *
     * @param directories the distribution's {@code plugins/} folder first, then any {@code --plugins-dir}; each
     *                    must exist (an empty one is fine); a directory named twice is loaded once
     * @return the registry, which the caller closes; it is empty, and no container is started, when there
     *         are no jars
     * @throws PluginLoadException with a one-line message naming the directory, jar(s) and class at fault
     */
    public static PluginRegistry load(List<Path> directories) throws PluginLoadException {
        return load(directories, PluginLoader.class.getClassLoader());
    }

    /** As {@link #load(List)}, with the plugin class loader's parent given (tests stand in for the runtime's). */
    static PluginRegistry load(List<Path> directories, ClassLoader parent) throws PluginLoadException {
        Objects.requireNonNull(directories, "directories");
        Objects.requireNonNull(parent, "parent");
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> jarPaths = new ArrayList<>();
        for (Path directory : directories) {
            Path normalized = directory.toAbsolutePath().normalize();
            if (seen.add(normalized)) {
                jarPaths.addAll(listJars(directory, normalized));
            }
        }
        if (jarPaths.isEmpty()) {
            return PluginRegistry.empty();
        }
        return new PluginLoader(jarPaths).loadJars(parent);
    }

    private static List<Path> listJars(Path directory, Path normalized) throws PluginLoadException {
        if (!Files.exists(directory)) {
            throw new PluginLoadException("plugins directory " + directory + " does not exist");
        }
        if (!Files.isDirectory(directory)) {
            throw new PluginLoadException("plugins directory " + directory + " is not a directory");
        }
        try (Stream<Path> entries = Files.list(normalized)) {
            // Sorted by name explicitly: directory listing order differs between platforms and file systems.
            return entries.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new PluginLoadException("cannot list plugins directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private PluginRegistry loadJars(ClassLoader parent) throws PluginLoadException {
        for (Path path : jarPaths) {
            PluginJar jar = inspect(path, jars.size());
            jars.add(jar);
            jarsByPath.put(jar.path(), jar);
            for (String className : jar.classNames()) {
                PluginJar earlier = classIndex.putIfAbsent(className, jar);
                if (earlier != null && earlier != jar) {
                    // One class loader serves every jar: the first copy would win silently, so two versions of
                    // one plugin side by side would mix. Refuse instead.
                    throw new PluginLoadException("class " + className + " is in both " + label(earlier) + " and "
                            + label(jar) + " (two versions of one plugin?); keep only one of the jars");
                }
            }
        }
        URLClassLoader classLoader = new URLClassLoader("toolkit-plugins", urls(), parent);
        WeldContainer container = null;
        List<CreationalContext<?>> contexts = new ArrayList<>();
        try {
            loadAllClasses(classLoader);
            container = startContainer(classLoader);
            Map<PluginInfo, Plugin> plugins = collect(container.getBeanManager(), contexts);
            WeldContainer started = container;
            return new PluginRegistry(plugins, List.of(() -> stop(started, contexts), classLoader));
        } catch (PluginLoadException | RuntimeException | Error e) {
            if (container != null) {
                try {
                    stop(container, contexts);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            try {
                classLoader.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Destroys the {@code @Dependent} plugin instances, then shuts the container down (even if that failed). */
    private static void stop(WeldContainer container, List<CreationalContext<?>> contexts) {
        try {
            for (CreationalContext<?> context : contexts) {
                context.release();
            }
        } finally {
            container.shutdown();
        }
    }

    /** Opens the jar: it must be a readable jar with {@code META-INF/beans.xml}; reads its version and classes. */
    private PluginJar inspect(Path path, int order) throws PluginLoadException {
        try (JarFile jarFile = new JarFile(path.toFile())) {
            if (jarFile.getEntry(BEANS_XML) == null) {
                throw new PluginLoadException("plugin jar " + label(path) + " has no " + BEANS_XML
                        + "; add one with bean-discovery-mode=\"annotated\"");
            }
            Manifest manifest = jarFile.getManifest();
            String version = manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            List<String> classNames = jarFile.stream()
                    .map(JarEntry::getName)
                    .filter(PluginLoader::isClassEntry)
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .sorted()
                    .toList();
            return new PluginJar(path, order, version == null || version.isBlank() ? UNKNOWN_VERSION : version.trim(),
                    classNames);
        } catch (IOException e) {
            throw new PluginLoadException("plugin jar " + label(path) + " cannot be opened: " + e.getMessage(), e);
        }
    }

    private static boolean isClassEntry(String name) {
        // module-info and package-info are not classes to load; META-INF/versions holds multi-release variants.
        return name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")
                && !name.endsWith("package-info.class");
    }

    private URL[] urls() throws PluginLoadException {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).path().toUri().toURL();
            } catch (MalformedURLException e) {
                throw new PluginLoadException("plugin jar " + label(jars.get(i)) + " has no usable URL: "
                        + e.getMessage(), e);
            }
        }
        return urls;
    }

    /**
     * Loads (without initialising) every class of every jar. Bean discovery skips classes that fail to load
     * without a word; loading them first turns a missing dependency into an error naming the class.
     */
    private void loadAllClasses(ClassLoader classLoader) throws PluginLoadException {
        for (PluginJar jar : jars) {
            for (String className : jar.classNames()) {
                if (classIndex.get(className) != jar) {
                    continue; // shadowed by an earlier jar; that copy is the one that loads
                }
                try {
                    Class<?> c = Class.forName(className, false, classLoader);
                    if (Plugin.class.isAssignableFrom(c)) {
                        // Bean discovery inspects a plugin's members and skips the bean without a word when
                        // one of their types is missing; resolving them here names the class instead.
                        c.getDeclaredFields();
                        c.getDeclaredMethods();
                        c.getDeclaredConstructors();
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new PluginLoadException("plugin jar " + label(jar) + ": class " + className
                            + " cannot be loaded (" + oneLine(e) + "); a plugin may depend only on toolkit-api,"
                            + " the JDK and other plugin jars", e);
                }
            }
        }
    }

    private WeldContainer startContainer(URLClassLoader classLoader) throws PluginLoadException {
        if (WELD_LOGGER.getLevel() == null) {
            WELD_LOGGER.setLevel(Level.WARNING);
        }
        Weld weld = new Weld("toolkit-plugins-" + CONTAINER_COUNT.incrementAndGet())
                .setResourceLoader(new PluginResourceLoader(classLoader))
                // One flat bean archive: plugins share no alternatives or interceptors, and it boots faster.
                .disableIsolation()
                // The registry's owner shuts the container down; a JVM shutdown hook would race with it.
                .skipShutdownHook();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            return weld.initialize();
        } catch (RuntimeException | LinkageError e) {
            throw deploymentFailure(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Starts every plugin bean, checks ids, and pairs each instance with its info. */
    private Map<PluginInfo, Plugin> collect(BeanManager beanManager, List<CreationalContext<?>> contexts)
            throws PluginLoadException {
        Map<PluginInfo, Plugin> plugins = new LinkedHashMap<>();
        for (PluginKind kind : PluginKind.values()) {
            List<Bean<?>> beans = new ArrayList<>(beanManager.getBeans(kind.spiType(), Any.Literal.INSTANCE));
            Map<Bean<?>, PluginJar> beanJars = new IdentityHashMap<>();
            for (Bean<?> bean : beans) {
                beanJars.put(bean, jarOf(bean.getBeanClass(), kind));
            }
            // Deterministic order, so that a duplicate is reported the same way on every machine.
            beans.sort(Comparator.<Bean<?>>comparingInt(b -> beanJars.get(b).order())
                    .thenComparing(b -> b.getBeanClass().getName()));
            Map<String, Bean<?>> byId = new HashMap<>();
            for (Bean<?> bean : beans) {
                PluginJar jar = beanJars.get(bean);
                String className = bean.getBeanClass().getName();
                Plugin plugin;
                String id;
                String description;
                try {
                    CreationalContext<?> context = beanManager.createCreationalContext(bean);
                    contexts.add(context);
                    // Normal-scoped beans come back as client proxies: calling id() creates the instance.
                    plugin = kind.spiType().cast(beanManager.getReference(bean, kind.spiType(), context));
                    id = plugin.id();
                    description = plugin.description();
                } catch (RuntimeException | LinkageError e) {
                    throw new PluginLoadException("plugin jar " + label(jar) + ": " + kind.displayName() + " class "
                            + className + " failed to start (" + oneLine(e) + ")", e);
                }
                if (!Plugin.isValidId(id)) {
                    throw new PluginLoadException("plugin jar " + label(jar) + ": " + kind.displayName() + " class "
                            + className + " has the invalid id " + (id == null ? "null" : "'" + id + "'")
                            + "; ids are lower-kebab-case, like 'fashion-mnist'");
                }
                PluginInfo info = new PluginInfo(id, kind, jar.version(), jar.path(),
                        description == null ? "" : description);
                Bean<?> earlier = byId.putIfAbsent(id, bean);
                if (earlier != null) {
                    throw new PluginLoadException("duplicate " + kind.displayName() + " id '" + id + "' in "
                            + label(beanJars.get(earlier)) + " (" + earlier.getBeanClass().getName() + ") and "
                            + label(jar) + " (" + className + ")");
                }
                plugins.put(info, plugin);
            }
        }
        return plugins;
    }

    /** The plugin jar a bean class was loaded from, found through the class's code source. */
    private PluginJar jarOf(Class<?> beanClass, PluginKind kind) throws PluginLoadException {
        ProtectionDomain domain = beanClass.getProtectionDomain();
        CodeSource source = domain == null ? null : domain.getCodeSource();
        URL location = source == null ? null : source.getLocation();
        PluginJar jar = null;
        if (location != null) {
            try {
                jar = jarsByPath.get(Path.of(location.toURI()).toAbsolutePath().normalize());
            } catch (URISyntaxException | IllegalArgumentException e) {
                jar = null;
            }
        }
        if (jar == null) {
            throw new PluginLoadException(kind.displayName() + " class " + beanClass.getName()
                    + " is not in a plugin jar (loaded from " + location + ")");
        }
        return jar;
    }

    /**
     * Names the jar and class behind a container start failure: the first stack frame of a plugin class in
     * the cause chain (a failing constructor or static initialiser), else a plugin class named in a message
     * (the container's own validation errors).
     */
    private PluginLoadException deploymentFailure(Throwable failure) {
        String culprit = null;
        Set<Throwable> chain = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && chain.add(t); t = t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (culprit == null && classIndex.containsKey(frame.getClassName())) {
                    culprit = frame.getClassName();
                }
            }
        }
        if (culprit == null) {
            for (Throwable t : chain) {
                String message = String.valueOf(t.getMessage());
                for (String className : classIndex.keySet()) {
                    if (message.contains(className) && (culprit == null || className.length() > culprit.length())) {
                        culprit = className;
                    }
                }
            }
        }
        if (culprit == null) {
            return new PluginLoadException("the plugin jars " + labels(jars) + " cannot be deployed ("
                    + oneLine(failure) + ")", failure);
        }
        return new PluginLoadException("plugin jar " + label(classIndex.get(culprit)) + ": class " + culprit
                + " cannot be deployed (" + oneLine(failure) + ")", failure);
    }

    /** The jar's file name, or its full path when another loaded jar has the same file name. */
    private String label(Path jar) {
        String fileName = jar.getFileName().toString();
        return ambiguousFileNames.contains(fileName) ? jar.toString() : fileName;
    }

    private String label(PluginJar jar) {
        return label(jar.path());
    }

    private String labels(Collection<PluginJar> jars) {
        return String.join(", ", jars.stream().map(this::label).toList());
    }

    /** The innermost cause as one line: its type and the first line of its message. */
    private static String oneLine(Throwable failure) {
        Throwable root = failure;
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (root.getCause() != null && seen.add(root)) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        return root.getClass().getSimpleName() + ": " + message.strip().lines().findFirst().orElse("");
    }

    /**
     * One plugin jar.
     *
     * @param path       absolute and normalised
     * @param order      position in loading order
     * @param version    the manifest's {@code Implementation-Version}, or {@code "unknown"}
     * @param classNames binary names of the classes in the jar, sorted
     */
    private record PluginJar(Path path, int order, String version, List<String> classNames) {
    }

    /**
     * Loads classes and resources through the plugin class loader, but finds {@code beans.xml} only in the
     * plugin jars themselves, so that bean archives on the runtime's class path are never deployed.
     */
    private static final class PluginResourceLoader implements ResourceLoader {
        private final URLClassLoader classLoader;

        PluginResourceLoader(URLClassLoader classLoader) {
            this.classLoader = classLoader;
        }

        @Override
        public Class<?> classForName(String name) {
            try {
                return classLoader.loadClass(name);
            } catch (ClassNotFoundException | LinkageError | TypeNotPresentException e) {
                throw new ResourceLoadingException("Error loading class " + name, e);
            }
        }

        @Override
        public URL getResource(String name) {
            return isBeansXml(name) ? classLoader.findResource(name) : classLoader.getResource(name);
        }

        @Override
        public Collection<URL> getResources(String name) {
            try {
                return Collections.list(isBeansXml(name) ? classLoader.findResources(name)
                        : classLoader.getResources(name));
            } catch (IOException e) {
                throw new ResourceLoadingException("Error loading resource " + name, e);
            }
        }

        private static boolean isBeansXml(String name) {
            return name.endsWith("beans.xml");
        }

        @Override
        public void cleanup() {
            // The class loader belongs to the registry, which closes it after the container.
        }
    }
}
