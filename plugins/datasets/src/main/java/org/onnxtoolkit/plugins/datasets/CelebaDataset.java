package org.onnxtoolkit.plugins.datasets;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.images.PhotoDecoder;

/**
 * {@code celeba}: CelebA's aligned faces as {@link ImageFolderDataset image-folder} with the reference
 * preprocessing, {@code CenterCrop(168)} then {@code Resize(64)}: option {@value ImageFolderOptions#CROP}
 * defaults to {@value #DEFAULT_CROP}. All other options are those of {@code image-folder}.
 *
 * <p>{@code --data-dir} is either the folder of aligned JPEGs ({@value #IMAGE_FOLDER}) or the folder holding
 * it, as the archives unpack: {@code DIR/img_align_celeba/*.jpg}, or Kaggle's doubly nested
 * {@code DIR/img_align_celeba/img_align_celeba/*.jpg}. The split comes from {@code list_eval_partition.txt}
 * (or Kaggle's {@code list_eval_partition.csv}) found in {@code DIR}, in the image folder, or (when
 * {@code DIR} is the image folder) in its parent: partition 0 trains, 2 tests, and the validation images (1)
 * are left out unless option {@value ImageFolderOptions#VALIDATION} says {@code train} or {@code test}.
 * Without a partition file the split is made by file name.
 *
 * <p>Stateless and thread-safe.
 */
@PluginId(CelebaDataset.ID)
@ApplicationScoped
public class CelebaDataset implements Dataset {
    /** The plugin id. */
    public static final String ID = "celeba";
    /** The reference notebook's {@code CenterCrop}. */
    public static final int DEFAULT_CROP = 168;
    /** The aligned-image folder's name in CelebA's archives. */
    public static final String IMAGE_FOLDER = "img_align_celeba";

    private static final String WANTED = "CelebA's " + IMAGE_FOLDER + "/ folder of aligned JPEGs, or the folder"
            + " holding it (and optionally " + EvalPartition.TXT_NAME + ")";
    private static final String HINT = "pass --data-dir pointing at " + WANTED;

    private final ImageFolderLoader loader;

    public CelebaDataset() {
        this(new ImageFolderLoader(new PhotoDecoder(), Runtime.getRuntime().availableProcessors()));
    }

    /** For tests: the dataset over another loader. */
    CelebaDataset(ImageFolderLoader loader) {
        this.loader = loader;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "CelebA aligned faces from --data-dir (" + IMAGE_FOLDER + "/ or its parent), centre crop "
                + DEFAULT_CROP + " and resize to 3x64x64 by default; split by " + EvalPartition.TXT_NAME
                + " when present";
    }

    @Override
    public List<OptionSpec> options() {
        return ImageFolderOptions.specs(DEFAULT_CROP);
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
            throw new DatasetException("dataset " + ID + " needs --data-dir, " + WANTED
                    + "; the images are not downloaded automatically");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("dataset " + ID + ": data folder " + dir + (Files.exists(dir)
                    ? " is not a folder; " : " does not exist; ") + HINT);
        }
        Path images = dir;
        Path partition;
        Path nested = dir.resolve(IMAGE_FOLDER);
        if (Files.isDirectory(nested)) {
            images = nested;
            Path twice = nested.resolve(IMAGE_FOLDER);
            if (Files.isDirectory(twice) && !FolderListing.containsImages(nested)) {
                images = twice;
            }
            partition = firstNonNull(EvalPartition.find(dir), EvalPartition.find(images));
        } else {
            partition = firstNonNull(EvalPartition.find(dir), EvalPartition.find(dir.toAbsolutePath().getParent()));
        }
        return loader.open(ID, images, partition, false, parsed, options.progress(), HINT);
    }

    private static Path firstNonNull(Path first, Path second) {
        return first != null ? first : second;
    }
}
