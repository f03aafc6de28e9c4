package org.onnxtoolkit.plugins.datasets;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.ImageShape;

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
    static final Set<String> NAMES = Set.of(IMAGE_SIZE, CROP, SKIP_CORRUPT, TEST_FRACTION, VALIDATION, CACHE_DIR,
            EXIF);

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
     * Checks and parses {@code options}.
     *
     * @param defaultCrop the dataset's crop when the option is absent, or {@link #LARGEST_SQUARE}
     */
    static ImageFolderOptions parse(String datasetId, DatasetOptions options, int defaultCrop)
            throws DatasetException {
        Map<String, String> values = options.options();
        OptionValues.requireOnly(datasetId, values, NAMES);
        int size = OptionValues.positiveInt(datasetId, values, IMAGE_SIZE, DEFAULT_IMAGE_SIZE, MAX_IMAGE_SIZE);
        ImageShape shape;
        ImageShape requested = options.shape();
        if (requested == null) {
            shape = new ImageShape(3, size, size);
        } else {
            if (requested.height() != requested.width()) {
                throw new DatasetException("dataset " + datasetId + " makes square images, but shape " + requested
                        + " was requested; request a square shape such as " + requested.channels() + "x"
                        + requested.height() + "x" + requested.height());
            }
            if (values.containsKey(IMAGE_SIZE) && size != requested.height()) {
                throw new DatasetException("dataset " + datasetId + ": option " + IMAGE_SIZE + "=" + size
                        + " disagrees with the requested image shape " + requested + "; give only one of them");
            }
            shape = requested;
        }
        int crop = OptionValues.positiveInt(datasetId, values, CROP, defaultCrop, MAX_CROP);
        boolean skipCorrupt = OptionValues.bool(datasetId, values, SKIP_CORRUPT, false);
        double testFraction = OptionValues.fraction(datasetId, values, TEST_FRACTION, DEFAULT_TEST_FRACTION);
        Validation validation = null;
        String validationText = values.get(VALIDATION);
        if (validationText != null) {
            try {
                validation = Validation.valueOf(validationText.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new DatasetException("dataset " + datasetId + ": option " + VALIDATION
                        + " must be drop, train or test, got '" + validationText + "'");
            }
        }
        boolean exifOrientation = true;
        String exifText = values.get(EXIF);
        if (exifText != null) {
            switch (exifText.strip().toLowerCase(Locale.ROOT)) {
                case "apply" -> exifOrientation = true;
                case "ignore" -> exifOrientation = false;
                default -> throw new DatasetException("dataset " + datasetId + ": option " + EXIF + " must be apply"
                        + " (turn images as their EXIF orientation says, the default) or ignore (keep the stored"
                        + " pixels), got '" + exifText + "'");
            }
        }
        Path cacheDir;
        String cacheText = values.get(CACHE_DIR);
        if (cacheText == null) {
            cacheDir = defaultCacheDir(System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"));
        } else {
            try {
                if (cacheText.isBlank()) {
                    throw new InvalidPathException(cacheText, "empty");
                }
                cacheDir = Path.of(cacheText.strip());
            } catch (InvalidPathException e) {
                throw new DatasetException("dataset " + datasetId + ": option " + CACHE_DIR + " must be a folder path, got '"
                        + cacheText + "'");
            }
        }
        return new ImageFolderOptions(shape, crop, skipCorrupt, testFraction, values.containsKey(TEST_FRACTION),
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
