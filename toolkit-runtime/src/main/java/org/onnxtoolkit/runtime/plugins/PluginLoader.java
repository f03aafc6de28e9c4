package org.onnxtoolkit.runtime.plugins;

import jakarta.decorator.Decorator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ConversationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.NormalScope;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.context.SessionScoped;
import jakarta.enterprise.inject.Model;
import jakarta.enterprise.inject.Stereotype;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.onnxtoolkit.api.spi.Plugin;
import org.onnxtoolkit.api.events.TrainingEvent;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.api.spi.ToolkitContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.lang.reflect.Method;

/**
 * Loads plugin jars and finds the {@link org.onnxtoolkit.api.spi.Dataset}, {@link org.onnxtoolkit.api.spi.Architecture}
 * and {@link org.onnxtoolkit.api.spi.Objective} classes in them, without running any plugin code: no plugin
 * constructor, static initialiser or CDI container runs until a command asks the registry for a plugin.
 *
 * <p>Every {@code *.jar} in the given directories is loaded, directories in the given order and jars within
 * one sorted by file name. The jars share one class loader, whose parent is the runtime's. Each jar must carry
 * {@code META-INF/beans.xml}; each plugin class carries {@link PluginId} and a bean-defining annotation such
 * as {@code @ApplicationScoped}. The loader reads the constant pool of every class file to find the classes
 * that mention {@code @PluginId} or a bean-defining annotation, and loads only those (without initialising
 * them): bundled libraries are never loaded. What can be checked without running plugin code fails loading,
 * and so every command, with one line naming the jar and the class: a jar that cannot be opened or lacks
 * {@code beans.xml}, the same class in two jars, a plugin class that cannot link (a missing superclass or
 * member type), a missing, invalid or duplicate id. What needs plugin code to run fails only the command that
 * uses the plugin, when it asks for it (see {@link PluginRegistry}).
 *
 * <p>A plugin is started in the CDI container (Weld SE) of its jar, which starts when the first of the jar's
 * plugins is used, on a thread of its own with a time limit ({@value #START_TIMEOUT_PROPERTY} seconds, 30 by
 * default). While the registry is open, a plugin that calls {@code System.exit} is named on stderr and the JVM
 * ends with status 1 (see {@link PluginExitWatch}).
 */
public final class PluginLoader {
    /** System property: how many seconds starting a jar's container, or a plugin, may take (default 30). */
    public static final String START_TIMEOUT_PROPERTY = "toolkit.plugin-start-timeout";
    static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

    private static final String BEANS_XML = "META-INF/beans.xml";
    private static final String UNKNOWN_VERSION = "unknown";
    /** CDI's bean-defining annotations (besides normal scopes and stereotypes, found by their meta-annotations). */
    private static final List<Class<? extends Annotation>> BEAN_DEFINING = List.of(ApplicationScoped.class,
            Dependent.class, RequestScoped.class, SessionScoped.class, ConversationScoped.class, Model.class,
            Interceptor.class, Decorator.class);
    // The loading path avoids streams and lambdas: in a fresh JVM their first use costs tens of milliseconds,
    // a noticeable part of what listing the plugins takes.
    private static final Comparator<Path> BY_FILE_NAME = new Comparator<>() {
        @Override
        public int compare(Path a, Path b) {
            return a.getFileName().toString().compareTo(b.getFileName().toString());
        }
    };
    /** By jar, then class name: the order in which a duplicate id is reported, the same on every machine. */
    private static final Comparator<FoundPlugin> IN_LOADING_ORDER = new Comparator<>() {
        @Override
        public int compare(FoundPlugin a, FoundPlugin b) {
            int byJar = Integer.compare(a.jar().order(), b.jar().order());
            return byJar != 0 ? byJar : a.info().className().compareTo(b.info().className());
        }
    };
    /** A class whose constant pool mentions none of these cannot carry @PluginId or a bean-defining annotation. */
    private static final ClassFileScan SCAN = new ClassFileScan(descriptors(PluginId.class, BEAN_DEFINING));

    private final List<Path> jarPaths;
    private final Duration startTimeout;
    private final PluginServices services;
    /** The remembered scans of jars seen before ({@code <cache>/plugin-scan}). */
    private final PluginScanCache scanCache;
    /** The jars in loading order, once inspected. */
    private final List<PluginJar> jars = new ArrayList<>();
    /** Class name to the jar its class is loaded from. */
    private final Map<String, PluginJar> classIndex = new HashMap<>();
    /** Class name to how messages name its jar; the same keys as {@link #classIndex}. */
    private final Map<String, String> jarLabels = new HashMap<>();
    /** File names that more than one jar has: such jars are named by their full path. */
    private final Set<String> ambiguousFileNames = new HashSet<>();

    private PluginLoader(List<Path> jarPaths, Duration startTimeout, PluginServices services) {
        this.jarPaths = jarPaths;
        this.startTimeout = startTimeout;
        this.services = services;
        Path cache = services.context().cacheDirectory();
        this.scanCache = new PluginScanCache(cache == null ? null : cache.resolve("plugin-scan"));
        Set<String> fileNames = new HashSet<>();
        for (Path jar : jarPaths) {
            String fileName = jar.getFileName().toString();
            if (!fileNames.add(fileName)) {
                ambiguousFileNames.add(fileName);
            }
        }
    }

    /**
     * Loads every plugin jar in {@code directories}, with the start time limit of the system property
     * {@value #START_TIMEOUT_PROPERTY}.
     *
     * @param directories the distribution's {@code plugins/} folder first, then any {@code --plugins-dir}; each
     *                    must exist (an empty one is fine); a directory named twice is loaded once
     * @return the registry, which the caller closes; empty when there are no jars
     * @throws PluginLoadException with a one-line message naming the directory, jar(s) and class at fault
     */
    public static PluginRegistry load(List<Path> directories) throws PluginLoadException {
        return load(directories, defaultServices());
    }

    /**
     * As {@link #load(List)}, with what the plugins' containers offer their beans for injection.
     */
    public static PluginRegistry load(List<Path> directories, PluginServices services) throws PluginLoadException {
        return load(directories, PluginLoader.class.getClassLoader(), startTimeout(), services);
    }

    /** No progress shown; the default cache folder; the runtime's version; not verbose. */
    public static PluginServices defaultServices() {
        String version = PluginLoader.class.getPackage().getImplementationVersion();
        return new PluginServices(Progress.NONE, new ToolkitContext(defaultCacheDirectory(),
                version == null ? "unknown" : version, false));
    }

    /** {@code $XDG_CACHE_HOME/onnxtoolkit}, else {@code ~/.cache/onnxtoolkit}. */
    public static Path defaultCacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("onnxtoolkit");
    }

    /**
     * As {@link #load(List)}, with the plugin class loader's parent (tests stand in for the runtime's) and the
     * time limit for starting a jar's container and each plugin given.
     */
    static PluginRegistry load(List<Path> directories, ClassLoader parent, Duration startTimeout)
            throws PluginLoadException {
        return load(directories, parent, startTimeout, defaultServices());
    }

    static PluginRegistry load(List<Path> directories, ClassLoader parent, Duration startTimeout,
            PluginServices services) throws PluginLoadException {
        Objects.requireNonNull(directories, "directories");
        Objects.requireNonNull(parent, "parent");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("start timeout must be positive: " + startTimeout);
        }
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
        return new PluginLoader(jarPaths, startTimeout, services).loadJars(parent);
    }

    /** The time limit from {@value #START_TIMEOUT_PROPERTY}, in (possibly fractional) seconds; 30 s when unset. */
    static Duration startTimeout() throws PluginLoadException {
        String text = System.getProperty(START_TIMEOUT_PROPERTY);
        if (text == null || text.isBlank()) {
            return DEFAULT_START_TIMEOUT;
        }
        try {
            double seconds = Double.parseDouble(text.strip());
            if (seconds > 0 && seconds <= Duration.ofDays(1).toSeconds()) {
                return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new PluginLoadException("system property " + START_TIMEOUT_PROPERTY + " must be a number of seconds"
                + " above 0 and at most a day, not '" + text + "'");
    }

    private static List<Path> listJars(Path directory, Path normalized) throws PluginLoadException {
        if (!Files.exists(directory)) {
            throw new PluginLoadException("plugins directory " + directory + " does not exist");
        }
        if (!Files.isDirectory(directory)) {
            throw new PluginLoadException("plugins directory " + directory + " is not a directory");
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(normalized, "*.jar")) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry)) {
                    jars.add(entry);
                }
            }
            // Sorted by name explicitly: directory listing order differs between platforms and file systems.
            jars.sort(BY_FILE_NAME);
            return jars;
        } catch (IOException e) {
            throw new PluginLoadException("cannot list plugins directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private PluginRegistry loadJars(ClassLoader parent) throws PluginLoadException {
        for (Path path : jarPaths) {
            PluginJar jar = inspect(path, jars.size());
            jars.add(jar);
            for (String className : jar.classNames()) {
                PluginJar earlier = classIndex.putIfAbsent(className, jar);
                if (earlier != null && earlier != jar) {
                    // One class loader serves every jar: the first copy would win silently, so two versions of
                    // one plugin side by side would mix. Refuse instead.
                    throw new PluginLoadException("class " + className + " is in both " + label(earlier) + " and "
                            + label(jar) + " (two versions of one plugin?); keep only one of the jars");
                }
                jarLabels.put(className, label(jar));
            }
        }
        PluginClassLoader classLoader = new PluginClassLoader(urls(), parent, jarLabels);
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            List<FoundPlugin> found = new ArrayList<>();
            Map<PluginJar, JarContainer> containers = new IdentityHashMap<>();
            List<JarContainer> inJarOrder = new ArrayList<>();
            for (PluginJar jar : jars) {
                List<Class<?>> beans = new ArrayList<>();
                for (String className : jar.candidates()) {
                    examine(jar, load(jar, className, classLoader), classLoader, beans, found);
                }
                // Nothing to close until it starts, when a plugin of the jar is first asked for.
                JarContainer container = new JarContainer(label(jar), beans, classLoader, otherJarPrefixes(jar),
                        jarLabels, startTimeout, services, observesTraining(jar, beans));
                containers.put(jar, container);
                inJarOrder.add(container);
                resources.add(container);
            }
            checkUniqueIds(found);
            Map<PluginInfo, PluginRegistry.PluginSource> sources = new LinkedHashMap<>();
            for (FoundPlugin plugin : found) {
                sources.put(plugin.info(), new JarPlugin(containers.get(plugin.jar()), plugin.info(), plugin.type()));
            }
            resources.add(new PluginExitWatch(jarLabels));
            resources.add(classLoader);
            return new PluginRegistry(sources, inJarOrder, resources);
        } catch (PluginLoadException | RuntimeException | Error e) {
            try {
                classLoader.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Opens the jar: it must be a readable jar with {@code META-INF/beans.xml}; reads its version, its classes,
     * and which of them may be plugins or beans (from their constant pools).
     */
    private PluginJar inspect(Path path, int order) throws PluginLoadException {
        try (JarFile jarFile = new JarFile(path.toFile())) {
            if (jarFile.getEntry(BEANS_XML) == null) {
                throw new PluginLoadException("plugin jar " + label(path) + " has no " + BEANS_XML
                        + "; add one with bean-discovery-mode=\"annotated\"");
            }
            Manifest manifest = jarFile.getManifest();
            String version = manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            List<String> classNames = new ArrayList<>();
            List<JarEntry> classEntries = new ArrayList<>();
            for (Enumeration<JarEntry> entries = jarFile.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (isClassEntry(name)) {
                    classEntries.add(entry);
                    classNames.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                }
            }
            String scanKey = PluginScanCache.key(SCAN.descriptors(), classEntries);
            List<String> candidates = scanCache.get(scanKey, new HashSet<>(classNames));
            if (candidates == null) {
                candidates = new ArrayList<>();
                for (int i = 0; i < classEntries.size(); i++) {
                    try (InputStream in = jarFile.getInputStream(classEntries.get(i))) {
                        if (!SCAN.mentioned(in).isEmpty()) {
                            candidates.add(classNames.get(i));
                        }
                    } catch (IOException e) {
                        throw new PluginLoadException("plugin jar " + label(path) + ": " + classEntries.get(i).getName()
                                + " cannot be read (" + e.getMessage() + ")", e);
                    }
                }
                candidates.sort(null);
                scanCache.put(scanKey, candidates);
            }
            classNames.sort(null);
            return new PluginJar(path, order, version == null || version.isBlank() ? UNKNOWN_VERSION : version.trim(),
                    classNames, candidates);
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
            urls[i] = url(jars.get(i));
        }
        return urls;
    }

    private URL url(PluginJar jar) throws PluginLoadException {
        try {
            return jar.path().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new PluginLoadException("plugin jar " + label(jar) + " has no usable URL: " + e.getMessage(), e);
        }
    }

    /** How the class loader's resource URLs of the other jars begin ({@code jar:file:/...!/}). */
    private List<String> otherJarPrefixes(PluginJar jar) throws PluginLoadException {
        List<String> prefixes = new ArrayList<>();
        for (PluginJar other : jars) {
            if (other != jar) {
                prefixes.add("jar:" + url(other) + "!/");
            }
        }
        return prefixes;
    }

    /** Loads (without initialising) a class that may be a plugin or a bean. */
    private Class<?> load(PluginJar jar, String className, ClassLoader classLoader) throws PluginLoadException {
        try {
            return Class.forName(className, false, classLoader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw cannotLoad(jar, className, e);
        }
    }

    private PluginLoadException cannotLoad(PluginJar jar, String className, Throwable e) {
        return new PluginLoadException("plugin jar " + label(jar) + ": class " + className + " cannot be loaded ("
                + JarContainer.oneLine(e) + "); a plugin may depend only on toolkit-api, the JDK and other plugin jars",
                e);
    }

    /**
     * Sorts one candidate class: a plugin (it carries {@link PluginId}) is checked and recorded once per kind it
     * implements; any concrete class with a bean-defining annotation is one of the jar's beans.
     */
    private void examine(PluginJar jar, Class<?> type, ClassLoader classLoader, List<Class<?>> beans,
            List<FoundPlugin> found) throws PluginLoadException {
        boolean beanDefining = isBeanDefining(type);
        boolean concrete = !type.isInterface() && !type.isAnnotation() && !type.isEnum()
                && !Modifier.isAbstract(type.getModifiers());
        List<PluginKind> kinds = new ArrayList<>();
        for (PluginKind kind : PluginKind.values()) {
            if (kind.spiType().isAssignableFrom(type)) {
                kinds.add(kind);
            }
        }
        PluginId pluginId = type.getAnnotation(PluginId.class);
        String subject = "plugin jar " + label(jar) + ": " + (kinds.isEmpty() ? "" : kinds.get(0).displayName() + " ")
                + "class " + type.getName();
        if (pluginId == null) {
            if (beanDefining && concrete && !kinds.isEmpty()) {
                throw new PluginLoadException(subject + " has no @PluginId; declare its id on the class, for example"
                        + " @org.onnxtoolkit.api.spi.PluginId(\"my-" + kinds.get(0).displayName() + "\")");
            }
            if (beanDefining && concrete) {
                beans.add(type);
            }
            return;
        }
        if (kinds.isEmpty()) {
            throw new PluginLoadException(subject + " has @PluginId but implements none of Dataset, Architecture and"
                    + " Objective");
        }
        if (!concrete) {
            throw new PluginLoadException(subject + " has @PluginId but is abstract; only concrete classes are plugins");
        }
        if (!beanDefining) {
            throw new PluginLoadException(subject + " has no bean-defining annotation; add"
                    + " @jakarta.enterprise.context.ApplicationScoped");
        }
        String id = pluginId.value();
        if (!Plugin.isValidId(id)) {
            throw new PluginLoadException(subject + " has the invalid id " + (id == null ? "null" : "'" + id + "'")
                    + "; ids are lower-kebab-case, like 'fashion-mnist'");
        }
        if (type.getClassLoader() != classLoader) {
            throw new PluginLoadException(kinds.get(0).displayName() + " class " + type.getName()
                    + " is not in a plugin jar (loaded from " + location(type) + ")");
        }
        try {
            // The container inspects a bean's members when it starts; a missing member type is a packaging
            // error that can be found now, without running plugin code.
            type.getDeclaredFields();
            type.getDeclaredMethods();
            type.getDeclaredConstructors();
        } catch (LinkageError | TypeNotPresentException e) {
            throw cannotLoad(jar, type.getName(), e);
        }
        beans.add(type);
        for (PluginKind kind : kinds) {
            found.add(new FoundPlugin(new PluginInfo(id, kind, jar.version(), jar.path(), type.getName()), type, jar));
        }
    }

    /**
     * Whether a bean of the jar has an observer method of a training event ({@code @Observes} or
     * {@code @ObservesAsync} on a parameter whose type is, or is a supertype of, a {@link TrainingEvent} type).
     * Reads declarations only; runs no plugin code.
     */
    private boolean observesTraining(PluginJar jar, List<Class<?>> beans) throws PluginLoadException {
        for (Class<?> bean : beans) {
            Method[] methods;
            try {
                methods = bean.getDeclaredMethods();
            } catch (LinkageError | TypeNotPresentException e) {
                throw cannotLoad(jar, bean.getName(), e);
            }
            for (Method method : methods) {
                Class<?>[] types = method.getParameterTypes();
                Annotation[][] annotations = method.getParameterAnnotations();
                for (int i = 0; i < types.length; i++) {
                    boolean observer = false;
                    for (Annotation a : annotations[i]) {
                        observer |= a.annotationType() == Observes.class || a.annotationType() == ObservesAsync.class;
                    }
                    if (observer && (TrainingEvent.class.isAssignableFrom(types[i])
                            || types[i].isAssignableFrom(TrainingEvent.class))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A bean-defining annotation: one of CDI's, or any normal scope or stereotype (also inherited ones). */
    private static boolean isBeanDefining(Class<?> type) {
        for (Annotation annotation : type.getAnnotations()) {
            Class<? extends Annotation> annotationType = annotation.annotationType();
            if (BEAN_DEFINING.contains(annotationType) || annotationType.isAnnotationPresent(NormalScope.class)
                    || annotationType.isAnnotationPresent(Stereotype.class)) {
                return true;
            }
        }
        return false;
    }

    private static URL location(Class<?> type) {
        ProtectionDomain domain = type.getProtectionDomain();
        CodeSource source = domain == null ? null : domain.getCodeSource();
        return source == null ? null : source.getLocation();
    }

    /** Within each kind, in loading order (jar, then class name), the first id used twice fails, naming both. */
    private void checkUniqueIds(List<FoundPlugin> found) throws PluginLoadException {
        List<FoundPlugin> ordered = new ArrayList<>(found);
        ordered.sort(IN_LOADING_ORDER);
        for (PluginKind kind : PluginKind.values()) {
            Map<String, FoundPlugin> byId = new HashMap<>();
            for (FoundPlugin plugin : ordered) {
                if (plugin.info().kind() != kind) {
                    continue;
                }
                FoundPlugin earlier = byId.putIfAbsent(plugin.info().id(), plugin);
                if (earlier != null) {
                    throw new PluginLoadException("duplicate " + kind.displayName() + " id '" + plugin.info().id()
                            + "' in " + label(earlier.jar()) + " (" + earlier.info().className() + ") and "
                            + label(plugin.jar()) + " (" + plugin.info().className() + ")");
                }
            }
        }
    }

    private static List<String> descriptors(Class<?> first, List<Class<? extends Annotation>> rest) {
        List<String> descriptors = new ArrayList<>();
        descriptors.add("L" + first.getName().replace('.', '/') + ";");
        for (Class<?> type : rest) {
            descriptors.add("L" + type.getName().replace('.', '/') + ";");
        }
        return descriptors;
    }

    /** The jar's file name, or its full path when another loaded jar has the same file name. */
    private String label(Path jar) {
        String fileName = jar.getFileName().toString();
        return ambiguousFileNames.contains(fileName) ? jar.toString() : fileName;
    }

    private String label(PluginJar jar) {
        return label(jar.path());
    }

    /**
     * One plugin jar.
     *
     * @param path       absolute and normalised
     * @param order      position in loading order
     * @param version    the manifest's {@code Implementation-Version}, or {@code "unknown"}
     * @param classNames binary names of the classes in the jar, sorted
     * @param candidates binary names of the classes whose constant pool mentions {@code @PluginId} or a
     *                   bean-defining annotation, sorted
     */
    private record PluginJar(Path path, int order, String version, List<String> classNames, List<String> candidates) {
    }

    /** A plugin class found in a jar, once per kind it implements. */
    private record FoundPlugin(PluginInfo info, Class<?> type, PluginJar jar) {
    }

    /** Starts a plugin in its jar's container. */
    private record JarPlugin(JarContainer container, PluginInfo info, Class<?> type)
            implements PluginRegistry.PluginSource {
        @Override
        public Plugin start() {
            return container.start(info, type);
        }
    }
}
