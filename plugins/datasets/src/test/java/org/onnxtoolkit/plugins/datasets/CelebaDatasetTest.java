package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.images.CommonsImagingDecoder;
import org.onnxtoolkit.images.ImageFixtures;

class CelebaDatasetTest {
    private static final int IMAGES = 12;

    @TempDir
    Path root;

    private final CelebaDataset celeba = new CelebaDataset(new ImageFolderLoader(new CommonsImagingDecoder(), 2));

    private DatasetOptions options(Path dir, String... keyValues) {
        Map<String, String> options = new HashMap<>(Map.of("cache-dir", root.resolve("cache").toString()));
        for (int i = 0; i < keyValues.length; i += 2) {
            options.put(keyValues[i], keyValues[i + 1]);
        }
        return new DatasetOptions(dir, null, 1, options);
    }

    private static String name(int i) {
        return String.format("%06d.jpg", i);
    }

    /** CelebA-sized aligned "faces" 000001.jpg.. in {@code images}; partition i % 3 (so 4 train, 4 valid, 4 test). */
    private static String writeImages(Path images) {
        StringBuilder partition = new StringBuilder();
        for (int i = 1; i <= IMAGES; i++) {
            ImageFixtures.write(images, name(i), ImageFixtures.jpeg(ImageFixtures.photo(178, 218, i)));
            partition.append(name(i)).append(' ').append(i % 3 == 1 ? 0 : i % 3 == 2 ? 1 : 2).append('\n');
        }
        return partition.toString();
    }

    private static byte[] image(ImageSplit split, int index) {
        byte[] pixels = new byte[split.shape().size()];
        split.copyImage(index, pixels, 0);
        return pixels;
    }

    @Test
    void parentFolderWithImagesAndPartitionFile() throws Exception {
        Path dir = root.resolve("celeba");
        String partition = writeImages(dir.resolve("img_align_celeba"));
        Files.writeString(dir.resolve(EvalPartition.TXT_NAME), partition);
        ImageFolderLoader.Opened opened = celeba.openFolder(options(dir));
        assertEquals(new ImageShape(3, 64, 64), opened.splits().train().shape());
        assertEquals(List.of(name(1), name(4), name(7), name(10)), opened.trainNames());
        assertEquals(List.of(name(3), name(6), name(9), name(12)), opened.testNames());
        assertTrue(opened.cacheFile().getFileName().toString().startsWith("img_align_celeba-3x64x64-crop168-"),
                opened.cacheFile().toString());

        assertEquals(8, celeba.open(options(dir, "validation", "train")).train().size());
        assertEquals(8, celeba.open(options(dir, "validation", "test")).test().size());
    }

    @Test
    void cropsLikeTheReferenceNotebook() throws Exception {
        Path images = root.resolve("img_align_celeba");
        writeImages(images);
        ImageFolderLoader.Opened opened = celeba.openFolder(options(images));
        ImageFolderLoader.Opened cropped168 = new ImageFolderDataset(
                new ImageFolderLoader(new CommonsImagingDecoder(), 2)).openFolder(options(images, "crop", "168"));
        ImageFolderLoader.Opened largest = new ImageFolderDataset(
                new ImageFolderLoader(new CommonsImagingDecoder(), 2)).openFolder(options(images));
        assertEquals(cropped168.splits().fingerprint(), opened.splits().fingerprint());
        assertArrayEquals(image(cropped168.splits().train(), 0), image(opened.splits().train(), 0));
        assertNotEquals(largest.splits().fingerprint(), opened.splits().fingerprint());
        assertEquals(32, celeba.open(options(images, "image-size", "32")).train().shape().height());
    }

    @Test
    void imageFolderItselfFindsThePartitionFileInItsParent() throws Exception {
        Path dir = root.resolve("celeba");
        Path images = dir.resolve("img_align_celeba");
        Files.writeString(dir.resolve(EvalPartition.TXT_NAME), writeImages(images));
        ImageFolderLoader.Opened opened = celeba.openFolder(options(images));
        assertEquals(List.of(name(3), name(6), name(9), name(12)), opened.testNames());
    }

    @Test
    void kagglesNestedFolderAndCsvPartition() throws Exception {
        Path dir = root.resolve("archive");
        String partition = writeImages(dir.resolve("img_align_celeba").resolve("img_align_celeba"));
        Files.writeString(dir.resolve(EvalPartition.CSV_NAME),
                "image_id,partition\n" + partition.replace(' ', ',').replace("\n", "\r\n"));
        ImageFolderLoader.Opened opened = celeba.openFolder(options(dir));
        assertEquals(List.of(name(1), name(4), name(7), name(10)), opened.trainNames());
    }

    @Test
    void withoutPartitionFileTheSplitIsByName() throws Exception {
        Path images = root.resolve("img_align_celeba");
        writeImages(images);
        ImageFolderLoader.Opened opened = celeba.openFolder(options(images, "test-fraction", "0.25"));
        assertEquals(3, opened.testNames().size());
        assertEquals(9, opened.trainNames().size());
    }

    private DatasetException failure(Path dir, String... keyValues) {
        DatasetException e = assertThrows(DatasetException.class, () -> celeba.open(options(dir, keyValues)));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("dataset celeba"), e.getMessage());
        return e;
    }

    @Test
    void aMalformedPartitionFileIsReportedBeforeAnyDecoding() throws Exception {
        Path dir = root.resolve("celeba");
        String partition = writeImages(dir.resolve("img_align_celeba"));
        Path file = Files.writeString(dir.resolve(EvalPartition.TXT_NAME), partition.replace(name(5) + " 1", name(5) + " one"));
        DatasetException e = failure(dir);
        assertTrue(e.getMessage().contains("partition file " + file + " line 5: expected '<image file> <0, 1 or 2>', got '"
                + name(5) + " one'"), e.getMessage());
        assertTrue(!Files.exists(root.resolve("cache")), "nothing was decoded");
    }

    @Test
    void aPartitionFileThatDoesNotMatchTheFolderIsReported() throws Exception {
        Path dir = root.resolve("celeba");
        String partition = writeImages(dir.resolve("img_align_celeba"));
        Files.writeString(dir.resolve(EvalPartition.TXT_NAME), partition + name(13) + " 0\n");
        DatasetException unknown = failure(dir);
        assertTrue(unknown.getMessage().contains("line 13 names 000013.jpg, which is not in"), unknown.getMessage());
        Files.writeString(dir.resolve(EvalPartition.TXT_NAME), partition.replace(name(12) + " 2\n", ""));
        DatasetException unlisted = failure(dir);
        assertTrue(unlisted.getMessage().contains("such as 000012.jpg"), unlisted.getMessage());
    }

    @Test
    void partitionWithoutTestImagesIsReported() throws Exception {
        Path dir = root.resolve("celeba");
        String partition = writeImages(dir.resolve("img_align_celeba"));
        Files.writeString(dir.resolve(EvalPartition.TXT_NAME), partition.replace(" 2\n", " 1\n"));
        DatasetException e = failure(dir);
        assertTrue(e.getMessage().contains("leaves the test (partition 2) split without a decodable image"), e.getMessage());
        assertEquals(8, celeba.open(options(dir, "validation", "test")).test().size());
    }

    @Test
    void wrongFoldersExplainTheExpectedLayout() throws Exception {
        assertTrue(failure(root.resolve("nowhere")).getMessage().contains("does not exist; pass --data-dir pointing at"
                + " CelebA's img_align_celeba/ folder of aligned JPEGs, or the folder holding it"));
        Path empty = Files.createDirectories(root.resolve("empty"));
        assertTrue(failure(empty).getMessage().contains("image folder " + empty + " is empty; pass --data-dir pointing at"
                + " CelebA's img_align_celeba/"));
        Path unrelated = Files.createDirectories(root.resolve("unrelated"));
        Files.writeString(unrelated.resolve("identity_CelebA.txt"), "000001.jpg 2880\n");
        assertTrue(failure(unrelated).getMessage().contains("has no .jpg, .jpeg, .png images"));
        DatasetException noDir = assertThrows(DatasetException.class,
                () -> celeba.open(new DatasetOptions(null, null, 1, Map.of())));
        assertTrue(noDir.getMessage().startsWith("dataset celeba needs --data-dir, CelebA's img_align_celeba/ folder"),
                noDir.getMessage());
    }
}
