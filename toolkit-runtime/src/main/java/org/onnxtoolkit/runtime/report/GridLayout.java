package org.onnxtoolkit.runtime.report;

/**
 * How tiles are arranged in an image grid.
 *
 * @param columns tiles per row, at least 1 (fewer are used when there are fewer images than columns)
 * @param scale   integer upscaling factor, at least 1; each source pixel becomes a {@code scale x scale}
 *                block (nearest neighbour), so 28x28 digits stay crisp and visible at {@code scale = 2} or more
 * @param padding width in output pixels of the separating lines between tiles and around the grid's
 *                border, at least 0; drawn in {@link ImageGrid#PADDING_RGB}
 */
public record GridLayout(int columns, int scale, int padding) {
    /** Largest accepted {@link #scale}: larger is almost certainly a mistake and makes huge files. */
    public static final int MAX_SCALE = 64;

    public GridLayout {
        if (columns < 1) {
            throw new IllegalArgumentException("grid columns must be at least 1, got " + columns);
        }
        if (scale < 1 || scale > MAX_SCALE) {
            throw new IllegalArgumentException("grid scale must be in [1, " + MAX_SCALE + "], got " + scale);
        }
        if (padding < 0) {
            throw new IllegalArgumentException("grid padding must be at least 0, got " + padding);
        }
    }

    /** {@code columns} tiles per row, pixels at their own size, 2-pixel padding. */
    public static GridLayout of(int columns) {
        return new GridLayout(columns, 1, 2);
    }
}
