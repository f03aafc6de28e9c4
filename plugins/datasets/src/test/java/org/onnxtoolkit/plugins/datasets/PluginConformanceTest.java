package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.Plugin;
import org.onnxtoolkit.api.spi.PluginId;

/** What the runtime's CDI container needs from each plugin class in this jar. */
class PluginConformanceTest {
    private static final List<Class<? extends Dataset>> PLUGINS =
            List.of(MnistDataset.class, FashionMnistDataset.class, ShapesDataset.class, ImageFolderDataset.class,
                    CelebaDataset.class);

    @Test
    void idsAreValidAndUnique() throws Exception {
        Set<String> ids = new HashSet<>();
        for (Class<? extends Dataset> type : PLUGINS) {
            Dataset dataset = type.getConstructor().newInstance();
            // The runtime lists and finds plugins by the annotation, without constructing them.
            PluginId declared = type.getAnnotation(PluginId.class);
            assertNotNull(declared, type + " lacks @PluginId");
            assertEquals(declared.value(), dataset.id(), type.getName());
            assertTrue(Plugin.isValidId(dataset.id()), dataset.id());
            assertTrue(ids.add(dataset.id()), "duplicate id " + dataset.id());
            assertFalse(dataset.description().isBlank(), type.getName());
        }
        assertEquals(Set.of("mnist", "fashion-mnist", "shapes", "image-folder", "celeba"), ids);
    }

    @Test
    void pluginsAreApplicationScopedAndProxyable() {
        for (Class<?> type : PLUGINS) {
            assertNotNull(type.getAnnotation(ApplicationScoped.class), type + " lacks @ApplicationScoped");
            // A normal-scoped bean is reached through a client proxy: a subclass overriding every public method.
            assertFalse(Modifier.isFinal(type.getModifiers()), type + " is final");
            for (Method method : type.getMethods()) {
                if (method.getDeclaringClass() != Object.class && !Modifier.isStatic(method.getModifiers())) {
                    assertFalse(Modifier.isFinal(method.getModifiers()), method + " is final");
                }
            }
        }
    }

    @Test
    void beansXmlDiscoversAnnotatedBeansOnly() throws Exception {
        try (InputStream in = MnistDataset.class.getResourceAsStream("/META-INF/beans.xml")) {
            assertNotNull(in, "META-INF/beans.xml is missing");
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("bean-discovery-mode=\"annotated\""), xml);
            assertTrue(xml.contains("https://jakarta.ee/xml/ns/jakartaee"), xml);
        }
    }
}
