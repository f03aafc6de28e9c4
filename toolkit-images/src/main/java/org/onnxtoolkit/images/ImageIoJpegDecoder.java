package org.onnxtoolkit.images;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ServiceRegistry;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the JPEGs Commons Imaging does not read, or does not read as other readers do: progressive and
 * extended-sequential frames, chroma-subsampled and RGB images, CMYK and YCCK. The JDK's libjpeg (through
 * ImageIO) decodes, behind TwelveMonkeys' JPEG reader, which repairs damaged marker segments before libjpeg
 * sees them; the colour conversion is done here, exactly as libjpeg and PIL do it, so that the pixels match
 * PIL's {@code Image.open(f).convert("RGB")}.
 *
 * <p><b>Reader.</b> The datasets plugin is shaded and loaded by its own class loader, where ImageIO's service
 * lookup cannot see TwelveMonkeys. Its reader provider is therefore put into a private registry of this
 * class, next to the JDK's JPEG reader provider it delegates to; nothing is registered in the JVM's global
 * ImageIO registry, so other code reading images in the same JVM is not affected.
 *
 * <p><b>Colour.</b> The raster is read raw (no conversion in ImageIO, which would apply embedded ICC profiles
 * that PIL ignores), then: grey is repeated into R, G and B; YCbCr becomes RGB with libjpeg's fixed-point
 * tables (ITU-R 601, full range); RGB is kept; CMYK and YCCK become RGB as PIL does: libjpeg turns YCCK into
 * CMYK, PIL reads CMYK JPEGs as inverted (the Adobe convention, which Photoshop writes), then
 * {@code convert("RGB")} computes {@code R = (255 - K) - C * (255 - K) / 255} (rounded as PIL's
 * {@code MULDIV255}). So a dark red Adobe CMYK background comes out dark red.
 *
 * <p><b>Damage.</b> libjpeg decodes damaged or truncated data with a warning, filling what is missing with
 * grey. Such a warning ({@link #DAMAGE}: "Corrupt JPEG data", "Premature end of JPEG file", ...) makes the image
 * undecodable here, as PIL refuses truncated files; "extraneous bytes before marker", which many cameras write
 * and which loses no pixel, is accepted, and so are warnings that lose no pixel either (an unknown JFIF
 * revision, TwelveMonkeys' notes on the marker segments it repaired).
 *
 * <p>Stateless and thread-safe: every call creates its own reader.
 */
final class ImageIoJpegDecoder {
    /** The TwelveMonkeys version this decoder was checked with; part of {@link #VERSION}. */
    static final String TWELVEMONKEYS_VERSION = "3.14.0";
    /** Names this decoder in cache keys and per-image recipes; change it when its pixels may change. */
    static final String VERSION = "jdk-libjpeg+twelvemonkeys-" + TWELVEMONKEYS_VERSION + "/ImageIoJpegDecoder-v1";

    private static final String JDK_JPEG_READER_SPI = "com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi";
    /** The starts of libjpeg's warnings about lost pixels (jerror.h: JWRN_HIT_MARKER, JWRN_JPEG_EOF, ...). */
    static final List<String> DAMAGE = List.of("corrupt jpeg data", "premature end of jpeg file",
            "inconsistent progression sequence", "invalid sos parameters");
    /** libjpeg's warning for stray bytes between segments: harmless (JWRN_EXTRANEOUS_DATA). */
    private static final String HARMLESS_WARNING = "extraneous bytes before marker";

    private static final ImageReaderSpi READERS = readerProvider();

    /** libjpeg's YCbCr to RGB tables (jdcolor.c, build_ycc_rgb_table): 16-bit fixed point. */
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        final int scaleBits = 16;
        final int oneHalf = 1 << (scaleBits - 1);
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + oneHalf) >> scaleBits;
            CB_B[i] = (fix(1.77200) * x + oneHalf) >> scaleBits;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + oneHalf;
        }
    }

    private static int fix(double value) {
        return (int) (value * (1 << 16) + 0.5);
    }

    private ImageIoJpegDecoder() {
    }

    /** TwelveMonkeys' provider, registered in a private registry that holds the JDK's JPEG reader as its delegate. */
    private static ImageReaderSpi readerProvider() {
        ServiceRegistry registry = new ServiceRegistry(List.<Class<?>>of(ImageReaderSpi.class).iterator());
        Iterator<ImageReaderSpi> installed = IIORegistry.getDefaultInstance().getServiceProviders(ImageReaderSpi.class,
                false);
        while (installed.hasNext()) {
            ImageReaderSpi provider = installed.next();
            if (provider.getClass().getName().equals(JDK_JPEG_READER_SPI)) {
                registry.registerServiceProvider(provider, ImageReaderSpi.class);
            }
        }
        JPEGImageReaderSpi twelveMonkeys = new JPEGImageReaderSpi();
        // Registration makes it find its delegate in the registry; without one it deregisters itself.
        registry.registerServiceProvider(twelveMonkeys, ImageReaderSpi.class);
        if (!registry.contains(twelveMonkeys)) {
            throw new IllegalStateException("this JDK has no ImageIO JPEG reader (" + JDK_JPEG_READER_SPI + ")");
        }
        return twelveMonkeys;
    }

    /**
     * Decodes a JPEG whose markers were read into {@code header}; the caller has checked that its frame type,
     * precision and component count are ones libjpeg decodes.
     */
    static RgbImage decode(byte[] bytes, JpegHeader header) throws UndecodableImageException {
        Raster raster;
        ImageReader reader;
        try {
            reader = READERS.createReaderInstance();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create an ImageIO JPEG reader", e);
        }
        StringBuilder damage = new StringBuilder();
        reader.addIIOReadWarningListener((source, warning) -> {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (damage.isEmpty() && DAMAGE.stream().anyMatch(lower::startsWith) && !lower.contains(HARMLESS_WARNING)) {
                damage.append(warning.strip());
            }
        });
        try (ImageInputStream input = new ByteArrayImageInputStream(bytes)) {
            reader.setInput(input, false, true);
            raster = reader.readRaster(0, null);
        } catch (IOException | RuntimeException e) {
            // libjpeg's errors arrive as IIOException, TwelveMonkeys' parser fails on odd data in other ways.
            throw new UndecodableImageException(CommonsImagingDecoder.describe(e), e);
        } finally {
            reader.dispose();
        }
        if (!damage.isEmpty()) {
            throw new UndecodableImageException(damage.toString());
        }
        return toRgb(raster, header);
    }

    private static RgbImage toRgb(Raster raster, JpegHeader header) throws UndecodableImageException {
        int width = raster.getWidth();
        int height = raster.getHeight();
        int bands = raster.getNumBands();
        if (width != header.width() || height != header.height() && header.height() != 0) {
            throw new UndecodableImageException("the decoder returned a " + width + "x" + height + " image for a "
                    + header.width() + "x" + header.height() + " frame");
        }
        if (bands != header.components() || raster.getTransferType() != DataBuffer.TYPE_BYTE) {
            throw new UndecodableImageException("the decoder returned " + bands + " bands of "
                    + raster.getSampleModel().getClass().getSimpleName() + " for " + header.components()
                    + " components");
        }
        byte[] samples = interleavedSamples(raster);
        int[] rgb = new int[width * height];
        JpegHeader.ColourSpace space = header.colourSpace();
        for (int i = 0, s = 0; i < rgb.length; i++, s += bands) {
            rgb[i] = switch (space) {
                case GREY -> {
                    int g = samples[s] & 0xff;
                    yield g << 16 | g << 8 | g;
                }
                case RGB -> (samples[s] & 0xff) << 16 | (samples[s + 1] & 0xff) << 8 | samples[s + 2] & 0xff;
                case YCBCR -> yccToRgb(samples[s] & 0xff, samples[s + 1] & 0xff, samples[s + 2] & 0xff);
                case CMYK -> invertedCmykToRgb(255 - (samples[s] & 0xff), 255 - (samples[s + 1] & 0xff),
                        255 - (samples[s + 2] & 0xff), 255 - (samples[s + 3] & 0xff));
                case YCCK -> {
                    // libjpeg: C = 255 - R(YCC), ... K kept; PIL inverts all four again.
                    int fromYcc = yccToRgb(samples[s] & 0xff, samples[s + 1] & 0xff, samples[s + 2] & 0xff);
                    yield invertedCmykToRgb(fromYcc >> 16 & 0xff, fromYcc >> 8 & 0xff, fromYcc & 0xff,
                            255 - (samples[s + 3] & 0xff));
                }
            };
        }
        return new RgbImage(width, height, rgb);
    }

    /** The raster's samples, pixel-interleaved, row-major, without padding. */
    private static byte[] interleavedSamples(Raster raster) {
        int bands = raster.getNumBands();
        if (raster.getSampleModel() instanceof PixelInterleavedSampleModel model
                && raster.getDataBuffer() instanceof DataBufferByte buffer && buffer.getNumBanks() == 1
                && model.getPixelStride() == bands && model.getScanlineStride() == bands * raster.getWidth()
                && isIdentity(model.getBandOffsets()) && buffer.getOffset() == 0
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && buffer.getData().length == bands * raster.getWidth() * raster.getHeight()) {
            return buffer.getData(); // what the JDK's reader returns: no copy
        }
        int[] samples = raster.getPixels(raster.getMinX(), raster.getMinY(), raster.getWidth(), raster.getHeight(),
                (int[]) null);
        byte[] bytes = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            bytes[i] = (byte) samples[i];
        }
        return bytes;
    }

    private static boolean isIdentity(int[] offsets) {
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** libjpeg's {@code ycc_rgb_convert}, bit for bit. */
    static int yccToRgb(int y, int cb, int cr) {
        int r = clamp(y + CR_R[cr]);
        int g = clamp(y + ((CB_G[cb] + CR_G[cr]) >> 16));
        int b = clamp(y + CB_B[cb]);
        return r << 16 | g << 8 | b;
    }

    /** PIL's {@code cmyk2rgb} on PIL's (inverted, Adobe-convention) CMYK values. */
    static int invertedCmykToRgb(int c, int m, int y, int k) {
        int notK = 255 - k;
        int r = clamp(notK - mulDiv255(c, notK));
        int g = clamp(notK - mulDiv255(m, notK));
        int b = clamp(notK - mulDiv255(y, notK));
        return r << 16 | g << 8 | b;
    }

    /** PIL's {@code MULDIV255(a, b)}: {@code a * b / 255} rounded, in integers. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clamp(int value) {
        return value < 0 ? 0 : Math.min(value, 255);
    }
}
