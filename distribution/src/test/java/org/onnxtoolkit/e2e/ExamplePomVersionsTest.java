package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The example plugin ({@code examples/pgm-pixelshuffle-plugin}) is built on its own, so its pom names its versions
 * itself. They must follow the toolkit's parent pom: the CDI API a plugin compiles against is the one the toolkit
 * runs plugins with (Weld's), and its JUnit and build plugin versions are the toolkit's, so that a machine that built
 * the toolkit has them ({@code ExamplePluginIT} builds the example with the outer build's local repository).
 */
class ExamplePomVersionsTest {
    private static final Path REPO = Path.of("..");

    private static Document read(Path pom) throws Exception {
        if (!Files.isRegularFile(pom)) {
            throw new AssertionError(pom.toAbsolutePath() + " is missing; run this test from the distribution module");
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        return factory.newDocumentBuilder().parse(pom.toFile());
    }

    /** The text of the project's {@code <properties>}. */
    private static Map<String, String> properties(Document pom) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Element properties : children(pom.getDocumentElement(), "properties")) {
            NodeList nodes = properties.getChildNodes();
            for (int i = 0; i < nodes.getLength(); i++) {
                if (nodes.item(i) instanceof Element property) {
                    values.put(property.getTagName(), property.getTextContent().strip());
                }
            }
        }
        return values;
    }

    /** artifactId to version of the plugins in {@code <build><pluginManagement>} that name a version. */
    private static Map<String, String> managedPlugins(Document pom) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (Element build : children(pom.getDocumentElement(), "build")) {
            for (Element management : children(build, "pluginManagement")) {
                for (Element plugins : children(management, "plugins")) {
                    for (Element plugin : children(plugins, "plugin")) {
                        String artifact = text(plugin, "artifactId");
                        String version = text(plugin, "version");
                        if (artifact != null && version != null) {
                            versions.put(artifact, version);
                        }
                    }
                }
            }
        }
        return versions;
    }

    private static Iterable<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && element.getTagName().equals(tag)) {
                found.add(element);
            }
        }
        return found;
    }

    private static String text(Element parent, String tag) {
        for (Element child : children(parent, tag)) {
            return child.getTextContent().strip();
        }
        return null;
    }

    /** {@code ${name}} resolved against {@code properties}; any other text as it is. */
    private static String resolve(String value, Map<String, String> properties) {
        if (value.startsWith("${") && value.endsWith("}")) {
            String resolved = properties.get(value.substring(2, value.length() - 1));
            assertNotNull(resolved, "property " + value + " of the parent pom");
            return resolved;
        }
        return value;
    }

    @Test
    void theExampleFollowsTheToolkitsCdiJunitAndPluginVersions() throws Exception {
        Document parent = read(REPO.resolve("pom.xml"));
        Document example = read(REPO.resolve("examples/pgm-pixelshuffle-plugin/pom.xml"));
        Map<String, String> parentProperties = properties(parent);
        Map<String, String> exampleProperties = properties(example);

        assertEquals(parentProperties.get("cdi-api.version"), exampleProperties.get("cdi-api.version"),
                "the CDI API the example compiles against is the one the toolkit runs plugins with");
        assertEquals(parentProperties.get("junit.version"), exampleProperties.get("junit.version"), "JUnit");
        assertEquals(parentProperties.get("maven.compiler.release"), exampleProperties.get("maven.compiler.release"),
                "Java release");

        Map<String, String> parentPlugins = managedPlugins(parent);
        Map<String, String> examplePlugins = managedPlugins(example);
        assertFalse(examplePlugins.isEmpty(), "the example pins its build plugins");
        for (Map.Entry<String, String> plugin : examplePlugins.entrySet()) {
            String toolkit = parentPlugins.get(plugin.getKey());
            assertNotNull(toolkit, plugin.getKey() + " is pinned by the example but not by the toolkit's parent pom");
            assertEquals(resolve(toolkit, parentProperties), plugin.getValue(), plugin.getKey() + " version");
        }
    }
}
