package org.onnxtoolkit.plugins.datasets;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;

/**
 * {@code shapes}: the default dataset, generated in memory so training needs no files. Each image shows one
 * to three anti-aliased filled ellipses, rectangles and triangles of random position, size, rotation and
 * colour (grey images: random intensity) on a plain dark background.
 *
 * <p>Renders any requested shape ({@link DatasetOptions#shape()}; {@link #DEFAULT_SHAPE} when null). The
 * image at index {@code i} of a split depends only on the seed, the shape, the split and {@code i}: the same
 * seed gives byte-identical images on every run, and the train and test splits come from independent random
 * streams (so changing {@value #TRAIN_SIZE} leaves the test images as they were).
 *
 * <p>Options: {@value #TRAIN_SIZE} (default {@value #DEFAULT_TRAIN_SIZE}) and {@value #TEST_SIZE} (default
 * {@value #DEFAULT_TEST_SIZE}), the number of images in each split. The fingerprint is a SHA-256 over the
 * generator version and these parameters.
 *
 * <p>Stateless and thread-safe; each {@link #open} renders afresh, on all cores.
 */
@PluginId(ShapesDataset.ID)
@ApplicationScoped
public class ShapesDataset implements Dataset {
    /** The plugin id. */
    public static final String ID = "shapes";
    /** Option: images in the train split. */
    public static final String TRAIN_SIZE = "train-size";
    /** Option: images in the test split. */
    public static final String TEST_SIZE = "test-size";
    public static final int DEFAULT_TRAIN_SIZE = 20_000;
    public static final int DEFAULT_TEST_SIZE = 2_000;
    /** The shape rendered when none is requested. */
    public static final ImageShape DEFAULT_SHAPE = new ImageShape(1, 28, 28);

    /** Share of the JVM's maximum heap the pixels may take, leaving room for training. */
    private static final double HEAP_SHARE = 0.75;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "procedural anti-aliased circles, rectangles and triangles in any shape (default "
                + DEFAULT_SHAPE + ")";
    }

    /** Null: any shape can be rendered. */
    @Override
    public ImageShape nativeShape() {
        return null;
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(new OptionSpec(TRAIN_SIZE, Integer.toString(DEFAULT_TRAIN_SIZE), "images in the train split"),
                new OptionSpec(TEST_SIZE, Integer.toString(DEFAULT_TEST_SIZE), "images in the test split"));
    }

    @Override
    public DatasetSplits open(DatasetOptions options) throws DatasetException {
        PluginOptions values = options.optionsFor(this);
        int trainSize = values.getPositiveInt(TRAIN_SIZE);
        int testSize = values.getPositiveInt(TEST_SIZE);
        ImageShape shape = options.shape() != null ? options.shape() : DEFAULT_SHAPE;
        requireMemory(shape, trainSize, testSize);
        ShapesGenerator generator = new ShapesGenerator(shape, options.seed());
        return new DatasetSplits(generator.generate(ShapesGenerator.TRAIN, trainSize),
                generator.generate(ShapesGenerator.TEST, testSize),
                fingerprint(shape, options.seed(), trainSize, testSize));
    }

    /** Fails early, with sizes, rather than with an OutOfMemoryError halfway through rendering. */
    private static void requireMemory(ImageShape shape, int trainSize, int testSize) throws DatasetException {
        long bytes = ((long) trainSize + testSize) * shape.size();
        long allowed = (long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE);
        if (bytes > allowed) {
            throw new DatasetException("dataset " + ID + ": " + TRAIN_SIZE + "=" + trainSize + " and " + TEST_SIZE + "="
                    + testSize + " images of " + shape + " need " + mebibytes(bytes) + " MiB, more than the "
                    + mebibytes(allowed) + " MiB allowed (75% of the Java heap); lower the sizes or raise -Xmx");
        }
    }

    private static long mebibytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    static String fingerprint(ImageShape shape, long seed, int trainSize, int testSize) {
        String parameters = ShapesGenerator.VERSION + ";seed=" + seed + ";shape=" + shape + ";" + TRAIN_SIZE + "="
                + trainSize + ";" + TEST_SIZE + "=" + testSize;
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(parameters.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
    }
}
