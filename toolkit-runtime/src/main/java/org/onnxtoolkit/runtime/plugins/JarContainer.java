package org.onnxtoolkit.runtime.plugins;

import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.jboss.weld.resources.spi.ResourceLoader;
import org.jboss.weld.resources.spi.ResourceLoadingException;
import org.onnxtoolkit.api.events.TrainingEvent;
import org.onnxtoolkit.api.spi.Plugin;

/**
 * The CDI container (Weld SE) of one plugin jar, started when a command first uses one of the jar's plugins,
 * and the plugin instances made by it. Its beans are exactly the jar's bean classes as the loader found them
 * (classes with a bean-defining annotation); bean discovery is off, so Weld never loads the other classes of
 * the jar (bundled libraries). A jar's beans can be injected into each other but not into another jar's.
 *
 * <p>Starting the container and creating a plugin each run on a {@link StartGuard} thread with a time limit:
 * both run plugin code (observers, extensions, constructors, static initialisers, {@code @PostConstruct}).
 * Failures are kept: a jar whose container failed, or a plugin that failed, is never started twice.
 *
 * <p>Thread-safe: starting and closing are serialised.
 */
final class JarContainer implements AutoCloseable {
    private static final AtomicLong CONTAINER_COUNT = new AtomicLong();

    private final String jarLabel;
    private final List<Class<?>> beanClasses;
    private final PluginClassLoader classLoader;
    private final List<String> otherJarPrefixes;
    private final Map<String, String> jarLabels;
    private final Duration timeout;
    private final PluginServices services;
    private final boolean observesTraining;

    private WeldContainer container;
    private PluginStartException deployFailure;
    private final List<CreationalContext<?>> contexts = new ArrayList<>();

    /**
     * @param jarLabel         how messages name this jar
     * @param beanClasses      the jar's bean classes, loaded (not initialised) by {@code classLoader}
     * @param classLoader      the plugin class loader
     * @param otherJarPrefixes the URL prefixes ({@code jar:file:/...!/}) of the other plugin jars, whose
     *                         resources (portable extensions, Weld configuration) this container must not see
     * @param jarLabels        binary name of every plugin-jar class to its jar's label, to name a culprit class
     * @param timeout          how long starting the container, and then each plugin, may take
     * @param services         what the container offers its beans for injection
     * @param observesTraining whether a bean of the jar observes training events ({@link TrainingEvent}), so
     *                         that {@link #fire} starts the container
     */
    JarContainer(String jarLabel, List<Class<?>> beanClasses, PluginClassLoader classLoader,
            List<String> otherJarPrefixes, Map<String, String> jarLabels, Duration timeout, PluginServices services,
            boolean observesTraining) {
        this.jarLabel = jarLabel;
        this.beanClasses = List.copyOf(beanClasses);
        this.classLoader = classLoader;
        this.otherJarPrefixes = List.copyOf(otherJarPrefixes);
        this.jarLabels = jarLabels;
        this.timeout = timeout;
        this.services = services;
        this.observesTraining = observesTraining;
    }

    /**
     * Delivers a training event to the jar's observers, on the calling thread with the plugin class loader as
     * its context class loader. A jar that observes training events has its container started by the first
     * event; one that does not is left alone.
     *
     * @throws PluginStartException when the container cannot start, or an observer throws, naming the jar
     */
    synchronized void fire(TrainingEvent event) throws PluginStartException {
        if (!observesTraining) {
            return;
        }
        BeanManager beanManager = beanManager();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            beanManager.getEvent().fire(event);
        } catch (RuntimeException | LinkageError e) {
            PluginClassNotFoundException missing = PluginClassNotFoundException.in(e);
            if (missing != null) {
                throw new PluginStartException(missing.getMessage(), e);
            }
            throw new PluginStartException("plugin jar " + jarLabel + ": an observer of "
                    + event.getClass().getSimpleName() + " failed (" + oneLine(e) + ")", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Creates the plugin of {@code info}: starts the container if needed, then the bean (through its client
     * proxy for a normal-scoped bean, so that the constructor runs here, under the time limit), and checks that
     * {@code id()} agrees with the declared id.
     *
     * @param pluginClass the bean class of {@code info}
     * @throws PluginStartException with one line naming the jar and the class
     */
    synchronized Plugin start(PluginInfo info, Class<?> pluginClass) throws PluginStartException {
        BeanManager beanManager = beanManager();
        String subject = "plugin jar " + jarLabel + ": " + info.kind().displayName() + " class " + info.className();
        Bean<?> bean = null;
        for (Bean<?> candidate : beanManager.getBeans(pluginClass, Any.Literal.INSTANCE)) {
            if (candidate.getBeanClass() == pluginClass) {
                bean = candidate;
            }
        }
        if (bean == null) {
            throw new PluginStartException(subject + " is not a bean of the jar's CDI container; give it a"
                    + " bean-defining annotation such as @ApplicationScoped");
        }
        Class<? extends Plugin> type = info.kind().spiType();
        CreationalContext<?> context = beanManager.createCreationalContext(bean);
        contexts.add(context);
        Bean<?> chosen = bean;
        Plugin plugin;
        String id;
        try {
            Object[] started = StartGuard.call("toolkit-plugin-start " + info.className(), classLoader, timeout, () -> {
                Plugin reference = type.cast(beanManager.getReference(chosen, type, context));
                // A normal-scoped bean is a client proxy: this first call creates the instance.
                return new Object[] {reference, reference.id()};
            });
            plugin = (Plugin) started[0];
            id = (String) started[1];
        } catch (TimeoutException e) {
            throw new PluginStartException(subject + " did not finish starting within " + StartGuard.describe(timeout)
                    + " (a constructor or static initialiser that does not return?); if it is only slow, raise the"
                    + " limit with -D" + PluginLoader.START_TIMEOUT_PROPERTY + "=SECONDS in TOOLKIT_JAVA_OPTS", e);
        } catch (ExecutionException e) {
            throw failure(subject, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PluginStartException(subject + " was interrupted while starting", e);
        }
        if (!info.id().equals(id)) {
            throw new PluginStartException(subject + " declares @PluginId(\"" + info.id() + "\") but its id() returns "
                    + (id == null ? "null" : "'" + id + "'") + "; remove the id() method or make them agree");
        }
        return plugin;
    }

    private static PluginStartException failure(String subject, Throwable failure) {
        PluginClassNotFoundException missing = PluginClassNotFoundException.in(failure);
        if (missing != null) {
            return new PluginStartException(missing.getMessage(), failure);
        }
        return new PluginStartException(subject + " failed to start (" + oneLine(failure) + ")", failure);
    }

    private BeanManager beanManager() throws PluginStartException {
        if (deployFailure != null) {
            throw deployFailure;
        }
        if (container == null) {
            try {
                container = StartGuard.call("toolkit-plugin-deploy " + jarLabel, classLoader, timeout, this::deploy);
            } catch (TimeoutException e) {
                    deployFailure = new PluginStartException("plugin jar " + jarLabel + ": its CDI container did not start"
                        + " within " + StartGuard.describe(timeout) + " (an observer or extension of the jar that does"
                        + " not return?)", e);
                throw deployFailure;
            } catch (ExecutionException e) {
                deployFailure = deploymentFailure(e.getCause());
                throw deployFailure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                    deployFailure = new PluginStartException("plugin jar " + jarLabel + ": interrupted while its CDI"
                        + " container was starting", e);
                throw deployFailure;
            }
        }
        return container.getBeanManager();
    }

    private WeldContainer deploy() {
        WeldLogging.quiet();
        skipBeansXmlValidation();
        Weld weld = new Weld("toolkit-plugins-" + CONTAINER_COUNT.incrementAndGet())
                .setResourceLoader(new JarResourceLoader(classLoader, otherJarPrefixes))
                // The loader found the bean classes; Weld's own discovery would load every class of the jar.
                .disableDiscovery()
                // The registry's owner shuts the container down; a JVM shutdown hook would race with it.
                .skipShutdownHook()
                .addExtension(new ServicesExtension(services));
        for (Class<?> beanClass : beanClasses) {
            weld.addBeanClass(beanClass);
        }
        return weld.initialize();
    }

    /**
     * Names the jar and class behind a container start failure: the first stack frame of a plugin class in
     * the cause chain (a failing observer), else a plugin class named in a message (the container's own
     * validation errors, such as an unsatisfied injection point).
     */
    private PluginStartException deploymentFailure(Throwable failure) {
        String culprit = null;
        Set<Throwable> chain = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && chain.add(t); t = t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (culprit == null && jarLabels.containsKey(frame.getClassName())) {
                    culprit = frame.getClassName();
                }
            }
        }
        if (culprit == null) {
            for (Throwable t : chain) {
                String message = String.valueOf(t.getMessage());
                for (String className : jarLabels.keySet()) {
                    if (message.contains(className) && (culprit == null || className.length() > culprit.length())) {
                        culprit = className;
                    }
                }
            }
        }
        PluginClassNotFoundException missing = PluginClassNotFoundException.in(failure);
        if (missing != null) {
            return new PluginStartException(missing.getMessage(), failure);
        }
        if (culprit == null) {
            return new PluginStartException("plugin jar " + jarLabel + " cannot be deployed (" + oneLine(failure) + ")",
                    failure);
        }
        return new PluginStartException("plugin jar " + jarLabels.get(culprit) + ": class " + culprit
                + " cannot be deployed (" + oneLine(failure) + ")", failure);
    }

    /**
     * Destroys the plugin instances and shuts the container down; nothing when it never started. A plugin whose
     * start timed out has no instance yet, so nothing here waits for its thread.
     */
    @Override
    public synchronized void close() {
        if (container == null) {
            return;
        }
        try {
            for (CreationalContext<?> context : contexts) {
                context.release();
            }
        } finally {
            container.shutdown();
        }
    }

    /** The innermost cause as one line: its type and the first line of its message. */
    static String oneLine(Throwable failure) {
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

    /** The system property with which Weld skips validating {@code beans.xml} files against the CDI schemas. */
    static final String WELD_XML_VALIDATION_OFF = "org.jboss.weld.xml.disableValidating";

    /**
     * Sets {@value #WELD_XML_VALIDATION_OFF} to {@code true} unless it is set already (so that
     * {@code -Dorg.jboss.weld.xml.disableValidating=false} in {@code TOOLKIT_JAVA_OPTS} still validates). Weld
     * reads it once, when its configuration class is first used, and otherwise compiles the CDI schemas in
     * every bootstrap: 0.08-0.11 s of the first container's 0.38-0.56 s start, measured in {@code train}. The
     * loader needs a jar's {@code beans.xml} only as the mark of a bean archive and hands the container the
     * bean classes itself (discovery off), so nothing of the file's content is validated for.
     */
    private static void skipBeansXmlValidation() {
        if (System.getProperty(WELD_XML_VALIDATION_OFF) == null) {
            System.setProperty(WELD_XML_VALIDATION_OFF, "true");
        }
    }

    /**
     * Keeps the container's INFO chatter off the console: when the {@code java.util.logging} logger
     * {@code org.jboss.weld} has no level of its own, it is set to {@code WARNING}. (Weld logs through
     * jboss-logging, which picks java.util.logging when no other logging backend is on the class path.) A class
     * of its own so that java.util.logging is initialised only when a container starts, not for a listing.
     */
    private static final class WeldLogging {
        /** Held here because java.util.logging keeps loggers weakly and a collected logger forgets its level. */
        private static final Logger LOGGER = Logger.getLogger("org.jboss.weld");

        static void quiet() {
            if (LOGGER.getLevel() == null) {
                LOGGER.setLevel(Level.WARNING);
            }
        }
    }

    /**
     * Loads classes and resources through the plugin class loader, but hides the resources of the other plugin
     * jars (their portable extensions), so that a jar's container runs none of another jar's code.
     */
    private static final class JarResourceLoader implements ResourceLoader {
        private final ClassLoader classLoader;
        private final List<String> hiddenPrefixes;

        JarResourceLoader(ClassLoader classLoader, List<String> hiddenPrefixes) {
            this.classLoader = classLoader;
            this.hiddenPrefixes = hiddenPrefixes;
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
            Collection<URL> all = getResources(name);
            return all.isEmpty() ? null : all.iterator().next();
        }

        @Override
        public Collection<URL> getResources(String name) {
            try {
                List<URL> visible = new ArrayList<>();
                for (URL url : Collections.list(classLoader.getResources(name))) {
                    String text = url.toString();
                    if (hiddenPrefixes.stream().noneMatch(text::startsWith)) {
                        visible.add(url);
                    }
                }
                return visible;
            } catch (IOException e) {
                throw new ResourceLoadingException("Error loading resource " + name, e);
            }
        }

        @Override
        public void cleanup() {
            // The class loader belongs to the registry, which closes it after the containers.
        }
    }
}
