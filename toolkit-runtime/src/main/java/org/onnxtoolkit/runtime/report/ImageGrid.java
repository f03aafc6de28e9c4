package org.onnxtoolkit.runtime.report;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a batch of images as one PNG grid, the picture behind {@code samples-NNN.png} and, with a latent
 * grid from {@link LatentManifold}, the 2-D manifold plot.
 *
 * <p>Images fill the grid row by row: image {@code i} is at row {@code i / cols}, column {@code i % cols},
 * where {@code cols = min(layout.columns(), N)}. With {@code p = padding}, {@code s = scale}, tile
 * {@code (row, col)} has its top-left output pixel at
 * {@code (x, y) = (p + col * (W * s + p), p + row * (H * s + p))}; the output is
 * {@code cols * W * s + (cols + 1) * p} pixels wide and {@code rows * H * s + (rows + 1) * p} high. Padding
 * lines and the empty cells of an incomplete last row are {@link #PADDING_RGB}. Grey images are written
 * with R = G = B. Samples are 8-bit as quantised by {@link ImageBatch}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ImageGrid {
    /** Neutral mid grey ({@code 0x808080}) of padding lines: visible against both black and white images. */
    public static final int PADDING_RGB = 0x808080;

    private ImageGrid() {
    }

    /**
     * Renders {@code images} as a grid and writes it atomically to {@code png}, creating missing parent
     * directories.
     *
     * @throws IllegalArgumentException if the grid would exceed the largest image Java can hold
     * @throws IOException              if writing fails
     */
    public static void write(Path png, ImageBatch images, GridLayout layout) throws IOException {
        Objects.requireNonNull(png, "png");
        PngFiles.write(png, render(images, layout));
    }

    /** Renders the grid in memory as {@link BufferedImage#TYPE_INT_RGB}; see the class comment for the geometry. */
    static BufferedImage render(ImageBatch images, GridLayout layout) {
        return render(images, layout, 1, 0);
    }

    /**
     * As {@link #render(ImageBatch, GridLayout)}, but tile columns form groups of {@code group} with
     * {@code groupGap} extra padding pixels between neighbouring groups: tile column {@code c} starts
     * {@code (c / group) * groupGap} pixels further right. {@code group} must divide the column count.
     */
    static BufferedImage render(ImageBatch images, GridLayout layout, int group, int groupGap) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(layout, "layout");
        int n = images.count();
        int cols = Math.min(layout.columns(), n);
        int rows = (n + cols - 1) / cols;
        int s = layout.scale();
        int p = layout.padding();
        long outW = (long) cols * images.width() * s + (long) (cols + 1) * p
                + (long) ((cols - 1) / group) * groupGap;
        long outH = (long) rows * images.height() * s + (long) (rows + 1) * p;
        if (outW > Integer.MAX_VALUE || outH > Integer.MAX_VALUE || outW * outH > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("grid of " + images.shapeString() + " images with " + layout
                    + " would be " + outW + "x" + outH + " pixels, too large for one image");
        }
        int tileW = images.width() * s;
        int tileH = images.height() * s;
        BufferedImage out = new BufferedImage((int) outW, (int) outH, BufferedImage.TYPE_INT_RGB);
        int[] argb = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        Arrays.fill(argb, PADDING_RGB);
        int stride = (int) outW;
        for (int i = 0; i < n; i++) {
            int col = i % cols;
            int x0 = p + col * (tileW + p) + (col / group) * groupGap;
            int y0 = p + (i / cols) * (tileH + p);
            for (int y = 0; y < images.height(); y++) {
                int rowStart = (y0 + y * s) * stride + x0;
                for (int x = 0; x < images.width(); x++) {
                    Arrays.fill(argb, rowStart + x * s, rowStart + (x + 1) * s, images.rgb(i, y, x));
                }
                // The other s - 1 output rows of this source row are copies of the first.
                for (int dy = 1; dy < s; dy++) {
                    System.arraycopy(argb, rowStart, argb, rowStart + dy * stride, tileW);
                }
            }
        }
        return out;
    }
}
