package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.images.ImageDecoder;
import org.onnxtoolkit.images.ImageResampler;
import org.onnxtoolkit.images.RgbImage;
import org.onnxtoolkit.images.UndecodableImageException;

/**
 * Opens a folder of images as train and test splits: lists it ({@link FolderListing}: flat, or class folders),
 * decodes, crops and resizes every image once (in parallel, reporting progress) into a cache file, and serves
 * both splits from that file, memory-mapped.
 *
 * <p><b>Cache.</b> One file per (folder, crop, shape, decoder) in the cache folder, named after the folder
 * (for example {@code img_align_celeba-3x64x64-crop168-0123456789abcdef.imgcache}); see {@link ImageCacheFile}
 * for the format. It is reused when its key matches: a SHA-256 over the cache format, decoder (with its EXIF
 * setting) and resampler versions, the folder's real path, the crop and the shape, and every entry's name, size
 * and modification time (and, for an unreadable entry, why). Adding, removing, replacing or touching an image
 * changes the key, and the next open decodes the folder again and replaces the file. A cache file that cannot
 * be read (damaged, another format version) is rebuilt likewise. The split is not part of the key: it is made
 * afresh on each open from the names (milliseconds), so changing {@code test-fraction} or the partition file
 * reuses the decoded pixels.
 *
 * <p><b>Undecodable images and unreadable entries.</b> Without {@code skip-corrupt}, the first image in name
 * order that cannot be decoded, or entry that cannot be read (a broken link, a loop of links, a named pipe),
 * stops the open with a message naming it (exit 1: {@link DatasetException.Cause#DATA}), and no cache is
 * written. With it, such entries are recorded in the cache (so a later open knows them without decoding) and left
 * out of both splits.
 *
 * <p><b>Fingerprint.</b> A SHA-256 over the source files (each file's name and the SHA-256 of its bytes, in
 * name order), the crop, shape, the recipes of the decoded images (which decoder made them, whether they were
 * turned; see {@link ImageDecoder#decodeWithRecipe}), the resampler version, the split rule, the number and
 * names of the skipped entries, and for class folders the class names. It does not depend on where the folder
 * is or on file times; a flat folder of images decoded as before (Commons Imaging, not turned) keeps the
 * fingerprint it had before the recipes existed.
 *
 * <p>Thread-safe: each {@link #open} works on its own; several processes may fill the same cache file, the
 * last complete one wins.
 */
final class ImageFolderLoader {
    /** Larger files are reported as undecodable rather than read into memory whole. */
    static final long MAX_FILE_BYTES = 256L << 20;

    private final ImageDecoder decoder;
    private final int threads;

    /**
     * @param decoder decodes image files; {@link ImageDecoder#withExifOrientation} selects the variant each
     *                open asks for
     * @param threads how many images are decoded at once, {@code >= 1}
     */
    ImageFolderLoader(ImageDecoder decoder, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.decoder = decoder;
        this.threads = threads;
    }

    /**
     * An opened folder.
     *
     * @param splits     the train and test splits
     * @param trainNames the name of each train image, in split order
     * @param testNames  the name of each test image, in split order
     * @param skipped    names of the entries left out because they could not be decoded or read, in name order
     * @param cacheFile  the cache file the pixels are mapped from
     * @param decoded    how many images were decoded by this open (0 when the cache was reused)
     */
    record Opened(DatasetSplits splits, List<String> trainNames, List<String> testNames, List<String> skipped,
                  Path cacheFile, int decoded) {
    }

    /**
     * Opens {@code folder}.
     *
     * @param partitionFile CelebA's partition file to split by, or null to split by file name
     * @param classFolders  whether a folder without images of its own is read as class folders
     * @param progress      where decoding the folder into the cache is reported
     * @param hint          what the dataset expects in {@code --data-dir}, appended to folder messages
     */
    Opened open(String datasetId, Path folder, Path partitionFile, boolean classFolders, ImageFolderOptions options,
                Progress progress, String hint) throws DatasetException {
        FolderListing listing = FolderListing.read(datasetId, folder, classFolders, hint);
        ImageDecoder decoder = this.decoder.withExifOrientation(options.exifOrientation());
        List<String> names = listing.names();
        EvalPartition partition = null;
        if (partitionFile != null) {
            if (options.testFractionGiven()) {
                throw new DatasetException("dataset " + datasetId + ": option " + ImageFolderOptions.TEST_FRACTION
                        + " does not apply, the split comes from partition file " + partitionFile
                        + "; drop the option, or remove the partition file to split by file name");
            }
            partition = EvalPartition.read(datasetId, partitionFile);
            partition.requireSameImages(datasetId, folder, names);
        } else if (options.validation() != null) {
            throw new DatasetException("dataset " + datasetId + ": option " + ImageFolderOptions.VALIDATION
                    + " applies only with a partition file (" + EvalPartition.TXT_NAME + "), and there is none for "
                    + folder + "; drop the option");
        }

        ImageShape shape = options.shape();
        Path cacheFile = options.cacheDir().resolve(cacheFileName(decoder, listing, options));
        byte[] key = key(decoder, listing, options);
        ImageCacheFile.Contents contents = reuse(cacheFile, key, shape, names);
        int decoded = 0;
        if (contents == null) {
            decoded = build(datasetId, decoder, listing, options, progress, cacheFile, key);
            try {
                contents = ImageCacheFile.read(cacheFile);
            } catch (IOException e) {
                throw DatasetException.badData("dataset " + datasetId + ": cannot read back the decoded-image cache "
                        + cacheFile + " (" + e.getMessage() + "); delete it, or set option "
                        + ImageFolderOptions.CACHE_DIR + " to another folder", e);
            }
        }

        List<ImageCacheFile.Entry> entries = contents.entries();
        boolean[] usable = new boolean[entries.size()];
        List<String> skipped = new ArrayList<>();
        List<String> skippedUnreadable = new ArrayList<>();
        for (int slot = 0; slot < usable.length; slot++) {
            ImageCacheFile.Entry entry = entries.get(slot);
            usable[slot] = entry.decoded();
            if (!entry.decoded()) {
                if (!options.skipCorrupt()) {
                    throw failure(datasetId, listing, slot, entry);
                }
                skipped.add(entry.name());
                if (entry.status() == ImageCacheFile.Status.UNREADABLE) {
                    skippedUnreadable.add(entry.name() + " (" + entry.failure() + ")");
                }
            }
        }
        int usableCount = entries.size() - skipped.size();
        if (usableCount < 2) {
            throw new DatasetException("dataset " + datasetId + ": image folder " + folder + " has " + usableCount
                    + " decodable image" + (usableCount == 1 ? "" : "s")
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " skipped as undecodable)")
                    + "; at least 2 are needed, one to train on and one to test on");
        }
        SplitAssignment split = partition == null
                ? SplitAssignment.byName(names, usable, options.testFraction())
                : SplitAssignment.byPartition(names, usable, partition, options.validationOrDefault());
        if (split.train().length == 0 || split.test().length == 0) {
            String which = split.train().length == 0 ? "train (partition 0)" : "test (partition 2)";
            throw DatasetException.badData("dataset " + datasetId + ": partition file " + partition.file()
                    + " leaves the " + which + " split without a decodable image of " + folder + "; fix the file,"
                    + " or set option " + ImageFolderOptions.VALIDATION + " to move the validation images"
                    + " (partition 1) there");
        }
        String fingerprint = fingerprint(contents, listing.classes(), options, split, skipped);
        List<String> notes = new ArrayList<>(listing.notes());
        if (!skipped.isEmpty()) {
            notes.add(skipNote(skipped, skippedUnreadable));
        }
        int[] labels = null;
        if (!listing.classes().isEmpty()) {
            labels = listing.images().stream().mapToInt(FolderListing.ImageFile::label).toArray();
        }
        DatasetSplits splits = new DatasetSplits(
                new MappedImageSplit(shape, contents.pixels(), split.train(), labels),
                new MappedImageSplit(shape, contents.pixels(), split.test(), labels), fingerprint, notes,
                listing.classes());
        return new Opened(splits, IntStream.of(split.train()).mapToObj(names::get).toList(),
                IntStream.of(split.test()).mapToObj(names::get).toList(), List.copyOf(skipped), cacheFile, decoded);
    }

    /**
     * "skipped 2 undecodable images: a.jpg, b.jpg" when every skipped entry is an undecodable image; unreadable
     * entries (broken links, pipes) are listed with their reasons.
     */
    private static String skipNote(List<String> skipped, List<String> unreadable) {
        String names = String.join(", ", skipped.subList(0, Math.min(5, skipped.size())))
                + (skipped.size() > 5 ? ", ..." : "");
        String reasons = String.join(", ", unreadable.subList(0, Math.min(5, unreadable.size())))
                + (unreadable.size() > 5 ? ", ..." : "");
        if (unreadable.isEmpty()) {
            return "skipped " + skipped.size() + " undecodable image" + (skipped.size() == 1 ? "" : "s") + ": "
                    + names;
        }
        if (unreadable.size() == skipped.size()) {
            return "skipped " + skipped.size() + " unreadable entr" + (skipped.size() == 1 ? "y" : "ies") + ": "
                    + reasons;
        }
        return "skipped " + skipped.size() + " undecodable images or unreadable entries: " + names + "; unreadable: "
                + reasons;
    }

    /** The cache file's contents when it exists and was made from exactly this listing and these options. */
    private static ImageCacheFile.Contents reuse(Path cacheFile, byte[] key, ImageShape shape, List<String> names) {
        if (!Files.isRegularFile(cacheFile)) {
            return null;
        }
        ImageCacheFile.Contents contents;
        try {
            contents = ImageCacheFile.read(cacheFile);
        } catch (IOException e) {
            return null; // damaged or another format version: decode again and replace it
        }
        if (!Arrays.equals(contents.key(), key) || !contents.shape().equals(shape)
                || !contents.entries().stream().map(ImageCacheFile.Entry::name).toList().equals(names)) {
            return null;
        }
        return contents;
    }

    /** Decodes every image into a new cache file; returns how many were decoded. */
    private int build(String datasetId, ImageDecoder decoder, FolderListing listing, ImageFolderOptions options,
                      Progress progress, Path cacheFile, byte[] key) throws DatasetException {
        try (ImageCacheFile.Writer writer = ImageCacheFile.Writer.create(cacheFile, options.shape(), listing.size());
             Progress.Task task = progress.start("decoding " + listing.size() + " image"
                     + (listing.size() == 1 ? "" : "s") + " of " + folderName(listing), listing.size())) {
            DecodeRun run = new DecodeRun(datasetId, decoder, listing, options, writer, task);
            run.decodeAll();
            writer.commit(run.entries(), key, run.contentDigest());
            return run.decodedCount();
        } catch (IOException e) {
            throw DatasetException.badData("dataset " + datasetId + ": cannot write the decoded-image cache "
                    + cacheFile + " (" + e.getMessage() + "); set option " + ImageFolderOptions.CACHE_DIR
                    + " to a writable folder with room for it", e);
        }
    }

    /** The folder's own name, for the progress label. */
    private static String folderName(FolderListing listing) {
        Path absolute = listing.folder().toAbsolutePath().normalize();
        return absolute.getFileName() == null ? absolute.toString() : FileKinds.name(absolute);
    }

    /** One parallel pass over a folder's images. */
    private final class DecodeRun {
        private final String datasetId;
        private final ImageDecoder decoder;
        private final FolderListing listing;
        private final ImageFolderOptions options;
        private final ImageCacheFile.Writer writer;
        private final Progress.Task task;
        private final int count;
        /** Per slot: the recipe of its pixels, or null when it has none. */
        private final String[] recipes;
        /** Per slot: why it could not be decoded or read, or null. */
        private final String[] failures;
        /** Per slot: whether the failure is an unreadable entry rather than undecodable bytes. */
        private final boolean[] unreadable;
        /** Per slot: the SHA-256 of the file's bytes. */
        private final byte[][] fileDigests;
        /** Per slot: an error that stops the run, or null. */
        private final DatasetException[] errors;
        private final AtomicInteger next = new AtomicInteger();
        /** The lowest slot with an error so far; workers take no slot above it. */
        private final AtomicInteger firstError = new AtomicInteger(Integer.MAX_VALUE);
        private final AtomicInteger decoded = new AtomicInteger();

        DecodeRun(String datasetId, ImageDecoder decoder, FolderListing listing, ImageFolderOptions options,
                  ImageCacheFile.Writer writer, Progress.Task task) {
            this.datasetId = datasetId;
            this.decoder = decoder;
            this.listing = listing;
            this.options = options;
            this.writer = writer;
            this.task = task;
            this.count = listing.size();
            this.recipes = new String[count];
            this.failures = new String[count];
            this.unreadable = new boolean[count];
            this.fileDigests = new byte[count][];
            this.errors = new DatasetException[count];
        }

        /**
         * Decodes every slot, or stops at the error with the lowest slot. Slots are taken in increasing order, so
         * when a slot fails every lower slot has been taken and is finished once the workers are: the error
         * reported is the first in name order, whatever the timing.
         */
        void decodeAll() throws DatasetException {
            int workers = Math.min(threads, count);
            ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
                Thread thread = new Thread(runnable, "image-folder-decoder");
                thread.setDaemon(true);
                return thread;
            });
            try {
                List<Callable<Void>> tasks = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    tasks.add(this::work);
                }
                for (Future<Void> future : pool.invokeAll(tasks)) {
                    future.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatasetException("dataset " + datasetId + ": interrupted while decoding " + listing.folder(), e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException("decoding " + listing.folder() + " failed unexpectedly", cause);
            } finally {
                pool.shutdownNow();
            }
            int first = firstError.get();
            if (first != Integer.MAX_VALUE) {
                throw errors[first];
            }
        }

        private Void work() throws NoSuchAlgorithmException {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] pixels = new byte[options.shape().size()];
            int slot;
            while ((slot = next.getAndIncrement()) < count && slot < firstError.get()) {
                try {
                    decode(slot, sha256, pixels);
                } catch (DatasetException e) {
                    errors[slot] = e;
                    firstError.accumulateAndGet(slot, Math::min);
                }
                task.advance(1);
            }
            return null;
        }

        private void decode(int slot, MessageDigest sha256, byte[] pixels) throws DatasetException {
            FolderListing.ImageFile image = listing.images().get(slot);
            String file = display(listing, slot);
            if (image.problem() != null) {
                fileDigests[slot] = sha256.digest(("unreadable: " + image.problem()).getBytes(StandardCharsets.UTF_8));
                unreadable[slot] = true;
                fail(slot, image.problem());
                return;
            }
            if (image.size() > MAX_FILE_BYTES) {
                // Not worth reading whole into memory: no photo of a sensible size is this large.
                fileDigests[slot] = sha256.digest((image.size() + " bytes").getBytes(StandardCharsets.UTF_8));
                fail(slot, "the file has " + image.size() + " bytes, more than the " + MAX_FILE_BYTES
                        + " read as one image");
                return;
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(image.path());
            } catch (NoSuchFileException e) {
                throw DatasetException.badData("dataset " + datasetId + ": " + file
                        + " disappeared while the folder was being decoded; open the dataset again", e);
            } catch (IOException e) {
                throw DatasetException.badData("dataset " + datasetId + ": cannot read " + file + " ("
                        + e.getMessage() + "); check its permissions, or remove it", e);
            }
            fileDigests[slot] = sha256.digest(bytes);
            ImageDecoder.DecodedImage decodedImage;
            try {
                decodedImage = decoder.decodeWithRecipe(bytes);
            } catch (UndecodableImageException e) {
                fail(slot, e.getMessage());
                return;
            }
            RgbImage rgb = decodedImage.image();
            int crop = options.crop() == ImageFolderOptions.LARGEST_SQUARE ? Math.min(rgb.width(), rgb.height())
                    : options.crop();
            if (crop > rgb.width() || crop > rgb.height()) {
                throw new DatasetException("dataset " + datasetId + ": " + file + " is " + rgb.width() + "x"
                        + rgb.height() + ", smaller than the " + crop + "x" + crop + " centre crop; set option "
                        + ImageFolderOptions.CROP + " to at most the smallest image side (" + Math.min(rgb.width(),
                        rgb.height()) + " here), leave it out to crop each image to its largest centred square, or"
                        + " remove the image");
            }
            ImageResampler.cropAndResize(rgb, crop, options.shape(), pixels, 0);
            try {
                writer.writeImage(slot, pixels);
            } catch (IOException e) {
                throw DatasetException.badData("dataset " + datasetId + ": cannot write the decoded-image cache in "
                        + options.cacheDir() + " (" + e.getMessage() + "); set option " + ImageFolderOptions.CACHE_DIR
                        + " to a writable folder with room for it", e);
            }
            recipes[slot] = decodedImage.recipe();
            decoded.incrementAndGet();
        }

        /** Records an undecodable image or unreadable entry, or stops the run when they are not skipped. */
        private void fail(int slot, String reason) throws DatasetException {
            failures[slot] = reason;
            if (!options.skipCorrupt()) {
                throw failure(datasetId, listing, slot, entry(slot));
            }
        }

        private ImageCacheFile.Entry entry(int slot) {
            String name = listing.images().get(slot).name();
            if (failures[slot] == null) {
                return ImageCacheFile.Entry.decoded(name, recipes[slot]);
            }
            return new ImageCacheFile.Entry(name, unreadable[slot] ? ImageCacheFile.Status.UNREADABLE
                    : ImageCacheFile.Status.UNDECODABLE, failures[slot]);
        }

        List<ImageCacheFile.Entry> entries() {
            List<ImageCacheFile.Entry> entries = new ArrayList<>(count);
            for (int slot = 0; slot < count; slot++) {
                entries.add(entry(slot));
            }
            return entries;
        }

        /** SHA-256 over each file's name, a zero byte and the SHA-256 of its bytes, in name order. */
        byte[] contentDigest() {
            MessageDigest digest = sha256();
            for (int slot = 0; slot < count; slot++) {
                digest.update(listing.images().get(slot).name().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(fileDigests[slot]);
            }
            return digest.digest();
        }

        int decodedCount() {
            return decoded.get();
        }
    }

    /** The entry's path for messages: the folder as given, then its readable name. */
    private static String display(FolderListing listing, int slot) {
        return listing.folder() + java.io.File.separator + listing.images().get(slot).name();
    }

    /** Why the open stops at an entry that has no pixels (exit 1: the data is at fault). */
    private static DatasetException failure(String datasetId, FolderListing listing, int slot,
                                            ImageCacheFile.Entry entry) {
        String file = display(listing, slot);
        if (entry.status() == ImageCacheFile.Status.UNREADABLE) {
            return DatasetException.badData("dataset " + datasetId + ": cannot read " + file + ": it is "
                    + entry.failure() + "; fix or remove it, or set option " + ImageFolderOptions.SKIP_CORRUPT
                    + "=true to skip unreadable entries and undecodable images");
        }
        return DatasetException.badData("dataset " + datasetId + ": cannot decode " + file + " (" + entry.failure()
                + "); replace or remove the file, or set option " + ImageFolderOptions.SKIP_CORRUPT
                + "=true to skip undecodable images");
    }

    /**
     * The cache file's name: the folder's name (letters, digits, dot, dash and underscore kept), the shape, the
     * crop, and 16 hex digits of a hash of the folder's real path, crop, shape and decoder, so that each folder
     * and configuration has one file that a changed listing replaces.
     */
    static String cacheFileName(ImageDecoder decoder, FolderListing listing, ImageFolderOptions options) {
        String real = listing.realFolder();
        String last = real.substring(real.lastIndexOf('/') + 1);
        String base = last.isEmpty() ? "root" : last.replaceAll("[^A-Za-z0-9._-]", "_");
        if (base.length() > 40) {
            base = base.substring(0, 40);
        }
        String identity = real + "\n" + options.shape() + "\n" + options.cropText() + "\n"
                + decoder.version() + "\n" + ImageResampler.VERSION;
        String hash = HexFormat.of().formatHex(sha256().digest(identity.getBytes(StandardCharsets.UTF_8)), 0, 8);
        return base + "-" + options.shape() + "-crop" + options.cropText() + "-" + hash + ".imgcache";
    }

    /** What the cached pixels are made from; see the class comment. */
    static byte[] key(ImageDecoder decoder, FolderListing listing, ImageFolderOptions options) {
        MessageDigest digest = sha256();
        String header = "image-folder-cache;format=" + ImageCacheFile.FORMAT_VERSION + ";decoder=" + decoder.version()
                + ";resampler=" + ImageResampler.VERSION + ";folder=" + listing.realFolder() + ";shape="
                + options.shape() + ";crop=" + options.cropText() + "\n";
        digest.update(header.getBytes(StandardCharsets.UTF_8));
        for (FolderListing.ImageFile image : listing.images()) {
            digest.update((image.name() + "\t" + image.size() + "\t" + image.modifiedNanos() + "\t" + image.label()
                    + (image.problem() == null ? "" : "\t" + image.problem()) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return digest.digest();
    }

    /**
     * See the class comment. The decoder part is the sorted distinct recipes of the decoded images: for a
     * folder whose images Commons Imaging decoded without turning any, that is the decoder version fingerprints
     * named before recipes existed, so such folders keep their fingerprints.
     */
    private static String fingerprint(ImageCacheFile.Contents contents, List<String> classes,
                                      ImageFolderOptions options, SplitAssignment split, List<String> skipped) {
        String recipes = String.join(",", new TreeSet<>(contents.entries().stream()
                .filter(ImageCacheFile.Entry::decoded).map(ImageCacheFile.Entry::recipe).toList()));
        StringBuilder text = new StringBuilder("image-folder;content=")
                .append(HexFormat.of().formatHex(contents.contentDigest()))
                .append(";shape=").append(options.shape())
                .append(";crop=").append(options.cropText())
                .append(";decoder=").append(recipes)
                .append(";resampler=").append(ImageResampler.VERSION)
                .append(";split=").append(split.rule())
                .append(";skipped=").append(skipped.size());
        for (String name : skipped) {
            text.append('\n').append(name);
        }
        if (!classes.isEmpty()) {
            text.append("\nclasses=").append(String.join("\n", classes));
        }
        return HexFormat.of().formatHex(sha256().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
    }
}
