package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.images.ImageFixtures;
import org.onnxtoolkit.testkit.PluginConformance;

/** This jar's plugins against the plugin test kit, as any third-party plugin is checked. */
class PluginConformanceTest {
    @TempDir
    Path dir;

    @Test
    void pluginClassesIdsAndBeansXml() {
        assertEquals(List.of("mnist", "fashion-mnist", "shapes", "image-folder", "celeba"),
                PluginConformance.assertPluginClasses(MnistDataset.class, FashionMnistDataset.class, ShapesDataset.class,
                        ImageFolderDataset.class, CelebaDataset.class));
    }

    @Test
    void shapesIsDeterministicInEveryShape() {
        DatasetSplits grey = PluginConformance.assertDataset(new ShapesDataset(),
                new DatasetOptions(null, null, 3, Map.of("train-size", "40", "test-size", "10")));
        assertEquals(ShapesDataset.DEFAULT_SHAPE, grey.train().shape());
        PluginConformance.assertDataset(new ShapesDataset(),
                new DatasetOptions(null, new ImageShape(3, 12, 9), 4, Map.of("train-size", "17", "test-size", "5")));
    }

    @Test
    void idxDatasetsAreDeterministicAndLabelled() {
        IdxFixtures.writeDataset(dir, 12, 5, 28, 28, false, true, false, true);
        DatasetSplits mnist = PluginConformance.assertDataset(new MnistDataset(), new DatasetOptions(dir, null, 1, Map.of()));
        assertEquals(MnistDataset.CLASSES, mnist.classes());
        DatasetSplits fashion = PluginConformance.assertDataset(new FashionMnistDataset(dir.resolve("absent")),
                new DatasetOptions(dir, IdxImageDataset.NATIVE_SHAPE, 1, Map.of()));
        assertEquals(FashionMnistDataset.CLASSES, fashion.classes());
    }

    @Test
    void imageFoldersAreDeterministicFlatAndInClassFolders() {
        for (int i = 0; i < 12; i++) {
            ImageFixtures.write(dir.resolve("flat"), String.format("%03d.png", i),
                    ImageFixtures.png(ImageFixtures.photo(20 + i % 4, 17 + i % 3, i)));
            ImageFixtures.write(dir.resolve("classes").resolve(i % 3 == 0 ? "cats" : "dogs"), String.format("%03d.png", i),
                    ImageFixtures.png(ImageFixtures.photo(19, 21, 100 + i)));
        }
        String cache = dir.resolve("cache").toString();
        PluginConformance.assertDataset(new ImageFolderDataset(), new DatasetOptions(dir.resolve("flat"), null, 1,
                Map.of("cache-dir", cache, "image-size", "8", "test-fraction", "0.25")));
        DatasetSplits labelled = PluginConformance.assertDataset(new ImageFolderDataset(), new DatasetOptions(
                dir.resolve("classes"), new ImageShape(1, 6, 6), 1, Map.of("cache-dir", cache, "test-fraction", "0.3")));
        assertEquals(List.of("cats", "dogs"), labelled.classes());
        PluginConformance.assertDataset(new CelebaDataset(), new DatasetOptions(dir.resolve("flat"), new ImageShape(3, 8, 8),
                1, Map.of("cache-dir", cache, "crop", "16", "test-fraction", "0.25")));
    }
}
