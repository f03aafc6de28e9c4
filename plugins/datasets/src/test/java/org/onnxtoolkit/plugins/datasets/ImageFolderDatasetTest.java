package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.images.ImageDecoder;
import org.onnxtoolkit.images.ImageFixtures;
import org.onnxtoolkit.images.ImageResamplerTest;
import org.onnxtoolkit.images.PhotoDecoder;
import org.onnxtoolkit.images.RgbImage;
import org.onnxtoolkit.images.UndecodableImageException;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    /** The dataset's decoder, counting every decode, so tests can prove that an open read no image file. */
    static final class CountingDecoder implements ImageDecoder {
        private final ImageDecoder decoder;
        final AtomicInteger calls;

        CountingDecoder() {
            this(new PhotoDecoder(), new AtomicInteger());
        }

        private CountingDecoder(ImageDecoder decoder, AtomicInteger calls) {
            this.decoder = decoder;
            this.calls = calls;
        }

        @Override
        public String version() {
            return decoder.version();
        }

        @Override
        public RgbImage decode(byte[] bytes) throws UndecodableImageException {
            calls.incrementAndGet();
            return decoder.decode(bytes);
        }

        @Override
        public DecodedImage decodeWithRecipe(byte[] bytes) throws UndecodableImageException {
            calls.incrementAndGet();
            return decoder.decodeWithRecipe(bytes);
        }

        @Override
        public ImageDecoder withExifOrientation(boolean apply) {
            return new CountingDecoder(decoder.withExifOrientation(apply), calls);
        }
    }

    private final CountingDecoder decoder = new CountingDecoder();

    private ImageFolderDataset dataset(int threads) {
        return new ImageFolderDataset(new ImageFolderLoader(decoder, threads));
    }

    private final ImageFolderDataset dataset = dataset(4);

    private Path cache() {
        return root.resolve("cache");
    }

    private DatasetOptions options(Path dir, ImageShape shape, String... keyValues) {
        Map<String, String> options = new HashMap<>();
        options.put("cache-dir", cache().toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            options.put(keyValues[i], keyValues[i + 1]);
        }
        return new DatasetOptions(dir, shape, 7, options);
    }

    private ImageFolderLoader.Opened open(Path dir, String... keyValues) throws DatasetException {
        return dataset.openFolder(options(dir, null, keyValues));
    }

    private DatasetException failure(Path dir, String... keyValues) {
        DatasetException e = assertThrows(DatasetException.class, () -> open(dir, keyValues));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("dataset image-folder"), e.getMessage());
        return e;
    }

    /** A wrong option: a usage error from the SPI's option parser, one line naming the dataset. */
    private String optionFailure(Path dir, String... keyValues) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(dir, keyValues));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("dataset image-folder"), e.getMessage());
        return e.getMessage();
    }

    private static byte[] image(ImageSplit split, int index) {
        byte[] pixels = new byte[split.shape().size()];
        split.copyImage(index, pixels, 0);
        return pixels;
    }

    /** Every image of both splits by file name. */
    private static Map<String, byte[]> byName(ImageFolderLoader.Opened opened) {
        Map<String, byte[]> images = new HashMap<>();
        for (int i = 0; i < opened.trainNames().size(); i++) {
            images.put(opened.trainNames().get(i), image(opened.splits().train(), i));
        }
        for (int i = 0; i < opened.testNames().size(); i++) {
            images.put(opened.testNames().get(i), image(opened.splits().test(), i));
        }
        return images;
    }

    private static void assertNearReference(RgbImage source, int crop, ImageShape shape, byte[] actual, String what) {
        double[] expected = ImageResamplerTest.reference(source, crop, shape.height(), shape.channels());
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs((actual[i] & 0xff) - expected[i]) <= 0.5 + 1e-9,
                    what + " pixel " + i + ": " + (actual[i] & 0xff) + " vs " + expected[i]);
        }
    }

    /** PNG fixtures (lossless, so the expected pixels are known exactly) of several sizes, plus two JPEGs. */
    private Map<String, RgbImage> writeMixedFolder(Path dir) {
        Map<String, RgbImage> sources = new HashMap<>();
        int[][] sizes = {{178, 218}, {100, 37}, {64, 64}, {37, 100}, {65, 70}};
        for (int i = 0; i < sizes.length; i++) {
            int w = sizes[i][0];
            int h = sizes[i][1];
            int[] rgb = ImageFixtures.photoPixels(w, h, i);
            String name = "png-" + i + ".png";
            ImageFixtures.write(dir, name, ImageFixtures.png(ImageFixtures.rgbImage(w, h, rgb)));
            sources.put(name, new RgbImage(w, h, rgb));
        }
        ImageFixtures.write(dir, "photo-a.jpg", ImageFixtures.jpeg(ImageFixtures.photo(178, 218, 10)));
        ImageFixtures.write(dir, "photo-b.JPEG", ImageFixtures.jpeg(ImageFixtures.photo(90, 120, 11)));
        return sources;
    }

    @Test
    void mixedSizesAreCroppedToTheirLargestSquareAndResized() throws Exception {
        Path dir = root.resolve("mixed");
        Map<String, RgbImage> sources = writeMixedFolder(dir);
        ImageFolderLoader.Opened opened = open(dir);
        ImageShape shape = new ImageShape(3, 64, 64);
        assertEquals(shape, opened.splits().train().shape());
        assertEquals(7, opened.splits().train().size() + opened.splits().test().size());
        assertEquals(1, opened.splits().test().size()); // round(7 * 0.1)
        assertEquals(7, opened.decoded());
        Map<String, byte[]> images = byName(opened);
        for (Map.Entry<String, RgbImage> source : sources.entrySet()) {
            RgbImage rgb = source.getValue();
            assertNearReference(rgb, Math.min(rgb.width(), rgb.height()), shape, images.get(source.getKey()),
                    source.getKey());
        }
    }

    @Test
    void requestedShapeSetsSizeAndChannels() throws Exception {
        Path dir = root.resolve("mixed");
        Map<String, RgbImage> sources = writeMixedFolder(dir);
        ImageShape grey = new ImageShape(1, 32, 32);
        ImageFolderLoader.Opened opened = dataset.openFolder(options(dir, grey));
        assertEquals(grey, opened.splits().test().shape());
        RgbImage source = sources.get("png-0.png");
        assertNearReference(source, 178, grey, byName(opened).get("png-0.png"), "grey");

        ImageFolderLoader.Opened sized = open(dir, "image-size", "48", "crop", "37");
        assertEquals(new ImageShape(3, 48, 48), sized.splits().train().shape());
        assertNearReference(source, 37, new ImageShape(3, 48, 48), byName(sized).get("png-0.png"), "crop 37");
        // Same size named twice is fine; different sizes are not, and neither are non-square shapes.
        dataset.openFolder(options(dir, new ImageShape(3, 48, 48), "image-size", "48"));
        DatasetException conflict = assertThrows(DatasetException.class,
                () -> dataset.openFolder(options(dir, new ImageShape(3, 32, 32), "image-size", "48")));
        assertTrue(conflict.getMessage().contains("image-size=48 disagrees with the requested image shape 3x32x32"),
                conflict.getMessage());
        DatasetException oblong = assertThrows(DatasetException.class,
                () -> dataset.openFolder(options(dir, new ImageShape(3, 32, 48))));
        assertTrue(oblong.getMessage().contains("makes square images"), oblong.getMessage());
    }

    @Test
    void cropLargerThanAnImageNamesTheImage() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        DatasetException e = failure(dir, "crop", "64");
        assertTrue(e.getMessage().contains(dir.resolve("png-1.png") + " is 100x37, smaller than the 64x64 centre crop"),
                e.getMessage());
        assertTrue(e.getMessage().contains("at most the smallest image side (37 here)"), e.getMessage());
        assertNoCacheFile();
    }

    private void assertNoCacheFile() throws IOException {
        if (Files.exists(cache())) {
            try (Stream<Path> files = Files.list(cache())) {
                assertEquals(List.of(), files.toList());
            }
        }
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cache())) {
            return files.toList();
        }
    }

    @Test
    void laterOpensReadTheCacheAndDecodeNothing() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        ImageFolderLoader.Opened first = open(dir);
        assertEquals(7, decoder.calls.get());
        ImageFolderLoader.Opened second = open(dir);
        assertEquals(7, decoder.calls.get(), "the second open decoded images");
        assertEquals(0, second.decoded());
        assertEquals(first.cacheFile(), second.cacheFile());
        assertEquals(first.splits().fingerprint(), second.splits().fingerprint());
        assertEquals(first.trainNames(), second.trainNames());
        Map<String, byte[]> before = byName(first);
        byName(second).forEach((name, pixels) -> assertArrayEquals(before.get(name), pixels, name));
        // A new dataset instance (a later run) finds the same file.
        CountingDecoder fresh = new CountingDecoder();
        new ImageFolderDataset(new ImageFolderLoader(fresh, 2)).openFolder(options(dir, null));
        assertEquals(0, fresh.calls.get());
        assertEquals(List.of(first.cacheFile()), cacheFiles());
        assertTrue(first.cacheFile().getFileName().toString().matches("mixed-3x64x64-croplargest-square-[0-9a-f]{16}\\.imgcache"),
                first.cacheFile().toString());
    }

    @Test
    void touchingAddingOrRemovingAnImageRebuildsTheCache() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        ImageFolderLoader.Opened first = open(dir);
        assertEquals(7, decoder.calls.get());

        Path touched = dir.resolve("png-2.png");
        Files.setLastModifiedTime(touched, FileTime.fromMillis(Files.getLastModifiedTime(touched).toMillis() + 5000));
        ImageFolderLoader.Opened afterTouch = open(dir);
        assertEquals(14, decoder.calls.get());
        assertEquals(first.splits().fingerprint(), afterTouch.splits().fingerprint(), "same bytes, same data");

        ImageFixtures.write(dir, "new.png", ImageFixtures.png(ImageFixtures.photo(80, 80, 99)));
        ImageFolderLoader.Opened afterAdd = open(dir);
        assertEquals(22, decoder.calls.get());
        assertEquals(8, afterAdd.splits().train().size() + afterAdd.splits().test().size());
        assertNotEquals(first.splits().fingerprint(), afterAdd.splits().fingerprint());

        Files.delete(dir.resolve("photo-a.jpg"));
        ImageFolderLoader.Opened afterRemove = open(dir);
        assertEquals(29, decoder.calls.get());
        assertEquals(7, afterRemove.splits().train().size() + afterRemove.splits().test().size());

        open(dir);
        assertEquals(29, decoder.calls.get());
        assertEquals(List.of(first.cacheFile()), cacheFiles(), "the rebuilt cache replaces the old one");
    }

    @Test
    void aDamagedCacheFileIsRebuilt() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        ImageFolderLoader.Opened first = open(dir);
        byte[] bytes = Files.readAllBytes(first.cacheFile());
        Files.write(first.cacheFile(), java.util.Arrays.copyOf(bytes, bytes.length - 10));
        ImageFolderLoader.Opened second = open(dir);
        assertEquals(14, decoder.calls.get());
        assertEquals(first.splits().fingerprint(), second.splits().fingerprint());
    }

    @Test
    void otherCropsAndShapesGetTheirOwnCacheFiles() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        open(dir);
        open(dir, "crop", "30");
        open(dir, "image-size", "32");
        assertEquals(3, cacheFiles().size());
        assertEquals(21, decoder.calls.get());
        open(dir, "crop", "30");
        assertEquals(21, decoder.calls.get());
    }

    private Path writeFolderWithCorruptImages() {
        Path dir = root.resolve("corrupt");
        for (int i = 0; i < 6; i++) {
            ImageFixtures.write(dir, "img-" + i + ".jpg", ImageFixtures.jpeg(ImageFixtures.photo(60, 50, i)));
        }
        byte[] jpeg = ImageFixtures.jpeg(ImageFixtures.photo(178, 218, 42));
        ImageFixtures.write(dir, "img-2b.jpg", ImageFixtures.randomBytes(3000, 1));
        ImageFixtures.write(dir, "img-4b.jpg", ImageFixtures.truncated(jpeg, jpeg.length / 2));
        return dir;
    }

    @Test
    void anUndecodableImageStopsTheOpenNamingTheFirstInNameOrder() {
        Path dir = writeFolderWithCorruptImages();
        for (int run = 0; run < 3; run++) {
            DatasetException e = failure(dir);
            assertTrue(e.getMessage().contains("cannot decode " + dir.resolve("img-2b.jpg")
                    + " (not a JPEG or PNG file"), e.getMessage());
            assertTrue(e.getMessage().endsWith("or set option skip-corrupt=true to skip undecodable images"),
                    e.getMessage());
        }
    }

    @Test
    void truncatedJpegIsNamed() {
        Path dir = writeFolderWithCorruptImages();
        ImageFixtures.write(dir, "img-2b.jpg", ImageFixtures.jpeg(ImageFixtures.photo(60, 50, 77)));
        DatasetException e = failure(dir);
        assertTrue(e.getMessage().contains("cannot decode " + dir.resolve("img-4b.jpg") + " ("), e.getMessage());
    }

    @Test
    void progressiveJpegIsDecodedLikeItsBaselineTwin() throws Exception {
        // Commons Imaging alone refused this file ("Only sequential, baseline JPEGs are supported").
        Path dir = root.resolve("progressive");
        ImageFixtures.write(dir, "a.jpg", ImageFixtures.jpeg(ImageFixtures.photo(60, 50, 1)));
        ImageFixtures.write(dir, "b.jpg", ImageFixtures.jpeg(ImageFixtures.photo(60, 50, 2), 0.9f, true));
        ImageFixtures.write(dir, "c.jpg", ImageFixtures.jpeg(ImageFixtures.photo(60, 50, 2), 0.9f, false));
        ImageFolderLoader.Opened opened = open(dir);
        assertEquals(List.of(), opened.skipped());
        Map<String, byte[]> images = byName(opened);
        // Progressive and baseline coding of the same pixels at the same quality decode to the same image.
        assertArrayEquals(images.get("c.jpg"), images.get("b.jpg"));
    }

    @Test
    void skipCorruptLeavesUndecodableImagesOutAndCountsThem() throws Exception {
        Path dir = writeFolderWithCorruptImages();
        ImageFolderLoader.Opened opened = open(dir, "skip-corrupt", "true");
        assertEquals(List.of("img-2b.jpg", "img-4b.jpg"), opened.skipped());
        assertEquals(6, opened.splits().train().size() + opened.splits().test().size());
        assertTrue(opened.trainNames().stream().noneMatch(name -> name.contains("b.jpg")));
        assertEquals(8, decoder.calls.get());

        // The cache remembers the undecodable images: neither a skipping nor a strict open decodes again.
        ImageFolderLoader.Opened again = open(dir, "skip-corrupt", "TRUE");
        assertEquals(opened.splits().fingerprint(), again.splits().fingerprint());
        DatasetException strict = failure(dir);
        assertTrue(strict.getMessage().contains("cannot decode " + dir.resolve("img-2b.jpg")), strict.getMessage());
        assertEquals(8, decoder.calls.get());

        // The skipped images are part of the fingerprint: without them the folder is other data.
        Files.delete(dir.resolve("img-2b.jpg"));
        Files.delete(dir.resolve("img-4b.jpg"));
        ImageFolderLoader.Opened clean = open(dir);
        assertEquals(List.of(), clean.skipped());
        assertNotEquals(opened.splits().fingerprint(), clean.splits().fingerprint());
    }

    @Test
    void fewerThanTwoDecodableImagesIsAnError() {
        Path dir = root.resolve("one");
        ImageFixtures.write(dir, "a.jpg", ImageFixtures.jpeg(ImageFixtures.photo(60, 50, 1)));
        ImageFixtures.write(dir, "b.jpg", ImageFixtures.randomBytes(100, 2));
        DatasetException e = failure(dir, "skip-corrupt", "true");
        assertTrue(e.getMessage().contains("has 1 decodable image (1 skipped as undecodable); at least 2 are needed"),
                e.getMessage());
    }

    @Test
    void missingEmptyAndImagelessFoldersAreExplained() throws Exception {
        DatasetException missing = failure(root.resolve("nowhere"));
        assertTrue(missing.getMessage().contains("image folder " + root.resolve("nowhere") + " does not exist; pass --data-dir"),
                missing.getMessage());

        Path file = Files.writeString(root.resolve("file.txt"), "x");
        assertTrue(failure(file).getMessage().contains(file + " is not a folder"));

        Path empty = Files.createDirectories(root.resolve("empty"));
        assertTrue(failure(empty).getMessage().contains("image folder " + empty + " is empty;"));

        Path others = Files.createDirectories(root.resolve("others"));
        Files.writeString(others.resolve("notes.txt"), "x");
        Files.writeString(others.resolve(".hidden.jpg"), "x");
        Files.writeString(others.resolve("image.gif"), "x");
        // A hidden folder is not a class folder: its images are never read.
        Files.createDirectories(others.resolve(".thumbnails"));
        ImageFixtures.write(others.resolve(".thumbnails"), "nested.jpg", ImageFixtures.jpeg(ImageFixtures.photo(20, 20, 1)));
        DatasetException none = failure(others);
        assertTrue(none.getMessage().contains("has no .jpg, .jpeg, .png images (it holds 4 other entries, such as "
                + ".hidden.jpg, .thumbnails/, image.gif)"), none.getMessage());
    }

    @Test
    void namesAreSortedExplicitly() throws Exception {
        Path dir = root.resolve("names");
        for (String name : new String[] {"b.png", "B.png", "a.png", "10.png", "9.png", "a.PNG"}) {
            ImageFixtures.write(dir, name, ImageFixtures.png(ImageFixtures.photo(8, 8, name.hashCode())));
        }
        ImageFolderLoader.Opened opened = open(dir);
        List<String> names = ImageCacheFile.read(opened.cacheFile()).entries().stream()
                .map(ImageCacheFile.Entry::name).toList();
        assertEquals(List.of("10.png", "9.png", "B.png", "a.PNG", "a.png", "b.png"), names);
        List<String> all = new ArrayList<>(opened.trainNames());
        all.addAll(opened.testNames());
        assertEquals(6, all.size());
    }

    @Test
    void parallelAndSequentialDecodingGiveTheSameData() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        ImageFolderLoader.Opened parallel = dataset(4).openFolder(options(dir, null));
        DatasetOptions sequentialOptions = new DatasetOptions(dir, null, 7,
                Map.of("cache-dir", root.resolve("cache-2").toString()));
        ImageFolderLoader.Opened sequential = dataset(1).openFolder(sequentialOptions);
        assertEquals(parallel.splits().fingerprint(), sequential.splits().fingerprint());
        assertArrayEquals(Files.readAllBytes(parallel.cacheFile()), Files.readAllBytes(sequential.cacheFile()));
    }

    @Test
    void theFingerprintIsAboutTheDataNotWhereItLies() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        Path copy = Files.createDirectories(root.resolve("elsewhere").resolve("copy"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        String original = open(dir).splits().fingerprint();
        ImageFolderLoader.Opened copied = open(copy);
        assertEquals(original, copied.splits().fingerprint());
        assertNotEquals(open(dir, "crop", "30").splits().fingerprint(), original);
        assertNotEquals(open(dir, "test-fraction", "0.3").splits().fingerprint(), original);
        ImageFixtures.write(copy, "png-3.png", ImageFixtures.png(ImageFixtures.photo(37, 100, 1234)));
        assertNotEquals(original, open(copy).splits().fingerprint());
    }

    @Test
    void testFractionSetsTheTestShare() throws Exception {
        Path dir = root.resolve("many");
        for (int i = 0; i < 40; i++) {
            ImageFixtures.write(dir, String.format("%03d.png", i), ImageFixtures.png(ImageFixtures.photo(12, 10, i)));
        }
        assertEquals(4, open(dir).splits().test().size());
        ImageFolderLoader.Opened quarter = open(dir, "test-fraction", "0.25");
        assertEquals(10, quarter.splits().test().size());
        assertEquals(30, quarter.splits().train().size());
        assertEquals(40, decoder.calls.get(), "the split is not part of the cache key");
        assertThrows(IndexOutOfBoundsException.class, () -> image(quarter.splits().test(), 10));
    }

    @Test
    void aPartitionFileInTheFolderSplitsIt() throws Exception {
        Path dir = root.resolve("partitioned");
        StringBuilder partition = new StringBuilder();
        for (int i = 1; i <= 9; i++) {
            String name = String.format("%06d.jpg", i);
            ImageFixtures.write(dir, name, ImageFixtures.jpeg(ImageFixtures.photo(30, 36, i)));
            partition.append(name).append(' ').append(i % 3).append('\n');
        }
        Files.writeString(dir.resolve(EvalPartition.TXT_NAME), partition);
        ImageFolderLoader.Opened opened = open(dir);
        assertEquals(List.of("000003.jpg", "000006.jpg", "000009.jpg"), opened.trainNames());
        assertEquals(List.of("000002.jpg", "000005.jpg", "000008.jpg"), opened.testNames());
        assertEquals(6, open(dir, "validation", "train").splits().train().size());
        assertTrue(failure(dir, "test-fraction", "0.2").getMessage().contains("option test-fraction does not apply"));
        Files.delete(dir.resolve(EvalPartition.TXT_NAME));
        assertTrue(failure(dir, "validation", "test").getMessage().contains("option validation applies only with a partition file"));
    }

    @Test
    void optionsAreChecked() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        assertTrue(optionFailure(dir, "size", "3").contains("has no option 'size' (options: cache-dir, crop, exif,"
                + " image-size, skip-corrupt, test-fraction, validation)"));
        assertTrue(optionFailure(dir, "exif", "rotate").contains("option exif must be one of apply, ignore, got 'rotate'"));
        assertTrue(optionFailure(dir, "skip-corrupt", "yes").contains("skip-corrupt must be true or false"));
        assertTrue(optionFailure(dir, "test-fraction", "1").contains("between 0 and 1"));
        assertTrue(optionFailure(dir, "validation", "keep").contains("must be one of drop, train, test, got 'keep'"));
        assertTrue(optionFailure(dir, "image-size", "0").contains("image-size must be a whole number in [1, 4096]"));
        assertTrue(optionFailure(dir, "crop", "big").contains("option crop must be a whole number"));
        assertTrue(optionFailure(dir, "crop", "").contains("option crop must be a whole number in [1, 65536], got ''"));
        assertTrue(optionFailure(dir, "cache-dir", " ").contains("cache-dir must be a folder path"));
        // Choices and booleans are read in any case, as before the one parser.
        assertEquals(3, open(dir, "exif", "IGNORE", "skip-corrupt", "False").splits().train().shape().channels());
        DatasetException noDir = assertThrows(DatasetException.class,
                () -> dataset.open(new DatasetOptions(null, null, 1, Map.of())));
        assertEquals("dataset image-folder needs --data-dir, a folder of .jpg, .jpeg or .png images", noDir.getMessage(),
                noDir.getMessage());
    }

    @Test
    void defaultCacheFolderFollowsXdg() {
        assertEquals(Path.of("/xdg/onnxtoolkit/datasets"), ImageFolderOptions.defaultCacheDir("/xdg", "/home/u"));
        assertEquals(Path.of("/home/u/.cache/onnxtoolkit/datasets"), ImageFolderOptions.defaultCacheDir(null, "/home/u"));
        assertEquals(Path.of("/home/u/.cache/onnxtoolkit/datasets"), ImageFolderOptions.defaultCacheDir("", "/home/u"));
        assertEquals(Path.of("/home/u/.cache/onnxtoolkit/datasets"),
                ImageFolderOptions.defaultCacheDir("relative", "/home/u"));
    }

    @Test
    void anUnwritableCacheFolderIsExplained() throws Exception {
        Path dir = root.resolve("mixed");
        writeMixedFolder(dir);
        Path blocker = Files.writeString(root.resolve("blocker"), "a file where the cache folder should be");
        DatasetException e = assertThrows(DatasetException.class,
                () -> dataset.openFolder(new DatasetOptions(dir, null, 1, Map.of("cache-dir", blocker.toString()))));
        assertTrue(e.getMessage().contains("cannot write the decoded-image cache"), e.getMessage());
        assertTrue(e.getMessage().contains("set option cache-dir to a writable folder"), e.getMessage());
    }

    @Test
    void nativeShapeIsOpen() {
        assertNull(dataset.nativeShape());
        assertEquals("image-folder", dataset.id());
    }
}
