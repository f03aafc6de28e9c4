package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.images.ImageFixtures;
import org.onnxtoolkit.runtime.images.ImageInput;

/**
 * One picture pipeline for training and {@code interpolate}: a picture given to {@code interpolate} (the runtime's
 * {@link ImageInput}) and the same picture in an image folder (the built-in datasets plugin, loaded from the
 * distribution's {@code plugins/} folder with its shaded, relocated copy of toolkit-images) give the model exactly
 * the same pixels, for pictures of every kind image folders read.
 */
class ImagePipelineParityIT {
    @TempDir
    Path tmp;

    /** The JDK, plus toolkit-api and the CDI annotations from the test's class path, as the runtime offers plugins. */
    private static final class RuntimeLikeParent extends ClassLoader {
        RuntimeLikeParent() {
            super("runtime-like", ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.startsWith("org.onnxtoolkit.api.") || name.startsWith("jakarta.")) {
                return ImagePipelineParityIT.class.getClassLoader().loadClass(name);
            }
            throw new ClassNotFoundException(name);
        }
    }

    private Path resource(String name) throws IOException {
        try (InputStream in = ImagePipelineParityIT.class.getResourceAsStream("/pillow/" + name)) {
            assertTrue(in != null, "test resource /pillow/" + name + " (toolkit-images' test jar)");
            return Files.write(tmp.resolve(name), in.readAllBytes());
        }
    }

    /** One picture of each kind: EXIF-turned, Adobe CMYK, progressive, SOF1, 4:2:0, 16-bit, palette, grey, wide. */
    private Map<String, Path> pictures() throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("exif-orientation-8", resource("hopper_orientation_8.jpg"));
        files.put("adobe-cmyk", resource("pil_sample_cmyk.jpg"));
        files.put("grey-jpeg", resource("hopper_gray.jpg"));
        files.put("progressive", ImageFixtures.write(tmp, "progressive.jpg",
                ImageFixtures.jpeg(ImageFixtures.photo(90, 61, 1), 0.9f, true)));
        files.put("extended-sequential", ImageFixtures.write(tmp, "sof1.jpg",
                ImageFixtures.withFrameMarker(ImageFixtures.jpeg(ImageFixtures.photo(64, 48, 2)), 0xc1)));
        files.put("tall-baseline", ImageFixtures.write(tmp, "tall.jpg", ImageFixtures.jpeg(ImageFixtures.photo(41, 77, 3))));
        int[] samples = new int[3 * 45 * 30];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (int) (i * 2654435761L % 65536);
        }
        files.put("rgb-16-bit", ImageFixtures.write(tmp, "rgb16.png", ImageFixtures.rgb16Png(45, 30, samples)));
        byte[] levels = new byte[16];
        byte[] alpha = new byte[16];
        for (int i = 0; i < 16; i++) {
            levels[i] = (byte) (i * 17);
            alpha[i] = (byte) (i == 3 ? 0 : 255);
        }
        BufferedImage indexed = new BufferedImage(30, 20, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(4, 16, levels, levels, levels, alpha));
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                indexed.getRaster().setSample(x, y, 0, (x * 3 + y) % 16);
            }
        }
        files.put("palette-with-transparency", write("palette.png", indexed));
        BufferedImage grey = new BufferedImage(50, 31, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 31; y++) {
            for (int x = 0; x < 50; x++) {
                grey.getRaster().setSample(x, y, 0, (x * 7 + y * 3) % 40); // dark values, where grey PNGs lost precision
            }
        }
        files.put("dark-grey-png", write("grey.png", grey));
        files.put("rgb-png-of-the-models-size", ImageFixtures.write(tmp, "exact.png",
                ImageFixtures.png(ImageFixtures.photo(16, 16, 4))));
        return files;
    }

    private Path write(String name, BufferedImage image) throws IOException {
        Path file = tmp.resolve(name);
        assertTrue(ImageIO.write(image, "png", file.toFile()), name);
        return file;
    }

    @Test
    void interpolateAndAnImageFolderGiveTheModelTheSamePixels() throws Exception {
        Path jar = Path.of(System.getProperty("toolkit.home"), "plugins", "toolkit-plugin-datasets.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing; run with mvn verify, which assembles the toolkit");
        int compared = 0;
        try (URLClassLoader loader = new URLClassLoader("plugins", new URL[] {jar.toUri().toURL()},
                new RuntimeLikeParent())) {
            Dataset imageFolder = (Dataset) Class.forName("org.onnxtoolkit.plugins.datasets.ImageFolderDataset", true,
                    loader).getConstructor().newInstance();
            assertEquals("image-folder", imageFolder.id());
            for (Map.Entry<String, Path> picture : pictures().entrySet()) {
                // A folder holding the picture twice: both splits then hold it, whatever the split rule.
                Path folder = Files.createDirectories(tmp.resolve("folders").resolve(picture.getKey()));
                String extension = picture.getValue().getFileName().toString().replaceAll("^.*\\.", ".");
                Files.copy(picture.getValue(), folder.resolve("a" + extension));
                Files.copy(picture.getValue(), folder.resolve("b" + extension));
                for (ImageShape shape : new ImageShape[] {new ImageShape(3, 16, 16), new ImageShape(1, 28, 28),
                        new ImageShape(3, 64, 64)}) {
                    DatasetSplits splits = imageFolder.open(new DatasetOptions(folder, shape, 1,
                            Map.of("cache-dir", tmp.resolve("cache").toString())));
                    byte[] trained = new byte[shape.size()];
                    splits.train().copyImage(0, trained, 0);
                    byte[] tested = new byte[shape.size()];
                    splits.test().copyImage(0, tested, 0);
                    assertArrayEquals(trained, tested, picture.getKey() + ": both copies");

                    String what = picture.getKey() + " as " + shape;
                    assertArrayEquals(trained, ImageInput.readPixels(picture.getValue(), shape), what);
                    // What the trainer feeds the model for those bytes, and what interpolate feeds it.
                    float[] fed = new float[trained.length];
                    for (int i = 0; i < fed.length; i++) {
                        fed[i] = (trained[i] & 0xFF) * (1f / 255f);
                    }
                    assertArrayEquals(fed, ImageInput.read(picture.getValue(), shape), what);
                    compared++;
                }
            }
        }
        assertEquals(10 * 3, compared, "pictures times shapes");
    }
}
