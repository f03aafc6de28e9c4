package org.onnxtoolkit.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles a plugin class from source against the test class path and packages it as a plugin jar. */
final class PluginJars {
    private PluginJars() {
    }

    static void write(Path jar, String className, String source) throws IOException {
        write(jar, className, source, true, Set.of());
    }

    /**
     * As {@link #write(Path, String, String)}, optionally without {@code META-INF/beans.xml} and without some
     * of the compiled classes (binary names), to make broken plugin jars.
     */
    static void write(Path jar, String className, String source, boolean beansXml, Set<String> omittedClasses)
            throws IOException {
        Path src = Files.createTempDirectory("plugin-src");
        Path classes = Files.createTempDirectory("plugin-classes");
        Path file = src.resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                file.toString());
        if (rc != 0) {
            throw new IOException("plugin source did not compile");
        }
        Files.createDirectories(jar.getParent());
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "9.9.9");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            if (beansXml) {
                j.putNextEntry(new JarEntry("META-INF/beans.xml"));
                j.write(("<beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"4.0\" "
                        + "bean-discovery-mode=\"annotated\"/>").getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
            for (Path c : Files.walk(classes).filter(Files::isRegularFile).toList()) {
                String entry = classes.relativize(c).toString().replace('\\', '/');
                if (omittedClasses.contains(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'))) {
                    continue;
                }
                j.putNextEntry(new JarEntry(entry));
                j.write(Files.readAllBytes(c));
                j.closeEntry();
            }
        }
    }
}
