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

/**
 * Opens a folder of images as train and test splits: lists it, decodes, crops and resizes every image once
 * (in parallel) into a cache file, and serves both splits from that file, memory-mapped.
 *
 * <p><b>Cache.</b> One file per (folder, crop, shape, decoder) in the cache folder, named after the folder
 * (for example {@code img_align_celeba-3x64x64-crop168-0123456789abcdef.imgcache}); see {@link ImageCacheFile}
 * for the format. It is reused when its key matches: a SHA-256 over the cache format, decoder and resampler
 * versions, the folder's real path, the crop and the shape, and every image file's name, size and
 * modification time. Adding, removing, replacing or touching an image changes the key, and the next open
 * decodes the folder again and replaces the file. A cache file that cannot be read (damaged, another format
 * version) is rebuilt likewise. The split is not part of the key: it is made afresh on each open from the
 * names (milliseconds), so changing {@code test-fraction} or the partition file reuses the decoded pixels.
 *
 * <p><b>Undecodable images.</b> Without {@code skip-corrupt}, the first image in name order that cannot be
 * decoded stops the open with a message naming it, and no cache is written. With it, such images are
 * recorded in the cache (so a later open knows them without decoding) and left out of both splits.
 *
 * <p><b>Fingerprint.</b> A SHA-256 over the source files (each file's name and the SHA-256 of its bytes, in
 * name order), the crop, shape, decoder and resampler versions, the split rule, and the number and names of
 * the skipped images. It does not depend on where the folder is or on file times.
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
     * @param decoder decodes image files
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
     * @param trainNames the file name of each train image, in split order
     * @param testNames  the file name of each test image, in split order
     * @param skipped    names of the images left out because they could not be decoded, in name order
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
     * @param hint          what the dataset expects in {@code --data-dir}, appended to folder messages
     */
    Opened open(String datasetId, Path folder, Path partitionFile, ImageFolderOptions options, String hint)
            throws DatasetException {
        FolderListing listing = FolderListing.read(datasetId, folder, hint);
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
        Path cacheFile = options.cacheDir().resolve(cacheFileName(listing, options));
        byte[] key = key(listing, options);
        ImageCacheFile.Contents contents = reuse(cacheFile, key, shape, names);
        int decoded = 0;
        if (contents == null) {
            decoded = build(datasetId, listing, options, cacheFile, key);
            try {
                contents = ImageCacheFile.read(cacheFile);
            } catch (IOException e) {
                throw new DatasetException("dataset " + datasetId + ": cannot read back the decoded-image cache "
                        + cacheFile + " (" + e.getMessage() + "); delete it, or set option "
                        + ImageFolderOptions.CACHE_DIR + " to another folder", e);
            }
        }

        List<ImageCacheFile.Entry> entries = contents.entries();
        boolean[] usable = new boolean[entries.size()];
        List<String> skipped = new ArrayList<>();
        for (int slot = 0; slot < usable.length; slot++) {
            ImageCacheFile.Entry entry = entries.get(slot);
            usable[slot] = entry.decoded();
            if (!entry.decoded()) {
                if (!options.skipCorrupt()) {
                    throw undecodable(datasetId, folder.resolve(entry.name()), entry.failure());
                }
                skipped.add(entry.name());
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
            throw new DatasetException("dataset " + datasetId + ": partition file " + partition.file()
                    + " leaves the " + which + " split without a decodable image of " + folder + "; fix the file, or"
                    + " set option " + ImageFolderOptions.VALIDATION + " to move the validation images (partition 1)"
                    + " there");
        }
        String fingerprint = fingerprint(contents.contentDigest(), options, split, skipped);
        List<String> notes = skipped.isEmpty() ? List.of() : List.of("skipped " + skipped.size()
                + " undecodable image" + (skipped.size() == 1 ? "" : "s") + ": "
                + String.join(", ", skipped.subList(0, Math.min(5, skipped.size())))
                + (skipped.size() > 5 ? ", ..." : ""));
        DatasetSplits splits = new DatasetSplits(new MappedImageSplit(shape, contents.pixels(), split.train()),
                new MappedImageSplit(shape, contents.pixels(), split.test()), fingerprint, notes);
        return new Opened(splits, IntStream.of(split.train()).mapToObj(names::get).toList(),
                IntStream.of(split.test()).mapToObj(names::get).toList(), List.copyOf(skipped), cacheFile, decoded);
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
    private int build(String datasetId, FolderListing listing, ImageFolderOptions options, Path cacheFile, byte[] key)
            throws DatasetException {
        try (ImageCacheFile.Writer writer = ImageCacheFile.Writer.create(cacheFile, options.shape(), listing.size())) {
            DecodeRun run = new DecodeRun(datasetId, listing, options, writer);
            run.decodeAll();
            writer.commit(run.entries(), key, run.contentDigest());
            return run.decodedCount();
        } catch (IOException e) {
            throw new DatasetException("dataset " + datasetId + ": cannot write the decoded-image cache " + cacheFile
                    + " (" + e.getMessage() + "); set option " + ImageFolderOptions.CACHE_DIR
                    + " to a writable folder with room for it", e);
        }
    }

    /** One parallel pass over a folder's images. */
    private final class DecodeRun {
        private final String datasetId;
        private final FolderListing listing;
        private final ImageFolderOptions options;
        private final ImageCacheFile.Writer writer;
        private final int count;
        /** Per slot: why it could not be decoded, or null. */
        private final String[] failures;
        /** Per slot: the SHA-256 of the file's bytes. */
        private final byte[][] fileDigests;
        /** Per slot: an error that stops the run, or null. */
        private final DatasetException[] errors;
        private final AtomicInteger next = new AtomicInteger();
        /** The lowest slot with an error so far; workers take no slot above it. */
        private final AtomicInteger firstError = new AtomicInteger(Integer.MAX_VALUE);
        private final AtomicInteger decoded = new AtomicInteger();

        DecodeRun(String datasetId, FolderListing listing, ImageFolderOptions options, ImageCacheFile.Writer writer) {
            this.datasetId = datasetId;
            this.listing = listing;
            this.options = options;
            this.writer = writer;
            this.count = listing.size();
            this.failures = new String[count];
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
            }
            return null;
        }

        private void decode(int slot, MessageDigest sha256, byte[] pixels) throws DatasetException {
            FolderListing.ImageFile image = listing.images().get(slot);
            Path file = listing.folder().resolve(image.name());
            if (image.size() > MAX_FILE_BYTES) {
                // Not worth reading whole into memory: no photo of a sensible size is this large.
                fileDigests[slot] = sha256.digest((image.size() + " bytes").getBytes(StandardCharsets.UTF_8));
                fail(slot, file, "the file has " + image.size() + " bytes, more than the " + MAX_FILE_BYTES
                        + " read as one image");
                return;
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new DatasetException("dataset " + datasetId + ": " + file
                        + " disappeared while the folder was being decoded; open the dataset again", e);
            } catch (IOException e) {
                throw new DatasetException("dataset " + datasetId + ": cannot read " + file + " (" + e.getMessage()
                        + "); check its permissions, or remove it", e);
            }
            fileDigests[slot] = sha256.digest(bytes);
            RgbImage rgb;
            try {
                rgb = decoder.decode(bytes);
            } catch (UndecodableImageException e) {
                fail(slot, file, e.getMessage());
                return;
            }
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
                throw new DatasetException("dataset " + datasetId + ": cannot write the decoded-image cache in "
                        + options.cacheDir() + " (" + e.getMessage() + "); set option " + ImageFolderOptions.CACHE_DIR
                        + " to a writable folder with room for it", e);
            }
            decoded.incrementAndGet();
        }

        /** Records an undecodable image, or stops the run when undecodable images are not skipped. */
        private void fail(int slot, Path file, String reason) throws DatasetException {
            if (!options.skipCorrupt()) {
                throw undecodable(datasetId, file, reason);
            }
            failures[slot] = reason;
        }

        List<ImageCacheFile.Entry> entries() {
            List<ImageCacheFile.Entry> entries = new ArrayList<>(count);
            for (int slot = 0; slot < count; slot++) {
                entries.add(new ImageCacheFile.Entry(listing.images().get(slot).name(), failures[slot]));
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

    private static DatasetException undecodable(String datasetId, Path file, String reason) {
        return new DatasetException("dataset " + datasetId + ": cannot decode " + file + " (" + reason
                + "); replace or remove the file, or set option " + ImageFolderOptions.SKIP_CORRUPT
                + "=true to skip undecodable images");
    }

    /**
     * The cache file's name: the folder's name (letters, digits, dot, dash and underscore kept), the shape, the
     * crop, and 16 hex digits of a hash of the folder's real path, crop, shape and decoder, so that each folder
     * and configuration has one file that a changed listing replaces.
     */
    String cacheFileName(FolderListing listing, ImageFolderOptions options) {
        Path folderName = listing.realFolder().getFileName();
        String base = folderName == null ? "root" : folderName.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        if (base.length() > 40) {
            base = base.substring(0, 40);
        }
        String identity = listing.realFolder() + "\n" + options.shape() + "\n" + options.cropText() + "\n"
                + decoder.version() + "\n" + ImageResampler.VERSION;
        String hash = HexFormat.of().formatHex(sha256().digest(identity.getBytes(StandardCharsets.UTF_8)), 0, 8);
        return base + "-" + options.shape() + "-crop" + options.cropText() + "-" + hash + ".imgcache";
    }

    /** What the cached pixels are made from; see the class comment. */
    byte[] key(FolderListing listing, ImageFolderOptions options) {
        MessageDigest digest = sha256();
        String header = "image-folder-cache;format=" + ImageCacheFile.FORMAT_VERSION + ";decoder=" + decoder.version()
                + ";resampler=" + ImageResampler.VERSION + ";folder=" + listing.realFolder() + ";shape="
                + options.shape() + ";crop=" + options.cropText() + "\n";
        digest.update(header.getBytes(StandardCharsets.UTF_8));
        for (FolderListing.ImageFile image : listing.images()) {
            digest.update((image.name() + "\t" + image.size() + "\t" + image.modifiedNanos() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return digest.digest();
    }

    private String fingerprint(byte[] contentDigest, ImageFolderOptions options, SplitAssignment split,
                               List<String> skipped) {
        StringBuilder text = new StringBuilder("image-folder;content=").append(HexFormat.of().formatHex(contentDigest))
                .append(";shape=").append(options.shape())
                .append(";crop=").append(options.cropText())
                .append(";decoder=").append(decoder.version())
                .append(";resampler=").append(ImageResampler.VERSION)
                .append(";split=").append(split.rule())
                .append(";skipped=").append(skipped.size());
        for (String name : skipped) {
            text.append('\n').append(name);
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
