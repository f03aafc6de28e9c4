package org.onnxtoolkit.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PluginConformance#assertBeansXml} reads the beans.xml of the plugin's own jar or folder. */
class BeansXmlTest {
    private static final String GOOD = """
            <?xml version="1.0" encoding="UTF-8"?>
            <beans xmlns="https://jakarta.ee/xml/ns/jakartaee" version="4.0" bean-discovery-mode="annotated">
            </beans>
            """;

    @TempDir
    Path dir;

    private Path folder(String beansXml) throws IOException {
        Path meta = Files.createDirectories(dir.resolve("classes/META-INF"));
        if (beansXml != null) {
            Files.writeString(meta.resolve("beans.xml"), beansXml);
        }
        return dir.resolve("classes");
    }

    @Test
    void theClassesFolderOfThesePluginsHasOne() {
        PluginConformance.assertBeansXml(TinyDataset.class);
    }

    @Test
    void aGoodFileInAFolderOrAJarPasses() throws IOException {
        PluginConformance.assertBeansXml(folder(GOOD));
        PluginConformance.assertBeansXml(folder("<beans xmlns='https://jakarta.ee/xml/ns/jakartaee'"
                + " bean-discovery-mode='annotated'/>"));
        Path jar = dir.resolve("plugin.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry("META-INF/beans.xml"));
            j.write(GOOD.getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        PluginConformance.assertBeansXml(jar);
    }

    @Test
    void aMissingOrWrongFileIsNamed() throws IOException {
        Path missing = folder(null);
        Failures.message(() -> PluginConformance.assertBeansXml(missing),
                missing + " has no META-INF/beans.xml; add one with bean-discovery-mode=\"annotated\"");
        Path all = folder(GOOD.replace("annotated", "all"));
        Failures.message(() -> PluginConformance.assertBeansXml(all),
                "META-INF/beans.xml has bean-discovery-mode=\"all\"; it must be \"annotated\"");
        Path javaee = folder(GOOD.replace("https://jakarta.ee/xml/ns/jakartaee", "http://xmlns.jcp.org/xml/ns/javaee"));
        Failures.message(() -> PluginConformance.assertBeansXml(javaee),
                "the root of META-INF/beans.xml is <beans> in namespace 'http://xmlns.jcp.org/xml/ns/javaee'; it must be"
                        + " <beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\">");
        Path broken = folder("<beans bean-discovery-mode=\"annotated\">");
        Failures.message(() -> PluginConformance.assertBeansXml(broken), "is not well-formed XML");
        Path doctype = folder("<!DOCTYPE beans [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + GOOD.substring(GOOD.indexOf("<beans")));
        Failures.message(() -> PluginConformance.assertBeansXml(doctype), "is not well-formed XML");
    }
}
