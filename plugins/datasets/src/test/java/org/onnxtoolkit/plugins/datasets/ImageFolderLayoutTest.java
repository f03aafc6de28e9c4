package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.images.ImageFixtures;
import org.onnxtoolkit.images.ImageResampler;

/**
 * The folders users have: class subfolders (torchvision's ImageFolder), hidden files, links (good, dangling,
 * looping), names that are not UTF-8, named pipes; the progress of the first decode; the EXIF option.
 */
class ImageFolderLayoutTest {
    @TempDir
    Path root;

    private final ImageFolderDatasetTest.CountingDecoder decoder = new ImageFolderDatasetTest.CountingDecoder();
    private final ImageFolderDataset dataset = new ImageFolderDataset(new ImageFolderLoader(decoder, 3));

    private DatasetOptions options(Path dir, Progress progress, String... keyValues) {
        Map<String, String> options = new HashMap<>();
        options.put("cache-dir", root.resolve("cache").toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            options.put(keyValues[i], keyValues[i + 1]);
        }
        return new DatasetOptions(dir, new ImageShape(3, 16, 16), 1, options, progress);
    }

    private ImageFolderLoader.Opened open(Path dir, String... keyValues) throws DatasetException {
        return dataset.openFolder(options(dir, Progress.NONE, keyValues));
    }

    private DatasetException failure(Path dir, String... keyValues) {
        DatasetException e = assertThrows(DatasetException.class, () -> open(dir, keyValues));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }

    /** A small PNG whose pixels depend on {@code seed}. */
    private static byte[] png(int seed) {
        return ImageFixtures.png(ImageFixtures.photo(20 + seed % 5, 18, seed));
    }

    /** Every image of both splits with its label, by name. */
    private static Map<String, Integer> labelsByName(ImageFolderLoader.Opened opened) {
        Map<String, Integer> labels = new TreeMap<>();
        for (int i = 0; i < opened.trainNames().size(); i++) {
            labels.put(opened.trainNames().get(i), opened.splits().train().label(i));
        }
        for (int i = 0; i < opened.testNames().size(); i++) {
            labels.put(opened.testNames().get(i), opened.splits().test().label(i));
        }
        return labels;
    }

    private static byte[] image(ImageSplit split, int index) {
        byte[] pixels = new byte[split.shape().size()];
        split.copyImage(index, pixels, 0);
        return pixels;
    }

    private Path classFolders() {
        Path dir = root.resolve("pets");
        ImageFixtures.write(dir.resolve("dogs"), "d1.png", png(1));
        ImageFixtures.write(dir.resolve("dogs"), "d2.png", png(2));
        ImageFixtures.write(dir.resolve("dogs").resolve("puppies"), "p1.png", png(3));
        ImageFixtures.write(dir.resolve("cats"), "c1.png", png(4));
        ImageFixtures.write(dir.resolve("cats"), "c2.jpg", ImageFixtures.jpeg(ImageFixtures.photo(30, 20, 5)));
        ImageFixtures.write(dir.resolve("birds"), "b1.png", png(6));
        ImageFixtures.write(dir.resolve("birds"), "b2.PNG", png(7));
        ImageFixtures.write(dir, "README.txt", "a note, not an image".getBytes(StandardCharsets.UTF_8));
        return dir;
    }

    @Test
    void classSubfoldersAreClassesInSortedOrderWithTheirImagesAtAnyDepth() throws Exception {
        Path dir = classFolders();
        ImageFolderLoader.Opened opened = open(dir);
        DatasetSplits splits = opened.splits();
        assertEquals(List.of("birds", "cats", "dogs"), splits.classes());
        assertTrue(splits.labelled());
        Map<String, Integer> expected = new TreeMap<>(Map.of("birds/b1.png", 0, "birds/b2.PNG", 0, "cats/c1.png", 1,
                "cats/c2.jpg", 1, "dogs/d1.png", 2, "dogs/d2.png", 2, "dogs/puppies/p1.png", 2));
        assertEquals(expected, labelsByName(opened));
        // Each label goes with its own image's pixels: the same file opened alone (flat) gives the same image.
        Path alone = root.resolve("alone");
        ImageFixtures.write(alone, "x.png", png(3));
        ImageFixtures.write(alone, "y.png", png(4));
        Map<String, byte[]> flat = new HashMap<>();
        ImageFolderLoader.Opened single = open(alone);
        for (int i = 0; i < single.trainNames().size(); i++) {
            flat.put(single.trainNames().get(i), image(single.splits().train(), i));
        }
        for (int i = 0; i < single.testNames().size(); i++) {
            flat.put(single.testNames().get(i), image(single.splits().test(), i));
        }
        for (int i = 0; i < opened.trainNames().size(); i++) {
            if (opened.trainNames().get(i).equals("dogs/puppies/p1.png")) {
                assertArrayEquals(flat.get("x.png"), image(splits.train(), i));
            }
            if (opened.trainNames().get(i).equals("cats/c1.png")) {
                assertArrayEquals(flat.get("y.png"), image(splits.train(), i));
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> splits.train().label(splits.train().size()));
        // The classes are part of the fingerprint; a flat folder has none and labels -1.
        assertEquals(List.of(), single.splits().classes());
        assertEquals(-1, single.splits().train().label(0));
    }

    @Test
    void aFolderWithImagesOfItsOwnStaysFlatAndSaysItsSubfoldersWereNotRead() throws Exception {
        Path dir = root.resolve("flat");
        ImageFixtures.write(dir, "a.png", png(1));
        ImageFixtures.write(dir, "b.png", png(2));
        ImageFixtures.write(dir.resolve("thumbnails"), "a.png", png(3));
        ImageFolderLoader.Opened opened = open(dir);
        assertEquals(2, opened.splits().train().size() + opened.splits().test().size());
        assertEquals(List.of(), opened.splits().classes());
        assertEquals(List.of("read only the images directly in " + dir + "; its subfolder thumbnails/ is not read"
                + " when the folder holds images itself"), opened.splits().notes());
        ImageFixtures.write(dir.resolve("originals"), "a.png", png(4));
        assertEquals(List.of("read only the images directly in " + dir + "; its 2 subfolders (such as originals/) are"
                + " not read when the folder holds images itself"), open(dir).splits().notes());
    }

    @Test
    void hiddenFilesAndFoldersAndMacArchiveLeftoversAreSkipped() throws Exception {
        Path dir = classFolders();
        ImageFixtures.write(dir.resolve("cats"), ".c3.png", png(8));
        ImageFixtures.write(dir.resolve("cats").resolve(".thumbnails"), "c1.png", png(9));
        ImageFixtures.write(dir.resolve(".git"), "x.png", png(10));
        ImageFixtures.write(dir.resolve("__MACOSX").resolve("cats"), "._c1.png", new byte[] {0, 5, 22, 7});
        ImageFolderLoader.Opened opened = open(dir);
        assertEquals(List.of("birds", "cats", "dogs"), opened.splits().classes());
        assertEquals(7, labelsByName(opened).size());
        assertEquals(List.of(), opened.skipped());
    }

    @Test
    void aClassFolderWithoutImagesIsExplained() throws Exception {
        Path dir = classFolders();
        Files.createDirectories(dir.resolve("fish").resolve("empty"));
        Files.writeString(dir.resolve("fish").resolve("notes.txt"), "x");
        DatasetException e = failure(dir);
        assertEquals(DatasetException.Cause.USAGE, e.cause());
        assertTrue(e.getMessage().contains("is read as class folders (it holds no images itself), but class folder"
                + " fish holds no .jpg, .jpeg, .png images at any depth"), e.getMessage());
    }

    @Test
    void linksAreFollowedAndALinkLoopIsReportedOrSkippedWithItsReason() throws Exception {
        Path dir = classFolders();
        Path elsewhere = root.resolve("elsewhere");
        ImageFixtures.write(elsewhere, "far.png", png(11));
        Files.createSymbolicLink(dir.resolve("cats").resolve("linked.png"), elsewhere.resolve("far.png"));
        Files.createSymbolicLink(dir.resolve("dogs").resolve("more"), elsewhere);
        Files.createSymbolicLink(dir.resolve("dogs").resolve("puppies").resolve("back"), dir.resolve("dogs"));

        DatasetException strict = failure(dir);
        assertEquals(DatasetException.Cause.DATA, strict.cause());
        assertTrue(strict.getMessage().startsWith("dataset image-folder: cannot read " + dir + "/dogs/puppies/back:"
                + " it is a link to folder " + dir.toRealPath().resolve("dogs") + ", which contains it: following it"
                + " would loop forever; fix or remove it, or set option skip-corrupt=true"), strict.getMessage());

        ImageFolderLoader.Opened skipping = open(dir, "skip-corrupt", "true");
        assertEquals(List.of("dogs/puppies/back"), skipping.skipped());
        Map<String, Integer> labels = labelsByName(skipping);
        assertEquals(1, labels.get("cats/linked.png"));
        assertEquals(2, labels.get("dogs/more/far.png"));
        assertEquals(9, labels.size());
        String note = skipping.splits().notes().get(0);
        assertTrue(note.startsWith("skipped 1 unreadable entry: dogs/puppies/back (a link to folder "), note);
        // With an undecodable image among them, both kinds are named.
        ImageFixtures.write(dir.resolve("cats"), "broken.jpg", ImageFixtures.randomBytes(300, 9));
        String both = open(dir, "skip-corrupt", "true").splits().notes().get(0);
        assertTrue(both.startsWith("skipped 2 undecodable images or unreadable entries: cats/broken.jpg,"
                + " dogs/puppies/back; unreadable: dogs/puppies/back (a link to folder "), both);
    }

    @Test
    void aLinkBackToTheDatasetFolderIsALoopNotAClass() throws Exception {
        Path dir = classFolders();
        Files.createSymbolicLink(dir.resolve("all"), dir);
        ImageFolderLoader.Opened opened = open(dir, "skip-corrupt", "true");
        assertEquals(List.of("birds", "cats", "dogs"), opened.splits().classes());
        assertEquals(List.of("all"), opened.skipped());
    }

    @Test
    void danglingAndSelfLinksInAFlatFolderAreReportedPerEntryAndSkippable() throws Exception {
        Path dir = root.resolve("flat");
        ImageFixtures.write(dir, "a.png", png(1));
        ImageFixtures.write(dir, "b.png", png(2));
        ImageFixtures.write(dir, "c.png", png(3));
        Files.createSymbolicLink(dir.resolve("gone.jpg"), dir.resolve("deleted.jpg"));
        Files.createSymbolicLink(dir.resolve("self.jpg"), dir.resolve("self.jpg"));
        Files.createSymbolicLink(dir.resolve("notes.txt"), dir.resolve("missing.txt")); // not an image: ignored

        DatasetException strict = failure(dir);
        assertEquals(DatasetException.Cause.DATA, strict.cause());
        assertEquals("dataset image-folder: cannot read " + dir + "/gone.jpg: it is a symbolic link to " + dir
                + "/deleted.jpg, which does not exist; fix or remove it, or set option skip-corrupt=true to skip"
                + " unreadable entries and undecodable images", strict.getMessage());
        assertTrue(!strict.getMessage().contains("disappeared"), strict.getMessage());

        ImageFolderLoader.Opened opened = open(dir, "skip-corrupt", "true");
        assertEquals(List.of("gone.jpg", "self.jpg"), opened.skipped());
        assertEquals(3, opened.splits().train().size() + opened.splits().test().size());
        assertTrue(opened.splits().notes().get(0).contains("self.jpg (a symbolic link that leads back to itself"),
                opened.splits().notes().get(0));
        // Known from the cache: a strict open fails the same way without decoding anything.
        int calls = decoder.calls.get();
        assertEquals(strict.getMessage(), failure(dir).getMessage());
        assertEquals(calls, decoder.calls.get());
        // Repairing the link changes the listing: the cache is rebuilt and the image is used.
        Files.delete(dir.resolve("gone.jpg"));
        Files.createSymbolicLink(dir.resolve("gone.jpg"), dir.resolve("a.png"));
        assertEquals(List.of("self.jpg"), open(dir, "skip-corrupt", "true").skipped());
    }

    /** Creates {@code folder/<bytes>} by copying {@code source} with the shell, which takes any bytes. */
    private static void copyToRawName(Path source, Path folder, String printfName) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "cp \"$0\" \"$1/$(printf '" + printfName + "')\"",
                source.toString(), folder.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, output);
    }

    @Test
    void namesThatAreNotUtf8AreListedDecodedCachedAndNamedReadably() throws Exception {
        Path dir = root.resolve("latin1");
        ImageFixtures.write(dir, "plain.png", png(1));
        Path sources = root.resolve("sources");
        ImageFixtures.write(sources, "one.png", png(2));
        ImageFixtures.write(sources, "two.png", png(3));
        ImageFixtures.write(sources, "bad.jpg", ImageFixtures.randomBytes(500, 4));
        // ISO-8859-1 names as old cameras and Windows archives write them: "café.png" and "cafè.png".
        copyToRawName(sources.resolve("one.png"), dir, "caf\\351.png");
        copyToRawName(sources.resolve("two.png"), dir, "caf\\350.png");
        copyToRawName(sources.resolve("bad.jpg"), dir, "bad\\377.jpg");
        try (var listed = Files.list(dir)) {
            assertEquals(4, listed.count(), "the shell made four files");
        }

        DatasetException strict = failure(dir);
        assertTrue(strict.getMessage().startsWith("dataset image-folder: cannot decode " + dir + "/bad\\xff.jpg (not a"
                + " JPEG or PNG file"), strict.getMessage());

        ImageFolderLoader.Opened opened = open(dir, "skip-corrupt", "true");
        assertEquals(List.of("bad\\xff.jpg"), opened.skipped());
        List<String> names = new ArrayList<>(opened.trainNames());
        names.addAll(opened.testNames());
        assertEquals(Set.of("caf\\xe8.png", "caf\\xe9.png", "plain.png"), Set.copyOf(names));
        int calls = decoder.calls.get();
        ImageFolderLoader.Opened again = open(dir, "skip-corrupt", "true");
        assertEquals(calls, decoder.calls.get(), "the cache key is stable for such names");
        assertEquals(opened.splits().fingerprint(), again.splits().fingerprint());
    }

    @Test
    void readableNamesEscapeExactlyTheBytesThatAreNotUtf8() {
        assertEquals("caf\\xe9.png", FileKinds.readable(new byte[] {'c', 'a', 'f', (byte) 0xe9, '.', 'p', 'n', 'g'}));
        assertEquals("café.png", FileKinds.readable("café.png".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\\xff\\xfe猫", FileKinds.readable(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xe7,
                (byte) 0x8c, (byte) 0xab}));
    }

    @Test
    void aNamedPipeWithAnImageNameIsNeverOpened() throws Exception {
        Path dir = root.resolve("pipes");
        ImageFixtures.write(dir, "a.png", png(1));
        ImageFixtures.write(dir, "b.png", png(2));
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("stream.jpg").toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
        // Opening the pipe for reading would block forever: the timeout proves it is not opened.
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            DatasetException strict = failure(dir);
            assertEquals("dataset image-folder: cannot read " + dir + "/stream.jpg: it is a named pipe (FIFO), not an"
                    + " image file; it is not opened; fix or remove it, or set option skip-corrupt=true to skip"
                    + " unreadable entries and undecodable images", strict.getMessage());
            assertEquals(List.of("stream.jpg"), open(dir, "skip-corrupt", "true").skipped());
        });
    }

    /** Records what the loader reports; thread-safe as the interface demands. */
    private static final class RecordingProgress implements Progress {
        final List<String> labels = new CopyOnWriteArrayList<>();
        final List<Long> totals = new CopyOnWriteArrayList<>();
        final AtomicLong done = new AtomicLong();
        final AtomicBoolean closed = new AtomicBoolean();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @Override
        public Task start(String label, long total) {
            labels.add(label);
            totals.add(total);
            return new Task() {
                @Override
                public void advance(long units) {
                    threads.add(Thread.currentThread().getName());
                    done.addAndGet(units);
                }

                @Override
                public void close() {
                    closed.set(true);
                }
            };
        }
    }

    @Test
    void theFirstDecodeReportsProgressFromTheDecoderThreadsAndACachedOpenReportsNothing() throws Exception {
        Path dir = classFolders();
        ImageFixtures.write(dir.resolve("cats"), "broken.jpg", ImageFixtures.randomBytes(300, 1));
        RecordingProgress progress = new RecordingProgress();
        dataset.openFolder(options(dir, progress, "skip-corrupt", "true"));
        assertEquals(List.of("decoding 8 images of pets"), progress.labels);
        assertEquals(List.of(8L), progress.totals);
        assertEquals(8, progress.done.get(), "every image, the undecodable one included, advances once");
        assertTrue(progress.closed.get());
        assertEquals(Set.of("image-folder-decoder"), progress.threads);

        RecordingProgress cached = new RecordingProgress();
        dataset.openFolder(options(dir, cached, "skip-corrupt", "true"));
        assertEquals(List.of(), cached.labels);

        // A failing decode closes its task too (so a progress bar never stays on screen).
        RecordingProgress failing = new RecordingProgress();
        assertThrows(DatasetException.class, () -> dataset.openFolder(options(root.resolve("pets"), failing,
                "crop", "9999")));
        assertTrue(failing.closed.get());
    }

    @Test
    void exifOrientationIsAppliedByDefaultAndIgnoredOnRequest() throws Exception {
        Path dir = root.resolve("turned");
        for (String name : List.of("hopper.jpg", "hopper_orientation_6.jpg")) {
            try (InputStream in = getClass().getResourceAsStream("/pillow/" + name)) {
                ImageFixtures.write(dir, name, in.readAllBytes());
            }
        }
        double applied = meanDifference(open(dir));
        double ignored = meanDifference(open(dir, "exif", "ignore"));
        // hopper_orientation_6.jpg is hopper.jpg stored turned: upright again it differs only by JPEG noise.
        assertTrue(applied < 3, "applied: " + applied);
        assertTrue(ignored > 20, "ignored: " + ignored);
        assertNotEquals(open(dir).cacheFile(), open(dir, "exif", "ignore").cacheFile());
        assertNotEquals(open(dir).splits().fingerprint(), open(dir, "exif", "ignore").splits().fingerprint());
    }

    private static double meanDifference(ImageFolderLoader.Opened opened) {
        byte[] a = image(opened.splits().train(), 0);
        byte[] b = image(opened.splits().test(), 0);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return sum / a.length;
    }

    @Test
    void aFlatFolderDecodedAsBeforeKeepsTheFingerprintThePreviousVersionGaveIt() throws Exception {
        Path dir = root.resolve("flat");
        for (int i = 0; i < 5; i++) {
            ImageFixtures.write(dir, "img" + i + ".png", png(i));
        }
        ImageFolderLoader.Opened opened = open(dir);
        ImageCacheFile.Contents contents = ImageCacheFile.read(opened.cacheFile());
        // The previous version's formula, with its decoder version, written out.
        String old = "image-folder;content=" + HexFormat.of().formatHex(contents.contentDigest())
                + ";shape=3x16x16;crop=largest-square;decoder=commons-imaging-1.0.0-alpha6/CommonsImagingDecoder-v1"
                + ";resampler=" + ImageResampler.VERSION + ";split=by-name;test-fraction=0.1;skipped=0";
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(old.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, opened.splits().fingerprint());
    }

    @Test
    void problemsInsideFilesAreDataAndProblemsWithTheRequestAreUsage() throws Exception {
        Path dir = root.resolve("bad");
        ImageFixtures.write(dir, "a.png", png(1));
        ImageFixtures.write(dir, "b.jpg", ImageFixtures.randomBytes(400, 2));
        assertEquals(DatasetException.Cause.DATA, failure(dir).cause());
        assertEquals(DatasetException.Cause.USAGE, failure(root.resolve("nowhere")).cause());
        // A wrong option is a usage error too, from the SPI's option parser.
        assertThrows(IllegalArgumentException.class, () -> open(dir, "crop", "-3"));
    }
}
