package org.onnxtoolkit.plugins.datasets;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.onnxtoolkit.api.spi.PluginId;

/**
 * {@code mnist}: handwritten digits, 60,000 train and 10,000 test images of {@code 1x28x28}, read from the
 * four IDX files in the folder given with {@code --data-dir} (the toolkit cannot download MNIST, and no
 * system package installs it, so the folder is required). Labelled with the digits ({@link #CLASSES}).
 */
@PluginId(MnistDataset.ID)
@ApplicationScoped
public class MnistDataset extends IdxImageDataset {
    /** The plugin id. */
    public static final String ID = "mnist";
    /** The classes: the digits, label i is digit i. */
    public static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    public MnistDataset() {
        super(ID, "MNIST handwritten digits, 1x28x28, from the four IDX files in --data-dir", null,
                "MNIST cannot be downloaded by the toolkit; pass --data-dir pointing at a folder with the four"
                        + " MNIST IDX files (" + String.join(", ", FILE_NAMES) + "; plain or .gz)", CLASSES);
    }
}
