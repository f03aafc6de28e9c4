package com.example.toolkitplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.Plugin;
import org.onnxtoolkit.api.spi.PluginId;

/** What the toolkit's CDI container needs from the plugin classes of this jar. */
class PluginConformanceTest {
    private static final List<Class<? extends Plugin>> PLUGINS =
            List.of(PgmFolderDataset.class, PixelShuffleVaeArchitecture.class);

    @Test
    void idsAreValidAndDescribed() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (Class<? extends Plugin> type : PLUGINS) {
            // The toolkit lists and finds plugins by this annotation, without constructing them.
            PluginId declared = type.getAnnotation(PluginId.class);
            assertNotNull(declared, type + " lacks @PluginId");
            Plugin plugin = type.getConstructor().newInstance();
            assertEquals(declared.value(), plugin.id(), type.getName());
            assertTrue(Plugin.isValidId(plugin.id()), plugin.id());
            assertFalse(plugin.description().isBlank(), type.getName());
            ids.add(plugin.id());
        }
        assertEquals(List.of("pgm-folder", "pixelshuffle-vae"), ids);
    }

    @Test
    void pluginsAreApplicationScopedAndProxyable() {
        for (Class<?> type : PLUGINS) {
            assertNotNull(type.getAnnotation(ApplicationScoped.class), type + " lacks @ApplicationScoped");
            // A normal-scoped bean is reached through a client proxy, a subclass overriding every public method.
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
        try (InputStream in = PgmFolderDataset.class.getResourceAsStream("/META-INF/beans.xml")) {
            assertNotNull(in, "META-INF/beans.xml is missing");
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("bean-discovery-mode=\"annotated\""), xml);
        }
    }
}
