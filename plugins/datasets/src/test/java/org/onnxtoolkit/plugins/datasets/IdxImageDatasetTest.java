package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.idx;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.pattern;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.write;
import static org.onnxtoolkit.plugins.datasets.IdxFixtures.writeDataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;

/** mnist and fashion-mnist on tiny IDX files written here; MNIST itself cannot be fetched on these machines. */
class IdxImageDatasetTest {
    @TempDir
    Path dir;

    private static DatasetOptions in(Path dataDir) {
        return new DatasetOptions(dataDir, null, 1, Map.of());
    }

    private static void assertMessage(DatasetException e, String... fragments) {
        String message = e.getMessage();
        assertFalse(message.contains("\n"), () -> "message must be one line: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "expected '" + fragment + "' in: " + message);
        }
    }

    @Test
    void opensBothSplitsFromPlainFiles() throws Exception {
        writeDataset(dir, 5, 3, 28, 28);

        DatasetSplits splits = new MnistDataset().open(in(dir));

        assertEquals(new ImageShape(1, 28, 28), splits.train().shape());
        assertEquals(5, splits.train().size());
        assertEquals(3, splits.test().size());
        byte[] image = new byte[784];
        splits.test().copyImage(2, image, 0);
        assertArrayEquals(Arrays.copyOfRange(pattern(3 * 784, 2), 2 * 784, 3 * 784), image);
        splits.train().copyImage(0, image, 0);
        assertArrayEquals(Arrays.copyOf(pattern(5 * 784, 0), 784), image);
        assertThrows(IndexOutOfBoundsException.class, () -> splits.train().copyImage(5, image, 0));
        assertTrue(splits.fingerprint().matches("[0-9a-f]{64}"), splits.fingerprint());
    }

    @Test
    void acceptsAnyMixOfPlainAndGzippedFilesWithTheSameFingerprint() throws Exception {
        Path plain = Files.createDirectory(dir.resolve("plain"));
        Path mixed = Files.createDirectory(dir.resolve("mixed"));
        writeDataset(plain, 4, 2, 28, 28);
        writeDataset(mixed, 4, 2, 28, 28, true, false, false, true);

        DatasetSplits fromPlain = new FashionMnistDataset().open(in(plain));
        DatasetSplits fromMixed = new FashionMnistDataset().open(in(mixed));

        assertEquals(fromPlain.fingerprint(), fromMixed.fingerprint());
        byte[] a = new byte[784];
        byte[] b = new byte[784];
        fromPlain.train().copyImage(3, a, 0);
        fromMixed.train().copyImage(3, b, 0);
        assertArrayEquals(a, b);
    }

    @Test
    void fingerprintChangesWithTheData() throws Exception {
        writeDataset(dir, 4, 2, 28, 28);
        String before = new MnistDataset().open(in(dir)).fingerprint();
        assertEquals(before, new MnistDataset().open(in(dir)).fingerprint());

        byte[] labels = idx(new byte[] {9, 9}, 2);
        write(dir.resolve("t10k-labels-idx1-ubyte"), labels);

        assertNotEquals(before, new MnistDataset().open(in(dir)).fingerprint());
    }

    @Test
    void mnistWithoutDataDirSaysItCannotBeDownloaded() {
        DatasetException e = assertThrows(DatasetException.class, () -> new MnistDataset().open(in(null)));
        assertMessage(e, "mnist", "MNIST cannot be downloaded by the toolkit", "--data-dir",
                "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    }

    @Test
    void fashionMnistWithoutItsDefaultFolderSaysHowToInstallIt() {
        Path absent = dir.resolve("not-installed");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new FashionMnistDataset(absent).open(in(null)));
        assertMessage(e, "fashion-mnist", absent.toString(), "does not exist", "default location",
                "apt-get install dataset-fashion-mnist", "--data-dir");
    }

    @Test
    void missingFilesAreAllNamedWithTheExpectedPath() throws Exception {
        writeDataset(dir, 4, 2, 28, 28);
        Files.delete(dir.resolve("train-labels-idx1-ubyte"));
        Files.delete(dir.resolve("t10k-images-idx3-ubyte"));

        DatasetException e = assertThrows(DatasetException.class, () -> new MnistDataset().open(in(dir)));
        assertMessage(e, dir.toString(), "train-labels-idx1-ubyte[.gz]", "t10k-images-idx3-ubyte[.gz]",
                dir.resolve("train-images-idx3-ubyte").toString(), "cannot be downloaded");
        assertFalse(e.getMessage().contains("train-images-idx3-ubyte[.gz]"), e.getMessage());
    }

    @Test
    void rejectsAnotherImageShape() throws Exception {
        writeDataset(dir, 4, 2, 28, 28);
        DatasetOptions colour = new DatasetOptions(dir, new ImageShape(3, 64, 64), 1, Map.of());

        DatasetException e = assertThrows(DatasetException.class, () -> new FashionMnistDataset().open(colour));
        assertMessage(e, "fashion-mnist", "1x28x28", "3x64x64", "cannot resize");

        DatasetOptions same = new DatasetOptions(dir, new ImageShape(1, 28, 28), 1, Map.of());
        assertEquals(4, new FashionMnistDataset().open(same).train().size());
    }

    @Test
    void rejectsFilesOfAnotherImageSize() {
        writeDataset(dir, 4, 2, 14, 14);
        DatasetException e = assertThrows(DatasetException.class, () -> new MnistDataset().open(in(dir)));
        assertMessage(e, dir.resolve("train-images-idx3-ubyte").toString(), "holds 14x14 images",
                "expected 28x28");
    }

    @Test
    void rejectsLabelCountMismatch() {
        writeDataset(dir, 4, 2, 28, 28);
        write(dir.resolve("train-labels-idx1-ubyte"), idx(new byte[3], 3));
        DatasetException e = assertThrows(DatasetException.class, () -> new MnistDataset().open(in(dir)));
        assertMessage(e, "holds 4 images", "holds 3 labels");
    }

    @Test
    void passesOnCorruptFileErrors() {
        writeDataset(dir, 4, 2, 28, 28);
        write(dir.resolve("t10k-images-idx3-ubyte"), idx(new byte[10], 2, 28, 28));
        DatasetException e = assertThrows(DatasetException.class, () -> new MnistDataset().open(in(dir)));
        assertMessage(e, dir.resolve("t10k-images-idx3-ubyte").toString(), "payload truncated");
    }

    @Test
    void rejectsOptions() {
        writeDataset(dir, 4, 2, 28, 28);
        DatasetOptions options = new DatasetOptions(dir, null, 1, Map.of("train-size", "2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MnistDataset().open(options));
        assertEquals("dataset mnist has no option 'train-size' (it takes no options)", e.getMessage());
    }

    @Test
    void describesItself() {
        MnistDataset mnist = new MnistDataset();
        FashionMnistDataset fashion = new FashionMnistDataset();
        assertEquals("mnist", mnist.id());
        assertEquals("fashion-mnist", fashion.id());
        assertEquals(new ImageShape(1, 28, 28), mnist.nativeShape());
        assertEquals(null, mnist.defaultDir());
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), fashion.defaultDir());
        assertFalse(fashion.description().isBlank());
    }

    @Test
    void labelsComeFromTheLabelFilesWithTheClassNames() throws Exception {
        writeDataset(dir, 5, 3, 28, 28);
        DatasetSplits mnist = new MnistDataset().open(in(dir));
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), mnist.classes());
        for (int i = 0; i < 5; i++) {
            assertEquals((i * 3 + 1) % 10, mnist.train().label(i), "train label " + i);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals((i * 3 + 3) % 10, mnist.test().label(i), "test label " + i);
        }
        DatasetSplits fashion = new FashionMnistDataset().open(in(dir));
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                "Bag", "Ankle boot"), fashion.classes());
        assertEquals("Sneaker", fashion.classes().get(fashion.train().label(2))); // label (2 * 3 + 1) % 10
    }

    @Test
    void aLabelBeyondTheClassesIsBadData() {
        writeDataset(dir, 4, 2, 28, 28);
        write(dir.resolve("t10k-labels-idx1-ubyte"), idx(new byte[] {3, 10}, 2));
        DatasetException e = assertThrows(DatasetException.class, () -> new MnistDataset().open(in(dir)));
        assertMessage(e, dir.resolve("t10k-labels-idx1-ubyte").toString(), "gives item 1 label 10",
                "mnist has 10 classes (labels 0-9)");
        assertEquals(DatasetException.Cause.DATA, e.cause());
    }

    @Test
    void testFilesNamedTestInsteadOfT10kAreFound() throws Exception {
        writeDataset(dir, 4, 2, 28, 28, false, false, true, false);
        Files.move(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("test-images-idx3-ubyte.gz"));
        Files.move(dir.resolve("t10k-labels-idx1-ubyte"), dir.resolve("test-labels-idx1-ubyte"));
        Path standard = Files.createDirectory(dir.resolve("standard"));
        writeDataset(standard, 4, 2, 28, 28);

        DatasetSplits renamed = new MnistDataset().open(in(dir));
        assertEquals(2, renamed.test().size());
        assertEquals(new MnistDataset().open(in(standard)).fingerprint(), renamed.fingerprint(),
                "the same data under other names is the same data");
    }

    @Test
    void kaggleNamesAndFoldersAreFound() throws Exception {
        // Kaggle's MNIST archive: dotted names, each file unpacked into a folder of the same name.
        Path flat = Files.createDirectory(dir.resolve("flat"));
        writeDataset(flat, 4, 2, 28, 28);
        Path kaggle = Files.createDirectory(dir.resolve("kaggle"));
        for (String name : IdxImageDataset.FILE_NAMES) {
            String dotted = name.replace("s-idx", "s.idx");
            Path folder = Files.createDirectory(kaggle.resolve(dotted));
            Files.copy(flat.resolve(name), folder.resolve(dotted));
        }
        assertEquals(new MnistDataset().open(in(flat)).fingerprint(), new MnistDataset().open(in(kaggle)).fingerprint());
    }

    @Test
    void missingTestFilesNameEveryNameLookedFor() throws Exception {
        writeDataset(dir, 4, 2, 28, 28);
        Files.delete(dir.resolve("t10k-images-idx3-ubyte"));
        DatasetException e = assertThrows(DatasetException.class, () -> new MnistDataset().open(in(dir)));
        assertMessage(e, "lacks t10k-images-idx3-ubyte[.gz] (also looked for test-images-idx3-ubyte[.gz],"
                + " t10k-images.idx3-ubyte[.gz], test-images.idx3-ubyte[.gz])");
        assertEquals(DatasetException.Cause.USAGE, e.cause());
    }

    @Test
    void aNamedPipeAmongTheFilesIsRefusedNamingIt() throws Exception {
        writeDataset(dir, 4, 2, 28, 28);
        Files.delete(dir.resolve("t10k-images-idx3-ubyte"));
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("t10k-images-idx3-ubyte").toString()).inheritIO()
                .start();
        assertTrue(mkfifo.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        DatasetException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(60), () -> assertThrows(DatasetException.class,
                        () -> new MnistDataset().open(in(dir))));
        assertMessage(e, "IDX file " + dir.resolve("t10k-images-idx3-ubyte") + " is a named pipe (FIFO), not a"
                + " regular file");
    }
}
