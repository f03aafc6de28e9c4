package org.onnxtoolkit.images;

import java.util.Arrays;
import org.onnxtoolkit.api.spi.ImageShape;

/**
 * Centre-crops a decoded image and resizes it with an anti-aliased bilinear filter, the pipeline of torchvision's
 * {@code CenterCrop(crop)} followed by {@code Resize(size)} on PIL images. The image-folder datasets prepare every
 * training image with it, and {@code interpolate} every picture it encodes, so that a model sees the same pixels
 * for the same picture in both.
 *
 * <p><b>Crop.</b> The region of {@code cropWidth x cropHeight} whose top-left corner is at
 * {@code round((extent - crop) / 2)} in each direction, rounding half to even as torchvision does. The image
 * folders cut a square ({@link #cropAndResize(RgbImage, int, ImageShape, byte[], int)}); {@link #fitToShape} cuts
 * the largest centred region with the output's aspect ratio, which for a square output is the largest centred
 * square, the image folders' default crop.
 *
 * <p><b>Resize.</b> Separable convolution with the triangle ("bilinear") kernel stretched by the scale factor
 * when shrinking, which is what PIL's {@code Image.resize(..., BILINEAR)} does and what torchvision uses for
 * PIL images (its {@code antialias=True}). Output pixel {@code i} of a resize from {@code n} to {@code m}
 * samples is centred at {@code c = (i + 0.5) * n / m}; with {@code s = max(n / m, 1)} it is the weighted mean
 * of the input pixels {@code x} in {@code [floor(c - s + 0.5), floor(c + s + 0.5))} (clipped to the image)
 * with weights {@code max(0, 1 - |x + 0.5 - c| / s)}, normalised to sum to 1. Every input pixel thus
 * contributes (area averaging), so a downscale does not alias; an upscale is plain bilinear interpolation, and a
 * region of the output's size is copied unchanged. Unlike PIL, which rounds to 8 bits between the horizontal and
 * the vertical pass and uses fixed-point weights, this computes in double precision and rounds once, so results
 * differ from PIL's by at most one intensity level in rare pixels.
 *
 * <p><b>Channels.</b> Three channels are R, G, B; one channel is the luma {@code 0.299 R + 0.587 G + 0.114 B}
 * (ITU-R 601, as PIL's {@code convert("L")}), computed before resizing ({@link ImageShape} has no other counts).
 *
 * <p>Stateless and thread-safe. Changing the output for some input changes cached datasets: bump
 * {@link #VERSION}.
 */
public final class ImageResampler {
    /** Names this crop-and-resize algorithm in cache keys and fingerprints. */
    public static final String VERSION = "centre-crop+antialiased-bilinear-v1";

    /** The triangle kernel reaches one input pixel to each side at scale 1. */
    private static final double SUPPORT = 1.0;

    private ImageResampler() {
    }

    /** Where a centred crop of {@code crop} out of {@code extent} starts, rounded half to even as torchvision. */
    static int cropStart(int extent, int crop) {
        return (int) Math.rint((extent - crop) / 2.0);
    }

    /**
     * Crops the centred {@code crop x crop} square out of {@code image}, resizes it to {@code shape} and writes it
     * to {@code target[offset .. offset + shape.size())} as unsigned bytes, {@code [C, H, W]}.
     *
     * @throws IllegalArgumentException if {@code crop} exceeds the image's width or height
     */
    public static void cropAndResize(RgbImage image, int crop, ImageShape shape, byte[] target, int offset) {
        if (crop < 1 || crop > image.width() || crop > image.height()) {
            throw new IllegalArgumentException("cannot crop " + crop + "x" + crop + " out of a " + image.width() + "x"
                    + image.height() + " image");
        }
        cropAndResize(image, crop, crop, shape, target, offset);
    }

    /**
     * Crops the largest centred region with the aspect ratio of {@code shape} out of {@code image} (for a square
     * shape the centred square of side {@code min(width, height)}), resizes it to {@code shape} and writes it to
     * {@code target[offset .. offset + shape.size())} as unsigned bytes, {@code [C, H, W]}. A region's side that is
     * not a whole number of pixels is rounded to the nearest one.
     */
    public static void fitToShape(RgbImage image, ImageShape shape, byte[] target, int offset) {
        int width = image.width();
        int height = image.height();
        int cropWidth = width;
        int cropHeight = height;
        // Exact integer comparison of the aspect ratios; only the side that is cut is rounded.
        if ((long) width * shape.height() > (long) height * shape.width()) {
            cropWidth = (int) Math.max(1, Math.min(width, Math.round((double) height * shape.width() / shape.height())));
        } else if ((long) width * shape.height() < (long) height * shape.width()) {
            cropHeight = (int) Math.max(1, Math.min(height, Math.round((double) width * shape.height() / shape.width())));
        }
        cropAndResize(image, cropWidth, cropHeight, shape, target, offset);
    }

    /** The centred {@code cropWidth x cropHeight} region, resized; the sizes are within the image. */
    private static void cropAndResize(RgbImage image, int cropWidth, int cropHeight, ImageShape shape, byte[] target,
                                      int offset) {
        int channels = shape.channels();
        int left = cropStart(image.width(), cropWidth);
        int top = cropStart(image.height(), cropHeight);
        int outHeight = shape.height();
        int outWidth = shape.width();
        Kernel horizontal = Kernel.of(cropWidth, outWidth);
        Kernel vertical = cropHeight == cropWidth && outHeight == outWidth ? horizontal : Kernel.of(cropHeight, outHeight);

        // Horizontal pass over the crop's rows: [C, cropHeight, outWidth].
        double[] rows = new double[channels * cropHeight * outWidth];
        double[] line = new double[channels * cropWidth];
        int[] rgb = image.rgb();
        for (int y = 0; y < cropHeight; y++) {
            int source = (top + y) * image.width() + left;
            for (int x = 0; x < cropWidth; x++) {
                int pixel = rgb[source + x];
                int r = (pixel >>> 16) & 0xff;
                int g = (pixel >>> 8) & 0xff;
                int b = pixel & 0xff;
                if (channels == 1) {
                    line[x] = 0.299 * r + 0.587 * g + 0.114 * b;
                } else {
                    line[x] = r;
                    line[cropWidth + x] = g;
                    line[2 * cropWidth + x] = b;
                }
            }
            for (int c = 0; c < channels; c++) {
                horizontal.apply(line, c * cropWidth, rows, (c * cropHeight + y) * outWidth);
            }
        }
        // Vertical pass, a whole output row at a time (contiguous, so the JIT can vectorise it), then round once.
        double[] row = new double[outWidth];
        for (int c = 0; c < channels; c++) {
            int plane = c * cropHeight * outWidth;
            for (int y = 0; y < outHeight; y++) {
                Arrays.fill(row, 0.0);
                int start = vertical.starts()[y];
                for (int k = 0; k < vertical.lengths()[y]; k++) {
                    double w = vertical.weights()[y * vertical.taps() + k];
                    int source = plane + (start + k) * outWidth;
                    for (int x = 0; x < outWidth; x++) {
                        row[x] += w * rows[source + x];
                    }
                }
                int base = offset + (c * outHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x++) {
                    target[base + x] = toByte(row[x]);
                }
            }
        }
    }

    private static byte toByte(double value) {
        long rounded = Math.round(value);
        return (byte) (rounded < 0 ? 0 : rounded > 255 ? 255 : rounded);
    }

    /**
     * The normalised weights of a 1-D resize from {@code inSize} to {@code outSize} samples: output {@code i}
     * reads {@code lengths[i]} inputs from {@code starts[i]} with weights
     * {@code weights[i * taps .. i * taps + lengths[i])}.
     */
    record Kernel(int inSize, int outSize, int taps, int[] starts, int[] lengths, double[] weights) {
        static Kernel of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int taps = (int) Math.ceil(support) * 2 + 1;
            int[] starts = new int[outSize];
            int[] lengths = new int[outSize];
            double[] weights = new double[outSize * taps];
            for (int i = 0; i < outSize; i++) {
                double centre = (i + 0.5) * scale;
                int start = Math.max((int) Math.floor(centre - support + 0.5), 0);
                int end = Math.min((int) Math.floor(centre + support + 0.5), inSize);
                double sum = 0;
                for (int x = start; x < end; x++) {
                    double w = triangle((x + 0.5 - centre) / filterScale);
                    weights[i * taps + x - start] = w;
                    sum += w;
                }
                if (sum > 0) {
                    for (int k = 0; k < end - start; k++) {
                        weights[i * taps + k] /= sum;
                    }
                }
                starts[i] = start;
                lengths[i] = end - start;
            }
            return new Kernel(inSize, outSize, taps, starts, lengths, weights);
        }

        private static double triangle(double x) {
            double a = Math.abs(x);
            return a < 1.0 ? 1.0 - a : 0.0;
        }

        /** Resamples {@code in[inOffset .. inOffset + inSize)} into {@code out[outOffset .. outOffset + outSize)}. */
        void apply(double[] in, int inOffset, double[] out, int outOffset) {
            for (int i = 0; i < outSize; i++) {
                double sum = 0;
                int w = i * taps;
                int x = inOffset + starts[i];
                for (int k = 0; k < lengths[i]; k++) {
                    sum += weights[w + k] * in[x + k];
                }
                out[outOffset + i] = sum;
            }
        }
    }
}
