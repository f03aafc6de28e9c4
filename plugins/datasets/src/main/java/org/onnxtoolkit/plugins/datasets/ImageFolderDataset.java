package org.onnxtoolkit.plugins.datasets;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.images.ImageResampler;
import org.onnxtoolkit.images.PhotoDecoder;

/**
 * {@code image-folder}: the JPEG and PNG images in {@code --data-dir}, each centre-cropped to a square, resized
 * with an anti-aliased bilinear filter and served as {@code [C, N, N]} bytes (RGB, or grey when a one-channel
 * shape is requested). See {@link ImageResampler} for the exact crop and resize, and {@link PhotoDecoder} for
 * what can be decoded (baseline, progressive, extended-sequential, CMYK and YCCK JPEGs, every PNG, turned as
 * their EXIF orientation says).
 *
 * <p>Two layouts ({@link FolderListing}): a flat folder of images (unlabelled), or, when the folder holds no
 * image itself, class subfolders as torchvision's {@code ImageFolder} reads them ({@code root/cats/001.jpg};
 * labels are the indices of the sorted subfolder names, {@link DatasetSplits#classes()}; images at any depth).
 *
 * <p>Images are decoded once, in parallel, into a cache file (in {@value ImageFolderOptions#CACHE_DIR}) that
 * later epochs and later runs read memory-mapped without decoding anything; the cache is rebuilt when an image
 * is added, removed or changed ({@link ImageFolderLoader}). The split comes from CelebA's
 * {@code list_eval_partition.txt} (or Kaggle's {@code .csv}) when the folder holds one, otherwise from the file
 * names ({@link SplitAssignment#byName}); the seed plays no part.
 *
 * <p>Options:
 * <ul>
 * <li>{@value ImageFolderOptions#IMAGE_SIZE}: output side N (default {@value ImageFolderOptions#DEFAULT_IMAGE_SIZE});
 *     a requested {@link DatasetOptions#shape()} sets it (and the channels) instead and must be square;</li>
 * <li>{@value ImageFolderOptions#CROP}: side of the centred square cut before resizing (default: the largest,
 *     {@code min(width, height)} of each image, so images of mixed sizes just work; an explicit crop larger
 *     than some image is an error naming it);</li>
 * <li>{@value ImageFolderOptions#SKIP_CORRUPT}: {@code true} to skip images that cannot be decoded and entries
 *     that cannot be read (broken links, link loops, named pipes), which are then counted in the fingerprint,
 *     instead of stopping (default {@code false});</li>
 * <li>{@value ImageFolderOptions#TEST_FRACTION}: test share when splitting by name (default 0.1);</li>
 * <li>{@value ImageFolderOptions#VALIDATION}: with a partition file, where its validation images go:
 *     {@code drop} (default), {@code train} or {@code test};</li>
 * <li>{@value ImageFolderOptions#CACHE_DIR}: the cache folder (default
 *     {@code $XDG_CACHE_HOME/onnxtoolkit/datasets}, else {@code ~/.cache/onnxtoolkit/datasets});</li>
 * <li>{@value ImageFolderOptions#EXIF}: {@code apply} (default) turns each image as its EXIF orientation says,
 *     as a person sees it; {@code ignore} keeps the stored pixels, as torchvision's {@code read_image} does.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
@PluginId(ImageFolderDataset.ID)
@ApplicationScoped
public class ImageFolderDataset implements Dataset {
    /** The plugin id. */
    public static final String ID = "image-folder";

    private static final String WANTED = "a folder of .jpg, .jpeg or .png images";
    private static final String LAYOUTS = "a folder of .jpg, .jpeg or .png images, or of class subfolders of them";
    private static final String HINT = "pass --data-dir pointing at " + LAYOUTS;

    private final ImageFolderLoader loader;

    public ImageFolderDataset() {
        this(new ImageFolderLoader(new PhotoDecoder(), Runtime.getRuntime().availableProcessors()));
    }

    /** For tests: the dataset over another loader (for example one whose decoder counts its calls). */
    ImageFolderDataset(ImageFolderLoader loader) {
        this.loader = loader;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "JPEG/PNG images in --data-dir (flat, or class subfolders as torchvision's ImageFolder),"
                + " centre-cropped and resized to any square size (default 3x"
                + ImageFolderOptions.DEFAULT_IMAGE_SIZE + "x" + ImageFolderOptions.DEFAULT_IMAGE_SIZE
                + "), decoded once into a cache";
    }

    @Override
    public List<OptionSpec> options() {
        return ImageFolderOptions.specs(ImageFolderOptions.LARGEST_SQUARE);
    }

    /** Null: any square shape can be made. */
    @Override
    public ImageShape nativeShape() {
        return null;
    }

    @Override
    public DatasetSplits open(DatasetOptions options) throws DatasetException {
        return openFolder(options).splits();
    }

    /** As {@link #open}, with what was skipped and where the cache is. */
    ImageFolderLoader.Opened openFolder(DatasetOptions options) throws DatasetException {
        ImageFolderOptions parsed = ImageFolderOptions.parse(ID, options.optionsFor(this), options.shape());
        Path dir = options.dataDir();
        if (dir == null) {
            throw new DatasetException("dataset " + ID + " needs --data-dir, " + WANTED);
        }
        return loader.open(ID, dir, EvalPartition.find(dir), true, parsed, options.progress(), HINT);
    }
}
