package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.images.ImageFixtures;

/**
 * The packaged plugin jar, loaded as the runtime's plugin loader does: one class loader over the jar whose
 * parent offers only the JDK, toolkit-api and the CDI API, and every class in the jar loaded up front.
 */
class ShadedPluginJarIT {
    private static final String OWN_PACKAGE = "org/onnxtoolkit/plugins/datasets/";

    /** The JDK, plus toolkit-api and the CDI annotations from the test's class path; nothing else. */
    private static final class RuntimeLikeParent extends ClassLoader {
        RuntimeLikeParent() {
            super("runtime-like", ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.startsWith("org.onnxtoolkit.api.") || name.startsWith("jakarta.")) {
                return ShadedPluginJarIT.class.getClassLoader().loadClass(name);
            }
            throw new ClassNotFoundException(name);
        }
    }

    private static Path jar() {
        String path = System.getProperty("plugin.jar");
        assertNotNull(path, "system property plugin.jar (set by the failsafe configuration)");
        Path jar = Path.of(path);
        assertTrue(Files.isRegularFile(jar), jar + " is missing");
        return jar;
    }

    private static List<String> classNames(Path jar) throws Exception {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(JarEntry::getName)
                    .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF/"))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        }
    }

    @Test
    void everyClassIsOursOrRelocatedUnderOurPackage() throws Exception {
        try (JarFile file = new JarFile(jar().toFile())) {
            List<String> strays = file.stream().map(JarEntry::getName)
                    .filter(name -> !name.startsWith("META-INF/") && !name.endsWith("/")
                            && !name.startsWith(OWN_PACKAGE))
                    .toList();
            assertEquals(List.of(), strays);
            assertNotNull(file.getEntry("META-INF/beans.xml"));
            assertNotNull(file.getEntry("META-INF/LICENSE.txt"));
            assertNotNull(file.getEntry("META-INF/LICENSE-TwelveMonkeys.txt"));
            // The runtime lists each plugin jar with its title and version (toolkit plugins).
            Attributes manifest = file.getManifest().getMainAttributes();
            assertEquals("toolkit-plugin-datasets", manifest.getValue(Attributes.Name.IMPLEMENTATION_TITLE));
            assertNotNull(manifest.getValue(Attributes.Name.IMPLEMENTATION_VERSION));
        }
    }

    @Test
    void everyClassLoadsWithOnlyTheJdkAndToolkitApiBesideIt() throws Exception {
        Path jar = jar();
        List<String> names = classNames(jar);
        long start = System.nanoTime();
        try (URLClassLoader loader = new URLClassLoader("plugins", new URL[] {jar.toUri().toURL()},
                new RuntimeLikeParent())) {
            for (String name : names) {
                Class.forName(name, false, loader);
            }
            long micros = (System.nanoTime() - start) / 1000;
            System.out.printf("loaded %d classes of %s (%d bytes) in %.1f ms%n", names.size(), jar.getFileName(),
                    Files.size(jar), micros / 1000.0);
        }
        assertTrue(names.stream().anyMatch(name -> name.contains(".shaded.imaging.")), "Commons Imaging is shaded");
        assertTrue(names.stream().anyMatch(name -> name.contains(".shaded.twelvemonkeys.imageio.plugins.jpeg.")),
                "TwelveMonkeys is shaded");
    }

    /**
     * Through the shaded jar, where ImageIO's service lookup cannot see TwelveMonkeys: a progressive JPEG, an
     * extended-sequential one, a YCCK one and an EXIF-turned one decode through the privately registered reader.
     */
    @Test
    void theShadedDecodersOpenAFolder(@TempDir Path root) throws Exception {
        Path images = root.resolve("images");
        ImageFixtures.write(images, "a.jpg", ImageFixtures.jpeg(ImageFixtures.photo(178, 218, 1)));
        ImageFixtures.write(images, "b.png", ImageFixtures.png(ImageFixtures.photo(100, 37, 2)));
        ImageFixtures.write(images, "c.jpg", ImageFixtures.jpeg(ImageFixtures.photo(64, 64, 3)));
        ImageFixtures.write(images, "d-progressive.jpg", ImageFixtures.jpeg(ImageFixtures.photo(64, 48, 4), 0.9f, true));
        ImageFixtures.write(images, "e-sof1.jpg",
                ImageFixtures.withFrameMarker(ImageFixtures.jpeg(ImageFixtures.photo(64, 48, 5)), 0xc1));
        for (String pillow : new String[] {"pil_sample_cmyk.jpg", "hopper_orientation_6.jpg"}) {
            try (var in = ShadedPluginJarIT.class.getResourceAsStream("/pillow/" + pillow)) {
                ImageFixtures.write(images, "f-" + pillow, in.readAllBytes());
            }
        }
        try (URLClassLoader loader = new URLClassLoader("plugins", new URL[] {jar().toUri().toURL()},
                new RuntimeLikeParent())) {
            Class<?> type = Class.forName(ImageFolderDataset.class.getName(), true, loader);
            assertEquals(loader, type.getClassLoader(), "the dataset comes from the jar, not the test class path");
            Dataset dataset = (Dataset) type.getConstructor().newInstance();
            DatasetSplits splits = dataset.open(new DatasetOptions(images, null, 1,
                    Map.of("cache-dir", root.resolve("cache").toString())));
            assertEquals(7, splits.train().size() + splits.test().size());
            assertEquals(List.of(), splits.notes(), "nothing was skipped");
        }
    }
}
