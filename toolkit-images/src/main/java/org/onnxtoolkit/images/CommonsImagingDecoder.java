package org.onnxtoolkit.images;

import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.IOException;
import org.apache.commons.imaging.AbstractImageParser;
import org.apache.commons.imaging.ImagingException;
import org.apache.commons.imaging.ImagingParameters;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.common.BufferedImageFactory;
import org.apache.commons.imaging.formats.jpeg.JpegImageParser;
import org.apache.commons.imaging.formats.jpeg.JpegImagingParameters;
import org.apache.commons.imaging.formats.png.PngImageParser;
import org.apache.commons.imaging.formats.png.PngImagingParameters;

/**
 * Decodes JPEG and PNG files with Apache Commons Imaging, recognising the format by its signature (not by
 * the file name's extension). The image-folder datasets and {@code interpolate} use it through {@link PhotoDecoder},
 * for the files it
 * decodes as PIL does (every PNG; baseline grey and unsubsampled YCbCr JPEGs).
 *
 * <p>What Commons Imaging {@value #IMAGING_VERSION} decodes: baseline (sequential) JPEG, grey or colour, any
 * chroma subsampling, and four-component (CMYK) JPEG; every PNG colour type and bit depth. It rejects
 * progressive and lossless JPEG ("Only sequential, baseline JPEGs are supported"), which is then reported as
 * an undecodable image. EXIF orientation is not applied (CelebA's aligned faces have none).
 *
 * <p>Conversions: grey images become RGB with equal components; the alpha channel of RGBA, grey-alpha and
 * palette PNGs is dropped (colour kept as stored, as PIL's {@code convert("RGB")} does); 16-bit PNG samples are
 * reduced to 8 bits. Grey PNGs are decoded into an RGB image: Commons Imaging's default grey image stores
 * linear-light bytes, which would lose up to 6 levels of the dark sRGB values.
 *
 * <p>Images larger than {@value #MAX_PIXELS} pixels (or the limit given to the constructor) are refused before
 * decoding, so that a corrupt header cannot exhaust the heap. Immutable and thread-safe (each call uses its own
 * parser).
 */
public final class CommonsImagingDecoder implements ImageDecoder {
    /** The Commons Imaging version this decoder was checked with; part of {@link #version()}. */
    static final String IMAGING_VERSION = "1.0.0-alpha6";
    /** The largest image decoded by default: 2^26 pixels, 256 MiB of packed pixels. */
    public static final long MAX_PIXELS = 1L << 26;

    static final byte[] JPEG_SIGNATURE = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Every image as packed RGB integers, which keeps grey PNG samples in sRGB and makes reading them cheap. */
    private static final BufferedImageFactory RGB_IMAGES = new BufferedImageFactory() {
        @Override
        public BufferedImage getColorBufferedImage(int width, int height, boolean hasAlpha) {
            return new BufferedImage(width, height, hasAlpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        }

        @Override
        public BufferedImage getGrayscaleBufferedImage(int width, int height, boolean hasAlpha) {
            return getColorBufferedImage(width, height, hasAlpha);
        }
    };

    /** Images with more pixels than this are refused before decoding. */
    private final long maxPixels;

    /** A decoder that refuses images of more than {@link #MAX_PIXELS} pixels. */
    public CommonsImagingDecoder() {
        this(MAX_PIXELS);
    }

    /**
     * A decoder that refuses images of more than {@code maxPixels} pixels. The limit is not part of
     * {@link #version()}: it decides which images are decoded, never their pixels.
     */
    public CommonsImagingDecoder(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    @Override
    public String version() {
        return "commons-imaging-" + IMAGING_VERSION + "/" + getClass().getSimpleName() + "-v1";
    }

    @Override
    public RgbImage decode(byte[] bytes) throws UndecodableImageException {
        BufferedImage image;
        try {
            if (startsWith(bytes, JPEG_SIGNATURE)) {
                image = decode(new JpegImageParser(), new JpegImagingParameters(), bytes, maxPixels);
            } else if (startsWith(bytes, PNG_SIGNATURE)) {
                image = decode(new PngImageParser(), new PngImagingParameters(), bytes, maxPixels);
            } else {
                throw new UndecodableImageException("not a JPEG or PNG file (it starts with " + leadingBytes(bytes)
                        + ")");
            }
        } catch (IOException | RuntimeException e) {
            // A decoder fed damaged data fails in many ways (index and argument errors included): all mean the
            // same to the caller.
            throw new UndecodableImageException(describe(e), e);
        }
        return toRgb(image);
    }

    private static <P extends ImagingParameters<P>> BufferedImage decode(
            AbstractImageParser<P> parser, P parameters, byte[] bytes, long maxPixels)
            throws ImagingException, IOException, UndecodableImageException {
        parameters.setBufferedImageFactory(RGB_IMAGES);
        ByteSource source = ByteSource.array(bytes);
        Dimension size = parser.getImageSize(source, parameters);
        if (size.width < 1 || size.height < 1 || (long) size.width * size.height > maxPixels) {
            throw new UndecodableImageException("its header declares a " + size.width + "x" + size.height
                    + " image (at most " + maxPixels + " pixels are decoded)");
        }
        BufferedImage image = parser.getBufferedImage(source, parameters);
        if (image == null) {
            throw new UndecodableImageException("the decoder returned no image");
        }
        return image;
    }

    /** Packed RGB pixels, straight from the raster when it is packed integers (the usual case), else by getRGB. */
    private static RgbImage toRgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] rgb = new int[width * height];
        int type = image.getType();
        if ((type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB)
                && image.getRaster().getDataBuffer() instanceof DataBufferInt buffer
                && image.getSampleModel() instanceof SinglePixelPackedSampleModel model
                && buffer.getNumBanks() == 1
                && image.getRaster().getSampleModelTranslateX() == 0
                && image.getRaster().getSampleModelTranslateY() == 0) {
            int[] data = buffer.getData();
            int stride = model.getScanlineStride();
            int base = buffer.getOffset();
            for (int y = 0; y < height; y++) {
                System.arraycopy(data, base + y * stride, rgb, y * width, width);
            }
        } else {
            image.getRGB(0, 0, width, height, rgb, 0, width);
        }
        return new RgbImage(width, height, rgb);
    }

    static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String leadingBytes(byte[] bytes) {
        if (bytes.length == 0) {
            return "nothing: the file is empty";
        }
        StringBuilder text = new StringBuilder("bytes");
        for (int i = 0; i < Math.min(bytes.length, 4); i++) {
            text.append(String.format(" %02x", bytes[i] & 0xff));
        }
        return text.toString();
    }

    /** One line: the exception's message, or its type when it has none. */
    static String describe(Exception e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String line = message.strip().lines().findFirst().orElse("");
        return e instanceof IOException ? line
                : e.getClass().getSimpleName() + ": " + line;
    }
}
