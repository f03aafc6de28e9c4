package org.onnxtoolkit.plugins.datasets;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;

/**
 * A dataset stored as the four MNIST-style IDX files in one folder: {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each
 * plain or gzipped (with a {@code .gz} suffix; when both exist the plain file is read). Names other
 * distributions use are accepted too ({@link #ALIASES}): {@code test-} instead of {@code t10k-} (a common
 * converter's names), and Kaggle's {@code train-images.idx3-ubyte} with a dot, also when the archive unpacked
 * each file into a folder of the same name. Images are {@code 1x28x28}, grey, 0 black and 255 full intensity
 * (as stored). The labels, each checked to be below the number of classes, label the images
 * ({@link ImageSplit#label}, {@link DatasetSplits#classes()}). The fingerprint is a SHA-256 over the SHA-256 of
 * each decompressed file, so a plain and a gzipped copy of the same data have the same fingerprint.
 *
 * <p>Stateless and thread-safe; every {@link #open} reads the files again. Takes no dataset options (the default
 * {@link Dataset#options()}).
 */
public abstract class IdxImageDataset implements Dataset {
    /** The shape of every image in an MNIST-style dataset. */
    public static final ImageShape NATIVE_SHAPE = new ImageShape(1, 28, 28);

    /** The four file names, without the optional {@code .gz}, in the order they are read and hashed. */
    public static final List<String> FILE_NAMES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /**
     * Other names of the four files (without {@code .gz}), tried in this order after the standard one: a
     * converter's {@code test-} for {@code t10k-}, and Kaggle's dotted names.
     */
    public static final Map<String, List<String>> ALIASES = Map.of(
            "train-images-idx3-ubyte", List.of("train-images.idx3-ubyte"),
            "train-labels-idx1-ubyte", List.of("train-labels.idx1-ubyte"),
            "t10k-images-idx3-ubyte", List.of("test-images-idx3-ubyte", "t10k-images.idx3-ubyte",
                    "test-images.idx3-ubyte"),
            "t10k-labels-idx1-ubyte", List.of("test-labels-idx1-ubyte", "t10k-labels.idx1-ubyte",
                    "test-labels.idx1-ubyte"));

    private static final String GZIP_SUFFIX = ".gz";

    private final String id;
    private final String description;
    private final Path defaultDir;
    private final String howToGetData;
    private final List<String> classes;

    /**
     * @param id           the plugin id
     * @param description  one line for {@code toolkit plugins}
     * @param defaultDir   where the files are when no {@code --data-dir} is given, or null if there is no
     *                     such place (then {@code --data-dir} is required)
     * @param howToGetData appended to every "files not found" message: how the user gets the files
     * @param classes      the class names in label order; every label in the files must index it
     */
    protected IdxImageDataset(String id, String description, Path defaultDir, String howToGetData,
                              List<String> classes) {
        if (classes.isEmpty() || classes.size() > 256) {
            throw new IllegalArgumentException("an IDX dataset has 1 to 256 classes (byte labels), got "
                    + classes.size());
        }
        this.id = id;
        this.description = description;
        this.defaultDir = defaultDir;
        this.howToGetData = howToGetData;
        this.classes = List.copyOf(classes);
    }

    /** The class names in label order. */
    public List<String> classes() {
        return classes;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    /** Always {@link #NATIVE_SHAPE}. */
    @Override
    public ImageShape nativeShape() {
        return NATIVE_SHAPE;
    }

    /** The folder read when {@link DatasetOptions#dataDir()} is null, or null when there is none. */
    public Path defaultDir() {
        return defaultDir;
    }

    @Override
    public DatasetSplits open(DatasetOptions options) throws DatasetException {
        options.optionsFor(this); // refuses every option: there are none
        if (options.shape() != null && !options.shape().equals(NATIVE_SHAPE)) {
            throw new DatasetException("dataset " + id + " has " + NATIVE_SHAPE + " images and cannot resize them,"
                    + " but shape " + options.shape() + " was requested; use image shape " + NATIVE_SHAPE
                    + " or a dataset that renders any shape (shapes)");
        }
        Path dir = options.dataDir() != null ? options.dataDir() : defaultDir;
        if (dir == null) {
            throw new DatasetException("dataset " + id + " needs --data-dir: " + howToGetData);
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("dataset " + id + ": data folder " + dir + " does not exist"
                    + (options.dataDir() == null ? " (the default location)" : "") + "; " + howToGetData);
        }
        List<Path> files = locate(dir);
        IdxDigestCache digests = IdxDigestCache.atDefaultLocation();
        IdxContentCache contents = IdxContentCache.atDefaultLocation();
        IdxFile trainImages = IdxReader.read(files.get(0), 3, digests, contents);
        IdxFile trainLabels = IdxReader.read(files.get(1), 1, digests, contents);
        IdxFile testImages = IdxReader.read(files.get(2), 3, digests, contents);
        IdxFile testLabels = IdxReader.read(files.get(3), 1, digests, contents);
        IdxReader.requireSameCount(trainImages, trainLabels);
        IdxReader.requireSameCount(testImages, testLabels);
        requireNativeSize(trainImages);
        requireNativeSize(testImages);
        requireKnownLabels(trainLabels);
        requireKnownLabels(testLabels);
        String fingerprint = fingerprint(List.of(trainImages, trainLabels, testImages, testLabels));
        return new DatasetSplits(ByteImageSplit.wrap(NATIVE_SHAPE, trainImages.payload(), trainLabels.payload()),
                ByteImageSplit.wrap(NATIVE_SHAPE, testImages.payload(), testLabels.payload()), fingerprint, List.of(),
                classes);
    }

    private void requireKnownLabels(IdxFile labels) throws DatasetException {
        for (int i = 0; i < labels.count(); i++) {
            if (labels.unsignedByte(i) >= classes.size()) {
                throw DatasetException.badData("dataset " + id + ": " + labels.path() + " gives item " + i + " label "
                        + labels.unsignedByte(i) + ", but " + id + " has " + classes.size() + " classes (labels 0-"
                        + (classes.size() - 1) + "); is this a label file of " + id + "?");
            }
        }
    }

    /**
     * The four files in {@link #FILE_NAMES} order, each under its name or an {@link #ALIASES alias}, plain or
     * {@code .gz}; one message lists all missing with the names looked for.
     */
    private List<Path> locate(Path dir) throws DatasetException {
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : FILE_NAMES) {
            Path file = find(dir, name);
            if (file != null) {
                found.add(file);
                continue;
            }
            StringBuilder names = new StringBuilder(name + "[" + GZIP_SUFFIX + "]");
            List<String> aliases = ALIASES.getOrDefault(name, List.of());
            if (!aliases.isEmpty()) {
                names.append(" (also looked for ").append(String.join(", ", aliases.stream()
                        .map(alias -> alias + "[" + GZIP_SUFFIX + "]").toList())).append(')');
            }
            missing.add(names.toString());
        }
        if (!missing.isEmpty()) {
            throw new DatasetException("dataset " + id + ": " + dir + " lacks " + String.join(", ", missing)
                    + " (expected " + dir.resolve(FILE_NAMES.get(0)) + " and its three siblings, plain or "
                    + GZIP_SUFFIX + "); " + howToGetData);
        }
        return found;
    }

    /**
     * The first of {@code name} and its aliases, plain then gzipped, that exists in {@code dir} (as anything: a
     * pipe or a folder is then refused by {@link IdxReader} with its own message). Kaggle's archive unpacks
     * each file into a folder of the same name; such a folder holding the file stands for the file.
     */
    private static Path find(Path dir, String name) {
        List<String> names = new ArrayList<>(List.of(name));
        names.addAll(ALIASES.getOrDefault(name, List.of()));
        for (String candidate : names) {
            for (String fileName : List.of(candidate, candidate + GZIP_SUFFIX)) {
                Path path = dir.resolve(fileName);
                if (Files.isDirectory(path) && Files.exists(path.resolve(fileName))) {
                    return path.resolve(fileName);
                }
                if (Files.exists(path)) {
                    return path;
                }
            }
        }
        return null;
    }

    private void requireNativeSize(IdxFile images) throws DatasetException {
        if (images.dimension(1) != NATIVE_SHAPE.height() || images.dimension(2) != NATIVE_SHAPE.width()) {
            throw DatasetException.badData("dataset " + id + ": " + images.path() + " holds " + images.dimension(1)
                    + "x" + images.dimension(2) + " images; expected " + NATIVE_SHAPE.height() + "x"
                    + NATIVE_SHAPE.width());
        }
    }

    private static String fingerprint(List<IdxFile> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (IdxFile file : files) {
                digest.update(file.sha256().getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
    }
}
