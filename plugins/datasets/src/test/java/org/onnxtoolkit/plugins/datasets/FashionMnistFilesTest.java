package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageSplit;

/** Reads the real Fashion-MNIST files that Debian's dataset-fashion-mnist package installs. */
class FashionMnistFilesTest {
    @Test
    void readsTheInstalledFiles() throws Exception {
        Path installed = Path.of(FashionMnistDataset.DEFAULT_DIR);
        assumeTrue(Files.isDirectory(installed), () -> installed + " is absent: Debian package dataset-fashion-mnist"
                + " is not installed ('apt-get install dataset-fashion-mnist'), so the real files cannot be read");

        DatasetSplits splits = new FashionMnistDataset().open(new DatasetOptions(null, null, 1, Map.of()));

        assertEquals(60_000, splits.train().size());
        assertEquals(10_000, splits.test().size());
        // Fashion-MNIST's published mean intensity is 0.286 (72.9 of 255) for train and 0.287 for test.
        assertEquals(72.9, meanIntensity(splits.train()), 0.5);
        assertEquals(73.1, meanIntensity(splits.test()), 0.5);
        assertTrue(splits.fingerprint().matches("[0-9a-f]{64}"), splits.fingerprint());
    }

    private static double meanIntensity(ImageSplit split) {
        int size = split.shape().size();
        byte[] image = new byte[size];
        long sum = 0;
        for (int i = 0; i < split.size(); i++) {
            split.copyImage(i, image, 0);
            for (byte b : image) {
                sum += Byte.toUnsignedInt(b);
            }
        }
        return sum / ((double) split.size() * size);
    }
}
