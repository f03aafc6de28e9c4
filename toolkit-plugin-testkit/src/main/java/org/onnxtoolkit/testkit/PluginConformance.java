package org.onnxtoolkit.testkit;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Node;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.ObjectiveTerms;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.Plugin;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.w3c.dom.Element;

/**
 * Conformance checks for toolkit plugins, as JUnit 5 assertions: what the toolkit needs from a plugin class, its
 * options, an architecture's graphs, an objective's loss and a dataset's splits, checked with toolkit-api alone
 * (no ONNX Runtime, no CDI container). Each failure is an {@link org.opentest4j.AssertionFailedError} whose one
 * line names the plugin and what to change.
 *
 * <pre>
 * class PluginConformanceTest {
 *     &#64;Test
 *     void pluginClasses() {
 *         assertEquals(List.of("pgm-folder", "pixelshuffle-vae"),
 *                 PluginConformance.assertPluginClasses(PgmFolderDataset.class, PixelShuffleVaeArchitecture.class));
 *     }
 *
 *     &#64;Test
 *     void architecture() {
 *         PluginConformance.assertArchitecture(new PixelShuffleVaeArchitecture(), new ImageShape(1, 28, 28));
 *     }
 *
 *     &#64;Test
 *     void dataset(&#64;TempDir Path dir) throws Exception {
 *         writeSmallFixture(dir);
 *         PluginConformance.assertDataset(new PgmFolderDataset(), new DatasetOptions(dir, null, 1, Map.of()));
 *     }
 * }
 * </pre>
 *
 * <p>Stateless; the methods may run concurrently.
 */
public final class PluginConformance {
    /** CDI's bean-defining annotations, by name: the kit does not depend on the CDI API. */
    private static final Set<String> BEAN_DEFINING = Set.of("jakarta.enterprise.context.ApplicationScoped",
            "jakarta.enterprise.context.Dependent", "jakarta.enterprise.context.RequestScoped",
            "jakarta.enterprise.context.SessionScoped", "jakarta.enterprise.context.ConversationScoped",
            "jakarta.enterprise.inject.Model", "jakarta.interceptor.Interceptor", "jakarta.decorator.Decorator");
    private static final String NORMAL_SCOPE = "jakarta.enterprise.context.NormalScope";
    private static final String STEREOTYPE = "jakarta.enterprise.inject.Stereotype";
    /** An option name no plugin declares, to check that undeclared options are refused. */
    static final String UNDECLARED_OPTION = "conformance-check-undeclared-option";
    /** Threads that read a split at once in the concurrent-read check. */
    private static final int READERS = 4;

    private PluginConformance() {
    }

    // ---------------------------------------------------------------------------------------------------------
    // Plugin classes

    /**
     * Checks each class with {@link #assertPluginClass}, the {@code META-INF/beans.xml} of each jar or classes
     * folder they come from ({@link #assertBeansXml}), and that no two share an id within a kind.
     *
     * @return the ids, in the order of {@code types}
     */
    @SafeVarargs
    public static List<String> assertPluginClasses(Class<? extends Plugin>... types) {
        List<String> ids = new ArrayList<>();
        Map<String, Class<?>> byKindAndId = new HashMap<>();
        Set<Path> locations = new LinkedHashSet<>();
        for (Class<? extends Plugin> type : types) {
            Plugin plugin = assertPluginClass(type);
            for (String kind : kinds(type)) {
                Class<?> other = byKindAndId.put(kind + " " + plugin.id(), type);
                if (other != null && other != type) {
                    fail("duplicate " + kind + " id '" + plugin.id() + "' in " + other.getName() + " and " + type.getName()
                            + "; ids are unique within a kind");
                }
            }
            ids.add(plugin.id());
            locations.add(BeansXml.location(type));
        }
        for (Class<? extends Plugin> type : types) {
            if (locations.remove(BeansXml.location(type))) {
                assertBeansXml(type);
            }
        }
        return ids;
    }

    /**
     * Checks what the toolkit needs from one plugin class: a valid {@link PluginId}; a concrete class implementing
     * {@code Dataset}, {@code Architecture} or {@code Objective}; a CDI bean-defining annotation and, for a
     * normal scope such as {@code @ApplicationScoped} (reached through a generated subclass), no {@code final} on
     * the class or its public methods; a public no-argument constructor; {@code id()} equal to the annotation; a
     * one-line description; well-formed options ({@link #assertOptions}).
     *
     * @return a new instance, made with the no-argument constructor
     */
    public static Plugin assertPluginClass(Class<? extends Plugin> type) {
        String name = type.getName();
        PluginId declared = type.getAnnotation(PluginId.class);
        if (declared == null) {
            fail(name + " has no @PluginId; declare its id on the class, for example @PluginId(\"my-"
                    + (kinds(type).isEmpty() ? "plugin" : kinds(type).get(0)) + "\")");
        }
        if (!Plugin.isValidId(declared.value())) {
            fail(name + " has the invalid id '" + declared.value() + "'; ids are lower-kebab-case, like 'fashion-mnist'");
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            fail(name + " has @PluginId but is abstract; only concrete classes are plugins");
        }
        if (kinds(type).isEmpty()) {
            fail(name + " has @PluginId but implements none of Dataset, Architecture and Objective");
        }
        Annotation bean = beanDefining(type);
        if (bean == null) {
            fail(name + " has no bean-defining annotation; add @jakarta.enterprise.context.ApplicationScoped");
        }
        if (isNormalScope(bean.annotationType())) {
            String scope = "@" + bean.annotationType().getSimpleName();
            if (Modifier.isFinal(type.getModifiers())) {
                fail(name + " is final, but a " + scope + " bean is reached through a proxy (a generated subclass);"
                        + " remove 'final'");
            }
            for (Method method : type.getMethods()) {
                if (method.getDeclaringClass() != Object.class && !Modifier.isStatic(method.getModifiers())
                        && Modifier.isFinal(method.getModifiers())) {
                    fail(name + ": public method " + method.getName() + " is final, but a " + scope + " bean is"
                            + " reached through a proxy that overrides every public method; remove 'final'");
                }
            }
        }
        Constructor<? extends Plugin> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw fail(name + " has no public no-argument constructor; the CDI container creates plugins with it");
        }
        Plugin plugin;
        try {
            plugin = constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw fail(name + "'s constructor threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw fail(name + " cannot be instantiated (" + e + ")", e);
        }
        String id = plugin.id();
        if (!declared.value().equals(id)) {
            fail(name + " declares @PluginId(\"" + declared.value() + "\") but its id() returns '" + id
                    + "'; remove the id() method or make them agree");
        }
        String description = plugin.description();
        if (description == null || description.isBlank()) {
            fail(name + ": description() is blank; give the one line 'toolkit plugins " + id + "' shows");
        }
        if (description.strip().contains("\n") || description.contains("\r")) {
            fail(name + ": description() has several lines; give one");
        }
        if (plugin instanceof Architecture a) {
            assertOptions(id, a.options());
        }
        if (plugin instanceof Objective o) {
            assertOptions(id, o.options());
        }
        if (plugin instanceof Dataset d) {
            assertOptions("dataset " + id, d.options());
        }
        return plugin;
    }

    /**
     * Checks the {@code META-INF/beans.xml} of the jar or classes folder that holds {@code type}: present, a
     * {@code <beans>} element in the Jakarta namespace ({@code https://jakarta.ee/xml/ns/jakartaee}) with
     * {@code bean-discovery-mode="annotated"}.
     */
    public static void assertBeansXml(Class<?> type) {
        assertBeansXml(BeansXml.location(type));
    }

    /** {@link #assertBeansXml(Class)} for a jar file or a classes folder. */
    static void assertBeansXml(Path location) {
        Element beans;
        try {
            beans = BeansXml.read(location);
        } catch (IOException e) {
            throw fail(location + ": cannot read " + BeansXml.PATH + " (" + e.getMessage() + ")", e);
        }
        if (beans == null) {
            fail(location + " has no " + BeansXml.PATH + "; add one with bean-discovery-mode=\"annotated\"");
        }
        if (!"beans".equals(beans.getLocalName()) || !BeansXml.JAKARTA_NAMESPACE.equals(beans.getNamespaceURI())) {
            fail(location + ": the root of " + BeansXml.PATH + " is <" + beans.getTagName() + "> in namespace '"
                    + beans.getNamespaceURI() + "'; it must be <beans xmlns=\"" + BeansXml.JAKARTA_NAMESPACE + "\">");
        }
        String mode = beans.getAttribute("bean-discovery-mode");
        if (!"annotated".equals(mode)) {
            fail(location + ": " + BeansXml.PATH + " has bean-discovery-mode=\"" + mode + "\"; it must be \"annotated\"");
        }
    }

    /**
     * Checks a plugin's option declarations: no name twice, each with a one-line description and a one-line
     * default, and that they merge into {@link PluginOptions} with nothing given.
     *
     * @param owner the plugin id, or {@code dataset ID}, for messages
     */
    public static void assertOptions(String owner, List<OptionSpec> options) {
        if (options == null) {
            fail(owner + ": options() returned null; return List.of() when there are none");
        }
        Set<String> names = new HashSet<>();
        for (OptionSpec o : options) {
            if (o == null) {
                fail(owner + ": options() holds null");
            }
            if (!names.add(o.name())) {
                fail(owner + " declares option '" + o.name() + "' twice");
            }
            if (o.description().isBlank()) {
                fail(owner + ": option " + o.name() + " has no description; 'toolkit plugins' shows it");
            }
            if (o.description().contains("\n") || o.defaultValue().contains("\n")) {
                fail(owner + ": option " + o.name() + " has a description or default of several lines; give one");
            }
        }
        PluginOptions.of(owner, options, Map.of());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Architectures and objectives

    /** {@link #assertArchitecture(Architecture, Map, ImageShape)} with every option at its default. */
    public static LatentModel assertArchitecture(Architecture architecture, ImageShape datasetShape) {
        return assertArchitecture(architecture, Map.of(), datasetShape);
    }

    /**
     * Creates a model as {@code toolkit train} does and checks it: the options merge and the architecture accepts
     * them; {@code preferredImageShape} answers; {@code create} with that shape (or {@code datasetShape} when it
     * is null) gives a model of that shape with a latent size {@code >= 1}, a non-empty configuration that two
     * creations agree on, and a recommended training; and its graphs pass {@link #assertModelGraphs}.
     *
     * @param options      the options to give, as with {@code -O name=value}
     * @param datasetShape the shape of the dataset's images, used when the architecture prefers none; may be
     *                     null when it always prefers one
     * @return the model
     */
    public static LatentModel assertArchitecture(Architecture architecture, Map<String, String> options,
                                                 ImageShape datasetShape) {
        String id = architecture.id();
        assertOptions(id, architecture.options());
        PluginOptions resolved = call(id + " refuses the options " + options,
                () -> PluginOptions.of(id, architecture.options(), options));
        ImageShape preferred = call(id + ": preferredImageShape failed", () -> architecture.preferredImageShape(resolved));
        ImageShape shape = preferred != null ? preferred : datasetShape;
        if (shape == null) {
            fail(id + " prefers no image shape for " + options + "; pass the shape of a dataset to check it with");
        }
        LatentModel model = call(id + ": create(" + resolved + ", " + shape + ") failed",
                () -> architecture.create(resolved, shape));
        if (model == null) {
            fail(id + ": create returned null");
        }
        if (!shape.equals(model.imageShape())) {
            fail(id + ": create(options, " + shape + ") returned a model of shape " + model.imageShape()
                    + "; the model must read and write the shape it was created for");
        }
        if (model.latentSize() < 1) {
            fail(id + ": latentSize() is " + model.latentSize() + "; it must be at least 1");
        }
        SortedMap<String, String> configuration = model.configuration();
        if (configuration == null || configuration.isEmpty()) {
            fail(id + ": configuration() is empty; it must name everything that determines the graphs (it keys the"
                    + " artifact cache)");
        }
        SortedMap<String, String> again = architecture.create(resolved, shape).configuration();
        if (!configuration.equals(again)) {
            fail(id + ": two models of the same options and shape have different configurations, " + configuration
                    + " and " + again + "; it must depend on them only (it keys the artifact cache)");
        }
        if (call(id + ": recommendedTraining() failed", model::recommendedTraining) == null) {
            fail(id + ": recommendedTraining() returned null; return RecommendedTraining.NONE for none");
        }
        assertModelGraphs(id, model);
        return model;
    }

    /**
     * Builds the graphs the toolkit builds from a model and checks them:
     * <ul>
     * <li>training ({@link Phase#TRAINING}): {@code encode(x [N, C, H, W])} gives {@code mu} and {@code logvar}
     *     {@code [N, latent]}, {@code decode(z [N, latent])} gives {@code [N, C, H, W]} before and after its
     *     activation, all float; and a VAE loss over them (squared error plus KL, through
     *     {@code z = mu + exp(logvar / 2) eps}) reaches every trainable parameter through operations that have a
     *     gradient (see the class comment of the walk: the compiler refuses a parameter that does not);</li>
     * <li>inference ({@link Phase#INFERENCE}): the same shapes, and the same parameters (names, shapes, trainable
     *     or frozen) as training;</li>
     * <li>the decoder alone ({@code decoder.onnx}) and the encoder alone ({@code encoder.onnx}): together exactly
     *     the training graph's parameters; the decoder draws no random numbers.</li>
     * </ul>
     *
     * @param owner the architecture id, for messages
     */
    public static void assertModelGraphs(String owner, LatentModel model) {
        ImageShape s = model.imageShape();
        int latent = model.latentSize();
        Graph training = new Graph(Phase.TRAINING);
        Value loss = build(owner, "training", () -> {
            Value x = training.input("x", Shape.BATCH, s.channels(), s.height(), s.width());
            Encoding e = checkEncoding(owner, "training", model.encode(training, x), latent);
            Value z = e.mu().add(e.logvar().mul(0.5f).exp().mul(training.randomNormalLike(e.mu())));
            Decoding d = checkDecoding(owner, "training", model.decode(training, z), s);
            Value diff = d.output().sub(x);
            Value recon = diff.mul(diff).sum(1, 2, 3).mean(0);
            Value kl = e.mu().mul(e.mu()).add(e.logvar().exp()).sub(e.logvar()).add(-1f).sum(1).mean(0).mul(0.5f);
            return recon.add(kl);
        });
        List<Value> unreached = GradientReach.unreached(training, loss);
        if (!unreached.isEmpty()) {
            fail(owner + ": trainable parameter" + (unreached.size() == 1 ? " " : "s ") + names(unreached)
                    + (unreached.size() == 1 ? " does" : " do") + " not reach the loss through operations with a"
                    + " gradient; use them in encode/decode, declare them with frozenParameter, or remove them");
        }

        Graph inference = new Graph(Phase.INFERENCE);
        build(owner, "inference", () -> {
            Value x = inference.input("x", Shape.BATCH, s.channels(), s.height(), s.width());
            checkEncoding(owner, "inference", model.encode(inference, x), latent);
            return checkDecoding(owner, "inference", model.decode(inference, inference.input("z", Shape.BATCH, latent)),
                    s).output();
        });
        Map<String, String> trainingParameters = parameters(training);
        if (!trainingParameters.equals(parameters(inference))) {
            fail(owner + ": the training and inference graphs declare different parameters, "
                    + differences(trainingParameters, parameters(inference)) + "; parameter names and shapes may"
                    + " depend on the configuration, never on the phase");
        }

        Graph decoder = new Graph(Phase.INFERENCE);
        build(owner, "decoder", () -> checkDecoding(owner, "decoder",
                model.decode(decoder, decoder.input("z", Shape.BATCH, latent)), s).output());
        for (Node n : decoder.nodes()) {
            if (n.op() == Op.RANDOM_NORMAL_LIKE) {
                fail(owner + ": decode draws random numbers (" + n + "); decoder.onnx must be deterministic, so draw"
                        + " noise in the objective, not in the decoder");
            }
        }
        Graph encoder = new Graph(Phase.INFERENCE);
        build(owner, "encoder", () -> checkEncoding(owner, "encoder", model.encode(encoder,
                encoder.input("x", Shape.BATCH, s.channels(), s.height(), s.width())), latent).mu());
        Map<String, String> separate = new LinkedHashMap<>(parameters(encoder));
        separate.putAll(parameters(decoder));
        if (!trainingParameters.equals(separate)) {
            fail(owner + ": encode and decode on graphs of their own declare other parameters than on one graph, "
                    + differences(trainingParameters, separate) + "; each must declare the parameters it uses, under"
                    + " fixed names");
        }
    }

    /**
     * Checks a model that can be conditioned on a class ({@code train --conditional}), as the toolkit builds it:
     * {@link LatentModel#conditionable()} is true; the training graph with a {@code label [N]} input, its one-hot
     * vector ({@link org.onnxtoolkit.api.nn.Layers#oneHot}) given to {@code encode(g, x, condition)} and
     * {@code decode(g, z, condition)}, has the shapes of {@link #assertModelGraphs} and a VAE loss that reaches
     * every trainable parameter; and both the encoder's outputs and the decoder's output depend on the condition
     * (a model that accepted the condition and ignored it would train as an unconditional one).
     *
     * @param owner   the architecture id, for messages
     * @param classes the number of classes to check with, {@code >= 1}
     */
    public static void assertConditionalModelGraphs(String owner, LatentModel model, int classes) {
        if (!model.conditionable()) {
            fail(owner + ": conditionable() is false; a model that takes a class must say so");
        }
        ImageShape s = model.imageShape();
        int latent = model.latentSize();
        Graph training = new Graph(Phase.TRAINING);
        Value[] seen = new Value[3];
        Value loss = build(owner, "conditional training", () -> {
            Value x = training.input("x", Shape.BATCH, s.channels(), s.height(), s.width());
            Value label = training.input("label", DataType.INT64, Shape.BATCH);
            Value condition = org.onnxtoolkit.api.nn.Layers.oneHot(training, label, classes);
            Encoding e = checkEncoding(owner, "conditional training", model.encode(training, x, condition), latent);
            Value z = e.mu().add(e.logvar().mul(0.5f).exp().mul(training.randomNormalLike(e.mu())));
            Decoding d = checkDecoding(owner, "conditional training", model.decode(training, z, condition), s);
            seen[0] = condition;
            seen[1] = e.mu();
            seen[2] = d.output();
            Value diff = d.output().sub(x);
            Value recon = diff.mul(diff).sum(1, 2, 3).mean(0);
            Value kl = e.mu().mul(e.mu()).add(e.logvar().exp()).sub(e.logvar()).add(-1f).sum(1).mean(0).mul(0.5f);
            return recon.add(kl);
        });
        List<Value> unreached = GradientReach.unreached(training, loss);
        if (!unreached.isEmpty()) {
            fail(owner + ": conditioned on a class, trainable parameter" + (unreached.size() == 1 ? " " : "s ")
                    + names(unreached) + (unreached.size() == 1 ? " does" : " do") + " not reach the loss");
        }
        if (!dependsOn(seen[1], seen[0])) {
            fail(owner + ": encode(g, x, condition) does not use the condition");
        }
        if (!dependsOn(seen[2], seen[0])) {
            fail(owner + ": decode(g, z, condition) does not use the condition");
        }
    }

    /** Whether {@code value} is computed from {@code source}, through any input of any node. */
    private static boolean dependsOn(Value value, Value source) {
        Set<Value> visited = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Value> todo = new java.util.ArrayDeque<>(List.of(value));
        while (!todo.isEmpty()) {
            Value v = todo.poll();
            if (v == source) {
                return true;
            }
            if (visited.add(v) && v.producer() != null) {
                todo.addAll(v.producer().inputs());
            }
        }
        return false;
    }

    /**
     * Builds an objective on a model as {@code toolkit train} does, for training and for evaluation, and checks
     * that it calls {@code encode} and {@code decode} once each, that its four terms are float scalars (rank 0),
     * and that its loss reaches every trainable parameter through operations that have a gradient.
     *
     * @param model a model the objective suits (for example one made by {@link #assertArchitecture})
     * @return the training graph's terms
     */
    public static ObjectiveTerms assertObjective(Objective objective, LatentModel model) {
        String id = objective.id();
        assertOptions(id, objective.options());
        PluginOptions options = PluginOptions.of(id, objective.options(), Map.of());
        ObjectiveTerms trainingTerms = null;
        for (Phase phase : Phase.values()) {
            Graph g = new Graph(phase);
            CountingModel counting = new CountingModel(model);
            ImageShape s = model.imageShape();
            String what = phase.name().toLowerCase(java.util.Locale.ROOT);
            ObjectiveTerms terms = call(id + ": build on the " + what + " graph failed", () -> objective.build(g, counting,
                    g.input("x", Shape.BATCH, s.channels(), s.height(), s.width()), g.input("kl_weight"), options));
            if (terms == null) {
                fail(id + ": build returned null");
            }
            if (counting.encodes != 1 || counting.decodes != 1) {
                fail(id + ": build called encode " + counting.encodes + " and decode " + counting.decodes
                        + " times; it must call each once");
            }
            Map<String, Value> named = new LinkedHashMap<>();
            named.put("loss", terms.loss());
            named.put("reconstruction", terms.reconstruction());
            named.put("kl", terms.kl());
            named.put("negativeElbo", terms.negativeElbo());
            named.forEach((term, v) -> {
                if (v == null || v.type() != DataType.FLOAT || v.rank() != 0) {
                    fail(id + ": term " + term + " must be a float scalar (rank 0, averaged over the batch), got " + v);
                }
            });
            if (phase == Phase.TRAINING) {
                List<Value> unreached = GradientReach.unreached(g, terms.loss());
                if (!unreached.isEmpty()) {
                    fail(id + ": the loss does not reach the trainable parameter" + (unreached.size() == 1 ? " " : "s ")
                            + names(unreached) + " through operations with a gradient; the loss must depend on the"
                            + " model's encode and decode outputs");
                }
                trainingTerms = terms;
            }
        }
        return trainingTerms;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Datasets

    /**
     * Opens a dataset twice with {@code request} (which must succeed: keep it small, for example a few hundred
     * images, with fixture files in a temporary folder) and checks:
     * <ul>
     * <li>its options are well-formed, and an undeclared option is refused ({@link IllegalArgumentException} or
     *     {@link DatasetException}) with one line that names it and the declared ones;</li>
     * <li>both opens give the same fingerprint (one line, not blank), sizes, classes, pixels and labels;</li>
     * <li>each split holds at least one image, of the requested shape ({@link DatasetOptions#shape()}), else of
     *     {@link Dataset#nativeShape()} when there is one;</li>
     * <li>{@code copyImage} writes exactly {@code shape().size()} bytes at the offset, and refuses indices outside
     *     {@code [0, size())} with an {@link IndexOutOfBoundsException};</li>
     * <li>labels are in {@code [0, classes)} when the splits have classes (distinct, not blank), -1 otherwise;</li>
     * <li>notes are one line each, and concurrent reads give the same pixels as sequential ones.</li>
     * </ul>
     *
     * @return the splits of the first open
     */
    public static DatasetSplits assertDataset(Dataset dataset, DatasetOptions request) {
        String owner = "dataset " + dataset.id();
        assertOptions(owner, dataset.options());
        assertUndeclaredOptionRefused(dataset, request);
        DatasetSplits first = open(dataset, request);
        DatasetSplits second = open(dataset, request);
        if (first.fingerprint() == null || first.fingerprint().isBlank() || first.fingerprint().contains("\n")) {
            fail(owner + ": the fingerprint must be one line identifying the data, got '" + first.fingerprint() + "'");
        }
        if (!first.fingerprint().equals(second.fingerprint())) {
            fail(owner + ": two opens with the same request gave the fingerprints " + first.fingerprint() + " and "
                    + second.fingerprint() + "; it must depend on the data and the request only");
        }
        if (!first.classes().equals(second.classes())) {
            fail(owner + ": two opens with the same request gave the classes " + first.classes() + " and "
                    + second.classes());
        }
        if (new HashSet<>(first.classes()).size() != first.classes().size()
                || first.classes().stream().anyMatch(c -> c == null || c.isBlank())) {
            fail(owner + ": class names must be distinct and not blank, got " + first.classes());
        }
        for (String note : first.notes()) {
            if (note == null || note.isBlank() || note.contains("\n")) {
                fail(owner + ": each note must be one line, got '" + note + "'");
            }
        }
        ImageShape expected = request.shape() != null ? request.shape() : dataset.nativeShape();
        checkSplit(owner, "train", first.train(), second.train(), expected, first.classes().size());
        checkSplit(owner, "test", first.test(), second.test(), expected, first.classes().size());
        return first;
    }

    private static void assertUndeclaredOptionRefused(Dataset dataset, DatasetOptions request) {
        String owner = "dataset " + dataset.id();
        Map<String, String> options = new HashMap<>(request.options());
        options.put(UNDECLARED_OPTION, "1");
        DatasetOptions bad = new DatasetOptions(request.dataDir(), request.shape(), request.seed(), options,
                request.progress());
        String message;
        try {
            dataset.open(bad);
            throw fail(owner + " accepted the undeclared option " + UNDECLARED_OPTION + "; read the options with"
                    + " options.optionsFor(this), which refuses options that options() does not declare");
        } catch (IllegalArgumentException e) {
            message = e.getMessage();
        } catch (DatasetException e) {
            if (e.cause() != DatasetException.Cause.USAGE) {
                fail(owner + " refused an undeclared option as bad data (DatasetException.badData); it is a usage"
                        + " error: " + e.getMessage());
            }
            message = e.getMessage();
        }
        if (message == null || !message.contains(UNDECLARED_OPTION) || message.contains("\n")) {
            fail(owner + " refused the undeclared option " + UNDECLARED_OPTION + " without naming it in one line: "
                    + message);
        }
        for (OptionSpec o : dataset.options()) {
            if (!message.contains(o.name())) {
                fail(owner + " refused an undeclared option without naming the declared option " + o.name() + ": "
                        + message);
            }
        }
    }

    private static DatasetSplits open(Dataset dataset, DatasetOptions request) {
        try {
            DatasetSplits splits = dataset.open(request);
            if (splits == null) {
                fail("dataset " + dataset.id() + ": open returned null");
            }
            return splits;
        } catch (DatasetException | RuntimeException e) {
            throw fail("dataset " + dataset.id() + " cannot open the request given to the check (" + e + "); give one"
                    + " it can open", e);
        }
    }

    private static void checkSplit(String owner, String name, ImageSplit split, ImageSplit again, ImageShape expected,
                                   int classes) {
        String what = owner + ": the " + name + " split";
        ImageShape shape = split.shape();
        if (expected != null && !expected.equals(shape)) {
            fail(what + " holds " + shape + " images, but " + expected + " were asked for (or are the native shape);"
                    + " give that shape or throw DatasetException");
        }
        if (split.size() < 1) {
            fail(what + " has " + split.size() + " images; a split holds at least one");
        }
        if (split.size() != again.size() || !shape.equals(again.shape())) {
            fail(what + " has " + split.size() + " images of " + shape + " in one open and " + again.size() + " of "
                    + again.shape() + " in another with the same request");
        }
        int bytes = shape.size();
        byte[][] reference = new byte[split.size()][];
        for (int i = 0; i < split.size(); i++) {
            reference[i] = image(split, i);
            if (!Arrays.equals(reference[i], image(again, i))) {
                fail(what + ": image " + i + " differs between two opens with the same request (seed "
                        + "and options); the pixels must depend on them only");
            }
            int label = split.label(i);
            if (label != again.label(i)) {
                fail(what + ": image " + i + " has label " + label + " in one open and " + again.label(i) + " in another");
            }
            if (classes == 0 ? label != -1 : label < 0 || label >= classes) {
                fail(what + ": image " + i + " has label " + label + ", but " + (classes == 0
                        ? "the dataset has no classes, so every label must be -1"
                        : "labels index the " + classes + " classes, 0 to " + (classes - 1)));
            }
        }
        for (int index : new int[] {0, split.size() - 1}) {
            byte[] target = new byte[bytes + 10];
            Arrays.fill(target, (byte) 0x5A);
            split.copyImage(index, target, 3);
            for (int i = 0; i < target.length; i++) {
                if ((i < 3 || i >= 3 + bytes) && target[i] != 0x5A) {
                    fail(what + ": copyImage(" + index + ", target, 3) wrote target[" + i + "], outside target[3 .. "
                            + (3 + bytes) + ")");
                }
            }
            if (!Arrays.equals(Arrays.copyOfRange(target, 3, 3 + bytes), reference[index])) {
                fail(what + ": copyImage(" + index + ", target, 3) copied other bytes than copyImage(" + index
                        + ", target, 0)");
            }
        }
        for (int index : new int[] {-1, split.size()}) {
            try {
                split.copyImage(index, new byte[bytes], 0);
                fail(what + ": copyImage(" + index + ") on " + split.size() + " images did not throw"
                        + " IndexOutOfBoundsException");
            } catch (IndexOutOfBoundsException expectedFailure) {
                // as the contract says
            }
        }
        checkConcurrentReads(what, split, reference);
    }

    /** {@link #READERS} threads read every image, each in another order; all must see the sequential bytes. */
    private static void checkConcurrentReads(String what, ImageSplit split, byte[][] reference) {
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try {
            List<Future<String>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                int start = r * split.size() / READERS;
                readers.add(pool.submit(() -> {
                    for (int k = 0; k < split.size(); k++) {
                        int i = (start + k) % split.size();
                        if (!Arrays.equals(reference[i], image(split, i))) {
                            return "image " + i;
                        }
                    }
                    return null;
                }));
            }
            for (Future<String> reader : readers) {
                String differs = reader.get();
                if (differs != null) {
                    fail(what + ": " + differs + " read concurrently differs from the same image read alone; splits"
                            + " must be safe for concurrent reads");
                }
            }
        } catch (ExecutionException e) {
            throw fail(what + ": a concurrent read threw " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(what + ": interrupted while reading concurrently", e);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    private static byte[] image(ImageSplit split, int index) {
        byte[] b = new byte[split.shape().size()];
        split.copyImage(index, b, 0);
        return b;
    }

    private static Encoding checkEncoding(String owner, String graph, Encoding e, int latent) {
        if (e == null || e.mu() == null || e.logvar() == null) {
            fail(owner + ": encode returned no " + (e == null ? "encoding" : "mu or logvar") + " (" + graph + " graph)");
        }
        Shape expected = Shape.of(Shape.BATCH, latent);
        for (Value v : List.of(e.mu(), e.logvar())) {
            if (!expected.equals(v.shape()) || v.type() != DataType.FLOAT) {
                fail(owner + ": encode must give float mu and logvar of shape " + expected + ", got " + v + " ("
                        + graph + " graph)");
            }
        }
        return e;
    }

    private static Decoding checkDecoding(String owner, String graph, Decoding d, ImageShape s) {
        if (d == null || d.output() == null || d.preActivation() == null || d.activation() == null) {
            fail(owner + ": decode must give its output, pre-activation and activation (" + graph + " graph)");
        }
        Shape expected = Shape.of(Shape.BATCH, s.channels(), s.height(), s.width());
        for (Value v : List.of(d.preActivation(), d.output())) {
            if (!expected.equals(v.shape()) || v.type() != DataType.FLOAT) {
                fail(owner + ": decode must give float images of shape " + expected + ", got " + v + " (" + graph
                        + " graph)");
            }
        }
        return d;
    }

    /** Name to {@code shape} plus {@code (frozen)} for frozen ones, in declaration order. */
    private static Map<String, String> parameters(Graph g) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Value p : g.parameters()) {
            out.put(p.name(), p.shape() + (p.trainable() ? "" : " (frozen)"));
        }
        return out;
    }

    /** What one parameter map has that the other lacks or has otherwise, for a one-line message. */
    private static String differences(Map<String, String> a, Map<String, String> b) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : a.entrySet()) {
            String other = b.get(e.getKey());
            if (other == null) {
                parts.add(e.getKey() + " only in the first");
            } else if (!other.equals(e.getValue())) {
                parts.add(e.getKey() + " " + e.getValue() + " vs " + other);
            }
        }
        for (String name : b.keySet()) {
            if (!a.containsKey(name)) {
                parts.add(name + " only in the second");
            }
        }
        return parts.isEmpty() ? "in another order" : String.join(", ", parts);
    }

    private static String names(List<Value> values) {
        return String.join(", ", values.stream().map(v -> "'" + v.name() + "'").toList());
    }

    private static List<String> kinds(Class<?> type) {
        List<String> kinds = new ArrayList<>();
        if (Dataset.class.isAssignableFrom(type)) {
            kinds.add("dataset");
        }
        if (Architecture.class.isAssignableFrom(type)) {
            kinds.add("architecture");
        }
        if (Objective.class.isAssignableFrom(type)) {
            kinds.add("objective");
        }
        return kinds;
    }

    /** The class's bean-defining annotation (one of CDI's, a normal scope or a stereotype), or null. */
    private static Annotation beanDefining(Class<?> type) {
        for (Annotation a : type.getAnnotations()) {
            Class<? extends Annotation> t = a.annotationType();
            if (BEAN_DEFINING.contains(t.getName()) || hasAnnotationNamed(t, NORMAL_SCOPE)
                    || hasAnnotationNamed(t, STEREOTYPE)) {
                return a;
            }
        }
        return null;
    }

    /** A normal scope, or a stereotype that declares one: the bean is then reached through a client proxy. */
    private static boolean isNormalScope(Class<? extends Annotation> type) {
        if (hasAnnotationNamed(type, NORMAL_SCOPE)) {
            return true;
        }
        if (hasAnnotationNamed(type, STEREOTYPE)) {
            for (Annotation a : type.getAnnotations()) {
                if (hasAnnotationNamed(a.annotationType(), NORMAL_SCOPE)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasAnnotationNamed(Class<? extends Annotation> type, String name) {
        for (Annotation a : type.getAnnotations()) {
            if (a.annotationType().getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Code under check that may throw: what it throws fails the check with {@code what} and its message. */
    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T call(String what, Step<T> step) {
        try {
            return step.run();
        } catch (Exception e) {
            throw fail(what + ": " + e, e);
        }
    }

    private static Value build(String owner, String graph, Step<Value> step) {
        return call(owner + ": building the " + graph + " graph failed", step);
    }

    private static AssertionError fail(String message) {
        return fail(message, null);
    }

    /**
     * Fails with {@code message} on one line: line breaks in what plugin code returned or threw are shown as
     * a backslash and n.
     */
    private static AssertionError fail(String message, Throwable cause) {
        String line = Objects.requireNonNull(message).replace("\r", "\\r").replace("\n", "\\n");
        org.junit.jupiter.api.Assertions.fail(line, cause);
        throw new AssertionError(line);
    }
}
