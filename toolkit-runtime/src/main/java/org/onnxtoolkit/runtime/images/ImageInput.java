package org.onnxtoolkit.runtime.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.commons.imaging.Imaging;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.io.InputFiles;

/**
 * Reads a picture (PNG, JPEG, or another format the JDK or Apache Commons Imaging decodes) and turns it into a
 * model input: {@code [C, H, W]} floats in {@code [0, 1]}, sample {@code v / 255}.
 *
 * <p><b>Size.</b> A picture of another size is not rejected but fitted, as torchvision's
 * {@code CenterCrop} + {@code Resize} pipelines do: first the largest centred region with the model's aspect ratio
 * is cut out (for square models the centred square), then it is resized to {@code H x W} by area averaging (every
 * output pixel is the mean of the source area it covers, with fractional weights at its edges; PIL's {@code BOX}
 * filter, OpenCV's {@code INTER_AREA}). A picture of exactly the model's size passes through unchanged.
 *
 * <p><b>Channels.</b> For a grey model colour is converted to luma {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R
 * BT.601, as PIL's {@code convert("L")}); for an RGB model grey is repeated in R, G and B. Alpha is ignored (also
 * as PIL does), so transparent areas count with the colour they store.
 *
 * <p>Stateless and thread-safe.
 */
public final class ImageInput {
    /** Larger files are refused before they are read. */
    static final long MAX_FILE_BYTES = 256L << 20;
    /** Larger pictures are refused before they are decoded (a 100-megapixel picture takes 400 MB decoded). */
    static final long MAX_PIXELS = 100_000_000L;

    private ImageInput() {
    }

    /** A file that is not a picture we can decode (or one too large to decode). */
    public static final class NotAnImageException extends IOException {
        private static final long serialVersionUID = 1L;

        public NotAnImageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Reads {@code file} and fits it to {@code shape}.
     *
     * @return {@code [C, H, W]}, row-major, values in [0, 1]
     * @throws NoSuchFileException  if the file does not exist
     * @throws NotAnImageException  if it cannot be decoded as a picture
     * @throws IOException          if it cannot be read
     */
    public static float[] read(Path file, ImageShape shape) throws IOException {
        return fit(decode(file), shape);
    }

    /**
     * Decodes a picture: the JDK's {@code ImageIO} first (PNG, JPEG, GIF, BMP, TIFF), then Apache Commons Imaging for
     * what it does not read (CMYK JPEG, ICO, PCX, ...). ImageIO comes first because Commons Imaging 1.0.0-alpha6
     * decodes grey PNGs through a linear-grey image and loses precision (a stored 9 reads back as 13), and a grey
     * PNG is exactly what the toolkit itself writes for grey models.
     *
     * @throws NotAnImageException if neither can decode it
     */
    public static BufferedImage decode(Path file) throws IOException {
        byte[] bytes = InputFiles.readAllBytes(file, MAX_FILE_BYTES, "a picture");
        checkPixels(file, bytes);
        Exception failure;
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            if (img != null) {
                return img;
            }
            failure = new IOException("unknown format");
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        try {
            BufferedImage img = Imaging.getBufferedImage(bytes);
            if (img != null) {
                return img;
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        throw new NotAnImageException(file + " is not a PNG or JPEG image we can read (" + oneLine(failure) + ")",
                failure);
    }

    /**
     * Reads the picture's size from its header, where ImageIO knows the format, and refuses one whose decoded pixels
     * would not fit in memory (a small PNG can declare 100000 x 100000 pixels). A format ImageIO does not know is left
     * to the decoders.
     *
     * @throws NotAnImageException if the picture has more than {@link #MAX_PIXELS} pixels
     */
    private static void checkPixels(Path file, byte[] bytes) throws IOException {
        long width;
        long height;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                return; // a damaged header: the decoders below say what is wrong
            } finally {
                reader.dispose();
            }
        }
        if (width * height > MAX_PIXELS) {
            throw new NotAnImageException(file + " is " + width + " x " + height + " pixels, more than the "
                    + MAX_PIXELS / 1_000_000 + " megapixels the toolkit decodes; scale it down first", null);
        }
    }

    /**
     * Centre-crops {@code image} to the aspect ratio of {@code shape}, resizes it by area averaging and converts
     * it to the shape's channels; see the class comment.
     *
     * @return {@code [C, H, W]}, row-major, values in [0, 1]
     */
    public static float[] fit(BufferedImage image, ImageShape shape) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(shape, "shape");
        int w = image.getWidth();
        int h = image.getHeight();
        // The largest centred crop with aspect W:H; exact integer arithmetic, no rounding drift.
        int cropW = w;
        int cropH = h;
        if ((long) w * shape.height() > (long) h * shape.width()) {
            cropW = Math.max(1, (int) Math.round((double) h * shape.width() / shape.height()));
        } else if ((long) w * shape.height() < (long) h * shape.width()) {
            cropH = Math.max(1, (int) Math.round((double) w * shape.height() / shape.width()));
        }
        int x0 = (w - cropW) / 2;
        int y0 = (h - cropH) / 2;
        int[] argb = storedRgb(image, x0, y0, cropW, cropH);
        int planes = shape.channels();
        float[] out = new float[shape.size()];
        double[] plane = new double[cropW * cropH];
        for (int c = 0; c < planes; c++) {
            for (int i = 0; i < plane.length; i++) {
                int r = (argb[i] >> 16) & 0xFF;
                int g = (argb[i] >> 8) & 0xFF;
                int b = argb[i] & 0xFF;
                if (planes == 1) {
                    plane[i] = r == g && g == b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
                } else {
                    plane[i] = c == 0 ? r : c == 1 ? g : b;
                }
            }
            double[] resized = resize(plane, cropW, cropH, shape.width(), shape.height());
            int base = c * shape.height() * shape.width();
            for (int i = 0; i < resized.length; i++) {
                out[base + i] = (float) (Math.min(255, Math.max(0, resized[i])) / 255);
            }
        }
        return out;
    }

    /**
     * The region's pixels as {@code 0xRRGGBB} with the values the file stores. For grey images {@code getRGB} would
     * convert from Java's linear grey colour space and change them, so grey samples are read from the raster
     * (16-bit samples keep their high byte).
     */
    private static int[] storedRgb(BufferedImage image, int x0, int y0, int w, int h) {
        var raster = image.getRaster();
        var cm = image.getColorModel();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1) {
            int shift = Math.max(0, cm.getComponentSize(0) - 8);
            int[] out = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = raster.getSample(x0 + x, y0 + y, 0) >>> shift;
                    out[y * w + x] = (v << 16) | (v << 8) | v;
                }
            }
            return out;
        }
        return image.getRGB(x0, y0, w, h, null, 0, w);
    }

    /** Area-averaging resize of one plane, separable: rows first, then columns. */
    static double[] resize(double[] src, int sw, int sh, int dw, int dh) {
        double[] tmp = new double[dw * sh];
        Weights wx = Weights.of(sw, dw);
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < dw; x++) {
                double s = 0;
                for (int k = wx.start[x]; k < wx.start[x + 1]; k++) {
                    s += src[y * sw + wx.index[k]] * wx.weight[k];
                }
                tmp[y * dw + x] = s;
            }
        }
        double[] out = new double[dw * dh];
        Weights wy = Weights.of(sh, dh);
        for (int y = 0; y < dh; y++) {
            for (int x = 0; x < dw; x++) {
                double s = 0;
                for (int k = wy.start[y]; k < wy.start[y + 1]; k++) {
                    s += tmp[wy.index[k] * dw + x] * wy.weight[k];
                }
                out[y * dw + x] = s;
            }
        }
        return out;
    }

    /**
     * For each of {@code dst} output cells, the source cells it overlaps and the overlap fractions, normalised to
     * sum to 1. Output cell {@code i} covers source interval {@code [i * src / dst, (i + 1) * src / dst)}.
     */
    private record Weights(int[] start, int[] index, double[] weight) {
        static Weights of(int src, int dst) {
            int[] start = new int[dst + 1];
            int[] index = new int[src + 2 * dst];
            double[] weight = new double[src + 2 * dst];
            int k = 0;
            double scale = (double) src / dst;
            for (int i = 0; i < dst; i++) {
                start[i] = k;
                double lo = i * scale;
                double hi = (i + 1) * scale;
                int first = (int) Math.floor(lo);
                int last = Math.min(src - 1, (int) Math.ceil(hi) - 1);
                double total = 0;
                for (int j = first; j <= last; j++) {
                    double overlap = Math.min(hi, j + 1) - Math.max(lo, j);
                    if (overlap > 1e-12) {
                        index[k] = j;
                        weight[k] = overlap;
                        total += overlap;
                        k++;
                    }
                }
                for (int j = start[i]; j < k; j++) {
                    weight[j] /= total;
                }
            }
            start[dst] = k;
            return new Weights(start, index, weight);
        }
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl).strip() : m.strip();
    }
}
