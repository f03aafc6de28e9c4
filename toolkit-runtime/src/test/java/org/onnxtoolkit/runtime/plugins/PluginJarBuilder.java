package org.onnxtoolkit.runtime.plugins;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.onnxtoolkit.api.spi.Plugin;

/**
 * Builds real plugin jars for tests: compiles Java sources with the system compiler against toolkit-api and
 * the CDI API, and packages the classes with {@code META-INF/beans.xml} and a manifest.
 */
final class PluginJarBuilder {
    static final String BEANS_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <beans xmlns="https://jakarta.ee/xml/ns/jakartaee"
                   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                   xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/beans_4_0.xsd"
                   version="4.0" bean-discovery-mode="annotated">
            </beans>
            """;

    private final Path scratch;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Set<String> omitted = new HashSet<>();
    private String version;
    private boolean beansXml = true;

    /** @param scratch a directory for sources and classes; each builder uses its own subdirectory */
    PluginJarBuilder(Path scratch) {
        this.scratch = scratch;
    }

    /** Adds a compilation unit; {@code className} is the binary name of its top-level class. */
    PluginJarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Compiles the class but leaves it out of the jar, so that classes using it cannot link. */
    PluginJarBuilder omit(String className) {
        omitted.add(className);
        return this;
    }

    /** The manifest's {@code Implementation-Version}; none when not called. */
    PluginJarBuilder version(String implementationVersion) {
        this.version = implementationVersion;
        return this;
    }

    PluginJarBuilder withoutBeansXml() {
        this.beansXml = false;
        return this;
    }

    /** Compiles and writes the jar to {@code jar}, creating its directory. */
    Path writeTo(Path jar) throws IOException {
        Path work = Files.createTempDirectory(scratch, "build-");
        Path sourceDir = work.resolve("src");
        Path classDir = Files.createDirectories(work.resolve("classes"));
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = sourceDir.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            files.add(file.toString());
        }
        if (!files.isEmpty()) {
            compile(files, classDir);
        }

        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (version != null) {
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        }
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            if (beansXml) {
                jarOut.putNextEntry(new JarEntry("META-INF/beans.xml"));
                jarOut.write(BEANS_XML.getBytes(StandardCharsets.UTF_8));
                jarOut.closeEntry();
            }
            List<Path> classFiles;
            try (Stream<Path> walk = Files.walk(classDir)) {
                classFiles = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path classFile : classFiles) {
                String entry = classDir.relativize(classFile).toString().replace('\\', '/');
                String className = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
                if (omitted.contains(className)) {
                    continue;
                }
                jarOut.putNextEntry(new JarEntry(entry));
                jarOut.write(Files.readAllBytes(classFile));
                jarOut.closeEntry();
            }
        }
        return jar;
    }

    private static void compile(List<String> files, Path classDir) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK");
        }
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", classDir.toString(),
                "-classpath", compileClassPath()));
        args.addAll(files);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = compiler.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        if (status != 0) {
            throw new AssertionError("test plugin sources do not compile:\n"
                    + diagnostics.toString(StandardCharsets.UTF_8));
        }
    }

    /** toolkit-api and the CDI, inject and annotation APIs, found where this JVM loaded them from. */
    private static String compileClassPath() {
        List<String> entries = new ArrayList<>();
        for (Class<?> anchor : List.of(Plugin.class, ApplicationScoped.class, Inject.class, PreDestroy.class)) {
            try {
                entries.add(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** An {@code @ApplicationScoped} dataset in its own package, with the given id. */
    static String dataset(String className, String id) {
        return plugin(className, "jakarta.enterprise.context.ApplicationScoped", "Dataset", id, "", """
                    public org.onnxtoolkit.api.spi.ImageShape nativeShape() { return null; }
                    public org.onnxtoolkit.api.spi.DatasetSplits open(org.onnxtoolkit.api.spi.DatasetOptions o) {
                        return null;
                    }
                """);
    }

    /** An {@code @ApplicationScoped} architecture with the given id. */
    static String architecture(String className, String id) {
        return plugin(className, "jakarta.enterprise.context.ApplicationScoped", "Architecture", id, "", """
                    public java.util.List<org.onnxtoolkit.api.spi.OptionSpec> options() { return java.util.List.of(); }
                    public org.onnxtoolkit.api.spi.LatentModel create(org.onnxtoolkit.api.spi.PluginOptions o,
                            org.onnxtoolkit.api.spi.ImageShape s) {
                        return null;
                    }
                """);
    }

    /** A {@code @Dependent} objective with the given id. */
    static String objective(String className, String id) {
        return plugin(className, "jakarta.enterprise.context.Dependent", "Objective", id, "", """
                    public java.util.List<org.onnxtoolkit.api.spi.OptionSpec> options() { return java.util.List.of(); }
                    public org.onnxtoolkit.api.spi.ObjectiveTerms build(org.onnxtoolkit.api.graph.Graph g,
                            org.onnxtoolkit.api.spi.LatentModel m, org.onnxtoolkit.api.graph.Value x,
                            org.onnxtoolkit.api.graph.Value klWeight, org.onnxtoolkit.api.spi.PluginOptions o) {
                        return null;
                    }
                """);
    }

    /** An {@code @ApplicationScoped} dataset with extra members (a constructor, fields, ...) inserted. */
    static String datasetWith(String className, String id, String members) {
        return plugin(className, "jakarta.enterprise.context.ApplicationScoped", "Dataset", id, members, """
                    public org.onnxtoolkit.api.spi.ImageShape nativeShape() { return null; }
                    public org.onnxtoolkit.api.spi.DatasetSplits open(org.onnxtoolkit.api.spi.DatasetOptions o) {
                        return null;
                    }
                """);
    }

    /**
     * An {@code @ApplicationScoped} dataset whose body is exactly {@code body}, which implements
     * {@code nativeShape()} and {@code open(...)} itself.
     */
    static String datasetOf(String className, String id, String body) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;

                @org.onnxtoolkit.api.spi.PluginId("%s")
                @jakarta.enterprise.context.ApplicationScoped
                public class %s implements org.onnxtoolkit.api.spi.Dataset {
                %s
                }
                """.formatted(className.substring(0, dot), id, className.substring(dot + 1), body);
    }

    private static String plugin(String className, String scope, String spi, String id, String members,
            String methods) {
        int dot = className.lastIndexOf('.');
        String simpleName = className.substring(dot + 1);
        return """
                package %s;

                @org.onnxtoolkit.api.spi.PluginId("%s")
                @%s
                public class %s implements org.onnxtoolkit.api.spi.%s {
                %s
                    @Override public String description() { return "test %s %s"; }
                %s
                }
                """.formatted(className.substring(0, dot), id, scope, simpleName, spi, members, spi.toLowerCase(),
                id, methods);
    }
}
