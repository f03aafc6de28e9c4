package org.onnxtoolkit.plugins.datasets;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import org.onnxtoolkit.api.spi.PluginId;

/**
 * {@code fashion-mnist}: Zalando's clothing images, 60,000 train and 10,000 test images of
 * {@code 1x28x28}, read from the four IDX files in {@code --data-dir} or, by default, in
 * {@value #DEFAULT_DIR}, where Debian's {@code dataset-fashion-mnist} package installs them (gzipped).
 * Labelled with the ten clothing classes ({@link #CLASSES}).
 */
@PluginId(FashionMnistDataset.ID)
@ApplicationScoped
public class FashionMnistDataset extends IdxImageDataset {
    /** The plugin id. */
    public static final String ID = "fashion-mnist";

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

    /** The classes in label order, as Zalando names them. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public FashionMnistDataset() {
        this(Path.of(DEFAULT_DIR));
    }

    /** For tests: the same dataset with another default folder. */
    FashionMnistDataset(Path defaultDir) {
        super(ID, "Fashion-MNIST clothing images, 1x28x28, from " + DEFAULT_DIR + " or --data-dir", defaultDir,
                "install the files with 'apt-get install dataset-fashion-mnist' (Debian, into " + DEFAULT_DIR
                        + ") or pass --data-dir pointing at a folder with the four Fashion-MNIST IDX files ("
                        + String.join(", ", FILE_NAMES) + "; plain or .gz)", CLASSES);
    }
}
