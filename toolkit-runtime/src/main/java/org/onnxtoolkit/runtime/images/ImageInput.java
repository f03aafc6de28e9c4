package org.onnxtoolkit.runtime.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.commons.imaging.Imaging;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.io.InputFiles;
import org.onnxtoolkit.images.ImageResampler;
import org.onnxtoolkit.images.PhotoDecoder;
import org.onnxtoolkit.images.RgbImage;
import org.onnxtoolkit.images.UndecodableImageException;

/**
 * Reads a picture and turns it into a model input, {@code [C, H, W]} floats in {@code [0, 1]}, with the pipeline the
 * image-folder datasets prepare training images with (toolkit-images), so that a model sees the same pixels for a
 * picture at {@code interpolate} time as it saw for the same picture in a training folder.
 *
 * <p><b>Decoding.</b> JPEG and PNG files (recognised by content) are decoded by {@link PhotoDecoder}, as the image
 * folders decode them: as PIL's {@code ImageOps.exif_transpose(Image.open(f)).convert("RGB")} (EXIF orientation
 * applied; CMYK and YCCK, progressive and extended-sequential JPEGs; 16-bit, palette and grey PNGs with their stored
 * values; alpha dropped with the colour kept). Damaged JPEGs (libjpeg's "Premature end of JPEG file", ...) and
 * lossless, arithmetic-coded and 12-bit ones are refused with the reason, as the image folders refuse them. Other
 * formats, which image folders do not read, are decoded by the JDK's {@code ImageIO} (GIF, BMP, TIFF, WBMP) or else
 * Apache Commons Imaging (ICO, PCX, ...), grey ones with the values they store, alpha ignored.
 *
 * <p><b>Size.</b> A picture of another size is not rejected but fitted, as torchvision's {@code CenterCrop} +
 * {@code Resize} pipelines do: the largest centred region with the model's aspect ratio is cut out (for square
 * models the centred square, the image folders' default crop) and resized to {@code H x W} with PIL's antialiased
 * bilinear filter ({@link ImageResampler#fitToShape}). A picture of exactly the model's size passes through
 * unchanged.
 *
 * <p><b>Channels.</b> For a grey model colour is converted to luma {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R
 * BT.601, as PIL's {@code convert("L")}), before resizing; for an RGB model grey is repeated in R, G and B.
 *
 * <p><b>Values.</b> The resized samples are rounded to 8 bits, exactly the bytes an image folder caches for the
 * picture, then scaled as the trainer scales its batches: {@code v * (1f / 255f)}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ImageInput {
    /** Larger files are refused before they are read (the image folders' limit too). */
    static final long MAX_FILE_BYTES = 256L << 20;
    /** Larger pictures are refused before they are decoded (a 100-megapixel picture takes 400 MB decoded). */
    static final long MAX_PIXELS = 100_000_000L;

    /** JPEG and PNG, decoded as the image folders decode them (EXIF orientation applied). */
    private static final PhotoDecoder PICTURES = new PhotoDecoder(true, MAX_PIXELS);

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
     * @return {@code [C, H, W]}, row-major, values {@code v * (1f / 255f)} for the 8-bit samples {@code v} of
     *         {@link #readPixels}
     * @throws NoSuchFileException      if the file does not exist
     * @throws NotAnImageException      if it cannot be decoded as a picture
     * @throws IOException              if it cannot be read
     */
    public static float[] read(Path file, ImageShape shape) throws IOException {
        return toFloats(readPixels(file, shape));
    }

    /**
     * Reads {@code file} and fits it to {@code shape} as 8-bit samples: the bytes an image folder holding this
     * picture caches for it (with the default crop, the largest centred square, for a square shape).
     *
     * @return {@code [C, H, W]}, row-major, unsigned
     * @throws NoSuchFileException      if the file does not exist
     * @throws NotAnImageException      if it cannot be decoded as a picture
     * @throws IOException              if it cannot be read
     */
    public static byte[] readPixels(Path file, ImageShape shape) throws IOException {
        return fit(decode(file), shape);
    }

    /**
     * Decodes a picture; see the class comment for which decoder reads which format.
     *
     * @throws NotAnImageException if it is not a picture we can decode, or is larger than {@link #MAX_PIXELS}
     */
    public static RgbImage decode(Path file) throws IOException {
        byte[] bytes = InputFiles.readAllBytes(file, MAX_FILE_BYTES, "a picture");
        checkPixels(file, bytes);
        if (PhotoDecoder.readsFormatOf(bytes)) {
            try {
                return PICTURES.decode(bytes);
            } catch (UndecodableImageException e) {
                throw notAnImage(file, e.getMessage(), e);
            }
        }
        Exception failure;
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            if (img != null) {
                return storedRgb(img);
            }
            failure = new IOException("unknown format");
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        try {
            BufferedImage img = Imaging.getBufferedImage(bytes);
            if (img != null) {
                return storedRgb(img);
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        throw notAnImage(file, oneLine(failure), failure);
    }

    private static NotAnImageException notAnImage(Path file, String reason, Throwable cause) {
        return new NotAnImageException(file + " is not a PNG or JPEG image we can read (" + reason + ")", cause);
    }

    /**
     * Reads the picture's size from its header, where ImageIO knows the format, and refuses one whose decoded pixels
     * would not fit in memory (a small PNG can declare 100000 x 100000 pixels). A format ImageIO does not know is left
     * to the decoders, which check the size they read from the header against the same limit.
     *
     * @throws NotAnImageException if the picture has more than {@link #MAX_PIXELS} pixels
     */
    private static void checkPixels(Path file, byte[] bytes) throws IOException {
        long width;
        long height;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? Collections.emptyIterator() : ImageIO.getImageReaders(in);
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
     * Centre-crops {@code image} to the aspect ratio of {@code shape}, resizes it and converts it to the shape's
     * channels, as {@link ImageResampler#fitToShape} does.
     *
     * @return {@code [C, H, W]}, row-major, unsigned 8-bit samples
     */
    public static byte[] fit(RgbImage image, ImageShape shape) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(shape, "shape");
        byte[] pixels = new byte[shape.size()];
        ImageResampler.fitToShape(image, shape, pixels, 0);
        return pixels;
    }

    /** The samples as the trainer feeds them to the model: {@code (v & 0xff) * (1f / 255f)}. */
    public static float[] toFloats(byte[] pixels) {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (pixels[i] & 0xFF) * (1f / 255f);
        }
        return out;
    }

    /**
     * The pixels of an image ImageIO or Commons Imaging decoded, as {@code 0xRRGGBB} with the values the file stores.
     * For grey images {@code getRGB} would convert from Java's linear grey colour space and change them, so grey
     * samples are read from the raster (16-bit samples keep their high byte); alpha is dropped.
     */
    private static RgbImage storedRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] out = new int[w * h];
        var cm = image.getColorModel();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1) {
            var raster = image.getRaster();
            int shift = Math.max(0, cm.getComponentSize(0) - 8);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = raster.getSample(x, y, 0) >>> shift;
                    out[y * w + x] = (v << 16) | (v << 8) | v;
                }
            }
        } else {
            image.getRGB(0, 0, w, h, out, 0, w);
            for (int i = 0; i < out.length; i++) {
                out[i] &= 0xFFFFFF;
            }
        }
        return new RgbImage(w, h, out);
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
