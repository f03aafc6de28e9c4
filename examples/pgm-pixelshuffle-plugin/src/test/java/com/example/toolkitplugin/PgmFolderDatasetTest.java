package com.example.toolkitplugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;

class PgmFolderDatasetTest {
    private final PgmFolderDataset dataset = new PgmFolderDataset();

    @TempDir
    Path dir;

    /** train: a (P5), b (P2, maxval 3), c; test: z. All 2x1 (width 2, height 1). */
    @BeforeEach
    void writeFixtures() throws IOException {
        Pgm.write(dir.resolve("train/b.pgm"), Pgm.ascii("P2 2 1 3\n0 3\n"));
        Pgm.write(dir.resolve("train/a.pgm"), Pgm.binary(2, 1, 10, 20));
        Pgm.write(dir.resolve("train/c.PGM"), Pgm.binary(2, 1, 30, 40));
        Pgm.write(dir.resolve("train/notes.txt"), Pgm.ascii("not an image"));
        Pgm.write(dir.resolve("train/deeper/d.pgm"), Pgm.binary(5, 5));
        Pgm.write(dir.resolve("test/z.pgm"), Pgm.binary(2, 1, 50, 60));
    }

    private DatasetSplits open(ImageShape shape) throws DatasetException {
        return dataset.open(new DatasetOptions(dir, shape, 1, Map.of()));
    }

    private static byte[] image(ImageSplit split, int index) {
        byte[] b = new byte[split.shape().size()];
        split.copyImage(index, b, 0);
        return b;
    }

    @Test
    void readsBothSplitsInNameOrder() throws DatasetException {
        DatasetSplits splits = open(null);
        assertEquals(new ImageShape(1, 1, 2), splits.train().shape());
        assertEquals(3, splits.train().size(), "a.pgm, b.pgm, c.PGM; not notes.txt nor deeper/d.pgm");
        assertEquals(1, splits.test().size());
        assertArrayEquals(new byte[] {10, 20}, image(splits.train(), 0));
        assertArrayEquals(new byte[] {0, (byte) 255}, image(splits.train(), 1));
        assertArrayEquals(new byte[] {30, 40}, image(splits.train(), 2));
        assertArrayEquals(new byte[] {50, 60}, image(splits.test(), 0));
        byte[] target = new byte[5];
        splits.test().copyImage(0, target, 3);
        assertArrayEquals(new byte[] {0, 0, 0, 50, 60}, target);
        assertThrows(IndexOutOfBoundsException.class, () -> splits.train().copyImage(3, target, 0));
    }

    @Test
    void shapeComesFromTheFiles() throws DatasetException {
        assertNull(dataset.nativeShape());
        assertEquals(new ImageShape(1, 1, 2), open(new ImageShape(1, 1, 2)).train().shape());
        DatasetException e = assertThrows(DatasetException.class, () -> open(new ImageShape(1, 28, 28)));
        assertTrue(e.getMessage().contains("are 1x1x2 and are not resized, but the model asks for 1x28x28"), e.getMessage());
    }

    @Test
    void fingerprintFollowsTheBytesAndNames() throws IOException, DatasetException {
        String first = open(null).fingerprint();
        assertEquals(64, first.length());
        assertEquals(first, open(null).fingerprint(), "stable");
        Pgm.write(dir.resolve("test/z.pgm"), Pgm.binary(2, 1, 50, 61));
        String changedPixel = open(null).fingerprint();
        assertNotEquals(first, changedPixel);
        Files.move(dir.resolve("test/z.pgm"), dir.resolve("test/y.pgm"));
        assertNotEquals(changedPixel, open(null).fingerprint(), "a renamed file changes the fingerprint");
    }

    @Test
    void everyImageMustHaveTheSameSize() throws IOException {
        Pgm.write(dir.resolve("test/w.pgm"), Pgm.binary(1, 2, 1, 2));
        DatasetException e = assertThrows(DatasetException.class, () -> open(null));
        assertTrue(e.getMessage().contains(dir.resolve("test/w.pgm") + " is 1x2 but " + dir.resolve("train/a.pgm")
                + " is 2x1; every image must have the same size"), e.getMessage());
    }

    @Test
    void aMalformedFileIsNamed() throws IOException {
        Path bad = Pgm.write(dir.resolve("train/bad.pgm"), Pgm.binary("P5 2 1 255\n", 1));
        PgmFormatException e = assertThrows(PgmFormatException.class, () -> open(null));
        assertEquals(bad, e.file());
        assertTrue(e.getMessage().startsWith(bad + ": truncated"), e.getMessage());
    }

    @Test
    void layoutProblemsAreOneLineEach() throws IOException {
        DatasetException noDir = assertThrows(DatasetException.class,
                () -> dataset.open(new DatasetOptions(null, null, 1, Map.of())));
        assertTrue(noDir.getMessage().contains("pgm-folder needs --data-dir"), noDir.getMessage());

        Path missing = dir.resolve("nowhere");
        DatasetException notThere = assertThrows(DatasetException.class,
                () -> dataset.open(new DatasetOptions(missing, null, 1, Map.of())));
        assertTrue(notThere.getMessage().contains(missing + " does not exist"), notThere.getMessage());

        IllegalArgumentException option = assertThrows(IllegalArgumentException.class,
                () -> dataset.open(new DatasetOptions(dir, null, 1, Map.of("crop", "10"))));
        assertEquals("dataset pgm-folder has no option 'crop' (it takes no options)", option.getMessage());

        Files.delete(dir.resolve("test/z.pgm"));
        DatasetException empty = assertThrows(DatasetException.class, () -> open(null));
        assertTrue(empty.getMessage().contains(dir.resolve("test") + " holds no .pgm files"), empty.getMessage());

        Files.delete(dir.resolve("test"));
        DatasetException noTest = assertThrows(DatasetException.class, () -> open(null));
        assertTrue(noTest.getMessage().contains(dir + " has no test/ sub-folder"), noTest.getMessage());
    }
}
