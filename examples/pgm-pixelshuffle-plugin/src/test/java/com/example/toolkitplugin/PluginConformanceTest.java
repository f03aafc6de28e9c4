package com.example.toolkitplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.testkit.PluginConformance;

/** This jar's plugins against the toolkit's plugin test kit (toolkit-plugin-testkit, test-scoped). */
class PluginConformanceTest {
    @TempDir
    Path dir;

    /** Ids, CDI annotations, proxyability, descriptions, options and META-INF/beans.xml. */
    @Test
    void pluginClasses() {
        assertEquals(List.of("pgm-folder", "pixelshuffle-vae"),
                PluginConformance.assertPluginClasses(PgmFolderDataset.class, PixelShuffleVaeArchitecture.class));
    }

    /** The graphs build in both phases and every trainable parameter reaches the loss. */
    @Test
    void architecture() {
        LatentModel m = PluginConformance.assertArchitecture(new PixelShuffleVaeArchitecture(), new ImageShape(1, 28, 28));
        assertEquals(16, m.latentSize());
        PluginConformance.assertArchitecture(new PixelShuffleVaeArchitecture(),
                Map.of("image-size", "32", "image-channels", "3", "channels", "4,8,16", "latent", "3"), null);
    }

    /** Two opens give the same pixels and fingerprint; undeclared options are refused. */
    @Test
    void dataset() throws IOException {
        for (int i = 0; i < 5; i++) {
            Pgm.write(dir.resolve("train/" + i + ".pgm"), Pgm.binary(3, 2, i, 2 * i, 3 * i, 4 * i, 5 * i, 6 * i));
        }
        Pgm.write(dir.resolve("test/t.pgm"), Pgm.ascii("P2 3 2 9\n0 1 2 3 4 9\n"));
        DatasetSplits splits = PluginConformance.assertDataset(new PgmFolderDataset(),
                new DatasetOptions(dir, null, 1, Map.of()));
        assertEquals(new ImageShape(1, 2, 3), splits.train().shape());
        assertEquals(5, splits.train().size());
    }
}
