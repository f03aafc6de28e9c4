package org.onnxtoolkit.runtime.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes originals beside their reconstructions, the picture behind {@code reconstructions-NNN.png}.
 *
 * <p>Layout: pairs side by side. Each pair takes two adjacent tiles of an {@link ImageGrid}, the original
 * {@code i} on the left and its reconstruction {@code i} immediately to its right; a row holds
 * {@code layout.columns()} pairs, i.e. {@code 2 * layout.columns()} tiles. Pair {@code i} is therefore at grid
 * row {@code i / pairs}, tile columns {@code 2 * (i % pairs)} (original) and {@code 2 * (i % pairs) + 1}
 * (reconstruction), with {@code pairs = min(layout.columns(), N)}. Scaling, tile rows and the padding
 * inside a pair are those of {@link ImageGrid}; neighbouring pairs are set apart by {@code 3 * padding} so
 * that pairs read as units. With {@code p = padding} and tile width {@code w = W * scale}, pair {@code k}
 * of a row has its original at {@code x = p + k * (2 * w + 4 * p)} and its reconstruction at
 * {@code x + w + p}; the image is {@code pairs * (2 * w + 4 * p) - p} pixels wide.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReconstructionGrid {
    private ReconstructionGrid() {
    }

    /**
     * @param png             the PNG to write atomically (parent directories are created)
     * @param originals       input images {@code [N, C, H, W]}
     * @param reconstructions the model's reconstructions of {@code originals}, same shape
     * @param layout          {@code columns} counts pairs per row
     * @throws IllegalArgumentException if the two batches differ in shape
     * @throws IOException              if writing fails
     */
    public static void write(Path png, ImageBatch originals, ImageBatch reconstructions, GridLayout layout)
            throws IOException {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(layout, "layout");
        PngFiles.write(png, render(originals, reconstructions, layout));
    }

    static BufferedImage render(ImageBatch originals, ImageBatch reconstructions, GridLayout layout) {
        Objects.requireNonNull(layout, "layout");
        ImageBatch pairs = interleave(originals, reconstructions);
        GridLayout tiles = new GridLayout(2 * Math.min(layout.columns(), originals.count()), layout.scale(),
                layout.padding());
        return ImageGrid.render(pairs, tiles, 2, 2 * layout.padding());
    }

    /** original 0, reconstruction 0, original 1, reconstruction 1, ... */
    static ImageBatch interleave(ImageBatch originals, ImageBatch reconstructions) {
        Objects.requireNonNull(originals, "originals");
        Objects.requireNonNull(reconstructions, "reconstructions");
        if (!originals.sameShapeAs(reconstructions)) {
            throw new IllegalArgumentException("originals " + originals.shapeString()
                    + " and reconstructions " + reconstructions.shapeString()
                    + " must have the same shape [N, C, H, W]");
        }
        int n = originals.count();
        byte[] both = new byte[2 * n * originals.channels() * originals.height() * originals.width()];
        for (int i = 0; i < n; i++) {
            originals.copyImageTo(i, both, 2 * i);
            reconstructions.copyImageTo(i, both, 2 * i + 1);
        }
        return ImageBatch.wrap(both, 2 * n, originals.channels(), originals.height(), originals.width());
    }
}
