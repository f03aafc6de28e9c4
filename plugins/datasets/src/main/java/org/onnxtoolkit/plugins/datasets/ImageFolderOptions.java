package org.onnxtoolkit.plugins.datasets;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.PluginOptions;

/**
 * The checked options of an image-folder dataset ({@code image-folder}, {@code celeba}).
 *
 * @param shape             the output shape: square, 1 or 3 channels
 * @param crop              side of the centred square cut from each image before resizing, or
 *                          {@link #LARGEST_SQUARE} for the largest one ({@code min(width, height)})
 * @param skipCorrupt       skip undecodable images (and count them) instead of stopping
 * @param testFraction      share of the images held out for testing when there is no partition file
 * @param testFractionGiven whether {@code testFraction} was given, not defaulted
 * @param validation        where a partition file's validation images (partition 1) go, or null when not
 *                          given ({@link Validation#DROP})
 * @param cacheDir          folder of the decoded-image caches
 * @param exifOrientation   turn images as their EXIF orientation says (the default), or keep the stored pixels
 */
record ImageFolderOptions(ImageShape shape, int crop, boolean skipCorrupt, double testFraction,
                          boolean testFractionGiven, Validation validation, Path cacheDir, boolean exifOrientation) {
    /** Option: output side in pixels (images are square). */
    static final String IMAGE_SIZE = "image-size";
    /** Option: side of the centred square cut before resizing. */
    static final String CROP = "crop";
    /** Option: skip undecodable images instead of stopping. */
    static final String SKIP_CORRUPT = "skip-corrupt";
    /** Option: test share when the split is made by file name. */
    static final String TEST_FRACTION = "test-fraction";
    /** Option: where a partition file's validation images go. */
    static final String VALIDATION = "validation";
    /** Option: folder of the decoded-image caches. */
    static final String CACHE_DIR = "cache-dir";
    /** Option: {@code apply} (turn images as their EXIF orientation says) or {@code ignore}. */
    static final String EXIF = "exif";

    static final int DEFAULT_IMAGE_SIZE = 64;
    static final int MAX_IMAGE_SIZE = 4096;
    static final int MAX_CROP = 65_536;
    static final double DEFAULT_TEST_FRACTION = 0.1;
    /** The {@code crop} value meaning "the largest centred square". */
    static final int LARGEST_SQUARE = 0;

    /** Where CelebA's validation images (partition 1 of {@code list_eval_partition.txt}) go. */
    enum Validation {
        /** Left out, as torchvision's {@code CelebA(split="train")} and {@code split="test"} do. */
        DROP,
        /** Added to the train split. */
        TRAIN,
        /** Added to the test split. */
        TEST;

        String optionValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    ImageFolderOptions {
        if (shape.height() != shape.width()) {
            throw new IllegalArgumentException("image-folder shapes are square, got " + shape);
        }
        if (crop < 0) {
            throw new IllegalArgumentException("crop must be positive or LARGEST_SQUARE, got " + crop);
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
    }

    /** The crop as text for keys, names and fingerprints: the side, or {@code largest-square}. */
    String cropText() {
        return crop == LARGEST_SQUARE ? "largest-square" : Integer.toString(crop);
    }

    /** Validation images' destination; {@link Validation#DROP} when not given. */
    Validation validationOrDefault() {
        return validation == null ? Validation.DROP : validation;
    }

    /**
     * The options of an image-folder dataset, for {@link org.onnxtoolkit.api.spi.Dataset#options()}.
     *
     * @param defaultCrop the dataset's crop when the option is not given, or {@link #LARGEST_SQUARE}
     */
    static List<OptionSpec> specs(int defaultCrop) {
        return List.of(
                new OptionSpec(IMAGE_SIZE, Integer.toString(DEFAULT_IMAGE_SIZE), "side of the square images, 1 to "
                        + MAX_IMAGE_SIZE + " (a shape the model asks for sets it instead)"),
                new OptionSpec(CROP, defaultCrop == LARGEST_SQUARE ? "" : Integer.toString(defaultCrop),
                        "side of the centred square cut before resizing (none: the largest, min(width, height))"),
                new OptionSpec(SKIP_CORRUPT, "false", "true: skip images that cannot be decoded or read, and report them"),
                new OptionSpec(TEST_FRACTION, Double.toString(DEFAULT_TEST_FRACTION),
                        "test share when the split is made by file name"),
                new OptionSpec(VALIDATION, Validation.DROP.optionValue(),
                        "with a partition file, where its validation images go: drop, train or test"),
                new OptionSpec(CACHE_DIR, "", "folder of the decoded-image caches (none: $XDG_CACHE_HOME/onnxtoolkit/datasets,"
                        + " else ~/.cache/onnxtoolkit/datasets)"),
                new OptionSpec(EXIF, "apply", "apply: turn images as their EXIF orientation says; ignore: keep the stored"
                        + " pixels"));
    }

    /**
     * Checks and parses the options of a dataset whose {@code options()} are {@link #specs}.
     *
     * @param values    the request's options merged over the specs' defaults ({@link DatasetOptions#optionsFor})
     * @param requested the shape the model asks for, or null
     * @throws IllegalArgumentException when a value has the wrong form
     * @throws DatasetException         when the options and the requested shape disagree
     */
    static ImageFolderOptions parse(String datasetId, PluginOptions values, ImageShape requested)
            throws DatasetException {
        int size = values.getInt(IMAGE_SIZE, 1, MAX_IMAGE_SIZE);
        ImageShape shape;
        if (requested == null) {
            shape = new ImageShape(3, size, size);
        } else {
            if (requested.height() != requested.width()) {
                throw new DatasetException("dataset " + datasetId + " makes square images, but shape " + requested
                        + " was requested; request a square shape such as " + requested.channels() + "x"
                        + requested.height() + "x" + requested.height());
            }
            if (values.isGiven(IMAGE_SIZE) && size != requested.height()) {
                throw new DatasetException("dataset " + datasetId + ": option " + IMAGE_SIZE + "=" + size
                        + " disagrees with the requested image shape " + requested + "; give only one of them");
            }
            shape = requested;
        }
        // No crop (the default of image-folder) is the largest square; a crop given as empty text is an error.
        int crop = values.get(CROP).isBlank() && !values.isGiven(CROP) ? LARGEST_SQUARE
                : values.getInt(CROP, 1, MAX_CROP);
        boolean skipCorrupt = values.getBoolean(SKIP_CORRUPT);
        double testFraction = values.getFraction(TEST_FRACTION);
        String validationText = values.getChoice(VALIDATION, Validation.DROP.optionValue(),
                Validation.TRAIN.optionValue(), Validation.TEST.optionValue());
        Validation validation = values.isGiven(VALIDATION) ? Validation.valueOf(validationText.toUpperCase(Locale.ROOT))
                : null;
        boolean exifOrientation = values.getChoice(EXIF, "apply", "ignore").equals("apply");
        Path cacheDir;
        if (!values.isGiven(CACHE_DIR)) {
            cacheDir = defaultCacheDir(System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"));
        } else {
            String cacheText = values.get(CACHE_DIR);
            try {
                if (cacheText.isBlank()) {
                    throw new InvalidPathException(cacheText, "empty");
                }
                cacheDir = Path.of(cacheText.strip());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("dataset " + datasetId + ": option " + CACHE_DIR
                        + " must be a folder path, got '" + cacheText + "'");
            }
        }
        return new ImageFolderOptions(shape, crop, skipCorrupt, testFraction, values.isGiven(TEST_FRACTION),
                validation, cacheDir, exifOrientation);
    }

    /**
     * {@code $XDG_CACHE_HOME/onnxtoolkit/datasets}, or {@code ~/.cache/onnxtoolkit/datasets} when that variable is
     * unset, empty or relative (as the XDG base directory specification says).
     */
    static Path defaultCacheDir(String xdgCacheHome, String userHome) {
        Path base = null;
        if (xdgCacheHome != null && !xdgCacheHome.isBlank()) {
            try {
                Path xdg = Path.of(xdgCacheHome);
                base = xdg.isAbsolute() ? xdg : null;
            } catch (InvalidPathException e) {
                base = null;
            }
        }
        if (base == null) {
            base = Path.of(userHome, ".cache");
        }
        return base.resolve("onnxtoolkit").resolve("datasets");
    }
}
