package com.example.toolkitplugin;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.PluginId;

/**
 * {@code pgm-folder}: grey images from a folder of PGM files, split by sub-folder:
 *
 * <pre>
 * DATA_DIR/train/*.pgm   the train split
 * DATA_DIR/test/*.pgm    the test split
 * </pre>
 *
 * <p>Only files whose names end in {@code .pgm} (any case) directly inside {@code train/} and {@code test/}
 * are read, in the order of their names; other files and deeper folders are ignored. Each file is one
 * binary ({@code P5}) or plain ({@code P2}) 8-bit image, read strictly by {@link PgmReader}. Every image of
 * both splits must have the same width and height; the dataset's shape is {@code 1 x height x width}. Images
 * are never resized, so a model asking for another shape is refused.
 *
 * <p>The fingerprint is a SHA-256 over each file's split, name and SHA-256 content hash, in reading order.
 * Takes no options (the default {@link Dataset#options()}). Stateless and thread-safe; every {@link #open} reads
 * the files again.
 */
@PluginId(PgmFolderDataset.ID)
@ApplicationScoped
public class PgmFolderDataset implements Dataset {
    /** The plugin id. */
    public static final String ID = "pgm-folder";
    /** Sub-folders of the data folder, one per split. */
    public static final String TRAIN_FOLDER = "train";
    public static final String TEST_FOLDER = "test";
    private static final String SUFFIX = ".pgm";
    private static final String FINGERPRINT_VERSION = "pgm-folder-v1";

    @Override
    public String description() {
        return "grey PGM images (P5/P2, 8-bit) from --data-dir: train/*.pgm and test/*.pgm";
    }

    /**
     * Null: the shape is that of the files, known only once they are read (the SPI's "any shape" value; a
     * model asking for a shape the files do not have is refused by {@link #open}).
     */
    @Override
    public ImageShape nativeShape() {
        return null;
    }

    @Override
    public DatasetSplits open(DatasetOptions options) throws DatasetException {
        options.optionsFor(this); // declares no options, so this refuses any, naming the dataset
        Path dir = options.dataDir();
        if (dir == null) {
            throw new DatasetException("dataset " + ID + " needs --data-dir: a folder with " + TRAIN_FOLDER + "/ and "
                    + TEST_FOLDER + "/ sub-folders of .pgm files");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("dataset " + ID + ": data folder " + dir + " does not exist or is not a folder");
        }
        MessageDigest fingerprint = sha256();
        fingerprint.update(FINGERPRINT_VERSION.getBytes(StandardCharsets.UTF_8));
        Reading reading = new Reading(fingerprint);
        byte[] train = reading.split(dir, TRAIN_FOLDER);
        byte[] test = reading.split(dir, TEST_FOLDER);
        ImageShape shape = reading.shape;
        if (options.shape() != null && !options.shape().equals(shape)) {
            throw new DatasetException("dataset " + ID + ": the images in " + dir + " are " + shape + " and are not"
                    + " resized, but the model asks for " + options.shape() + "; configure the model for " + shape
                    + " images (for example -O image-size=" + shape.height() + ")");
        }
        return new DatasetSplits(new GreyImageSplit(shape, train), new GreyImageSplit(shape, test),
                HexFormat.of().formatHex(fingerprint.digest()));
    }

    /** The state of one {@link #open}: the shape fixed by the first image, and the running fingerprint. */
    private static final class Reading {
        private final MessageDigest fingerprint;
        private ImageShape shape;
        private Path first;

        Reading(MessageDigest fingerprint) {
            this.fingerprint = fingerprint;
        }

        /** The split's images, {@code [N, 1, H, W]}. */
        byte[] split(Path dir, String folderName) throws DatasetException {
            Path folder = dir.resolve(folderName);
            if (!Files.isDirectory(folder)) {
                throw new DatasetException("dataset " + ID + ": " + dir + " has no " + folderName + "/ sub-folder; put"
                        + " the images in " + dir.resolve(TRAIN_FOLDER) + "/*.pgm and " + dir.resolve(TEST_FOLDER)
                        + "/*.pgm");
            }
            List<Path> files = pgmFiles(folder);
            if (files.isEmpty()) {
                throw new DatasetException("dataset " + ID + ": " + folder + " holds no .pgm files");
            }
            byte[] pixels = null;
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                byte[] bytes = PgmReader.readBytes(file);
                PgmImage image = PgmReader.parse(file, bytes);
                if (shape == null) {
                    shape = new ImageShape(1, image.height(), image.width());
                    first = file;
                } else if (image.height() != shape.height() || image.width() != shape.width()) {
                    throw new DatasetException("dataset " + ID + ": " + file + " is " + image.width() + "x"
                            + image.height() + " but " + first + " is " + shape.width() + "x" + shape.height()
                            + "; every image must have the same size");
                }
                if (pixels == null) {
                    long total = (long) files.size() * shape.size();
                    if (total > Integer.MAX_VALUE - 8) {
                        throw new DatasetException("dataset " + ID + ": " + folder + " holds " + files.size() + " images of "
                                + shape + ", more than one split can hold (2 GiB of pixels)");
                    }
                    pixels = new byte[(int) total];
                }
                System.arraycopy(image.pixels(), 0, pixels, i * shape.size(), shape.size());
                fingerprint.update((folderName + "/" + file.getFileName() + ":").getBytes(StandardCharsets.UTF_8));
                fingerprint.update(sha256().digest(bytes));
            }
            return pixels;
        }
    }

    /** The {@code *.pgm} regular files directly in {@code folder}, sorted by name (not by listing order). */
    private static List<Path> pgmFiles(Path folder) throws DatasetException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(SUFFIX))
                    .filter(Files::isRegularFile)
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new DatasetException("dataset " + ID + ": cannot list " + folder + " (" + e.getMessage() + ")", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
    }
}
