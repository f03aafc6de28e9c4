package org.onnxtoolkit.images;

import java.util.Arrays;

/**
 * What a JPEG file's markers say before its first scan: the frame type and size, the components and their
 * sampling, the JFIF and Adobe markers that decide its colour space, and the EXIF orientation. Read without
 * decoding any pixel, to choose a decoder by evidence and to refuse what no decoder here reads with a precise
 * reason.
 *
 * <p>The colour space follows libjpeg's rules ({@code default_decompress_parms}), which PIL and browsers
 * share: one component is grey; three are YCbCr when a JFIF marker is present, else RGB when an Adobe marker
 * says transform 0, else YCbCr unless the component ids are 'R', 'G', 'B'; four are CMYK when an Adobe marker
 * says transform 0 or there is no Adobe marker, else YCCK.
 *
 * @param frameMarker     the SOF marker's second byte ({@code 0xc0} baseline, {@code 0xc1} extended sequential,
 *                        {@code 0xc2} progressive, ...)
 * @param precision       bits per sample (8 or 12)
 * @param width           samples per line, {@code >= 0}
 * @param height          lines, {@code >= 0} (0 when a DNL marker gives it later)
 * @param componentIds    each component's id, in frame order
 * @param hSampling       each component's horizontal sampling factor (1-4)
 * @param vSampling       each component's vertical sampling factor (1-4)
 * @param jfif            whether an APP0 JFIF marker is present
 * @param adobeTransform  the transform of the (last) APP14 Adobe marker, or -1 when there is none
 * @param exifOrientation the orientation (1-8) in the first APP1 EXIF segment, or 1 when there is none or it
 *                        cannot be read
 */
record JpegHeader(int frameMarker, int precision, int width, int height, int[] componentIds, int[] hSampling,
                  int[] vSampling, boolean jfif, int adobeTransform, int exifOrientation) {
    static final int SOF0_BASELINE = 0xc0;
    static final int SOF1_EXTENDED = 0xc1;
    static final int SOF2_PROGRESSIVE = 0xc2;

    /** The colour space of the components, as libjpeg guesses it. */
    enum ColourSpace {
        GREY, YCBCR, RGB, CMYK, YCCK
    }

    private static final int APP0 = 0xe0;
    private static final int APP1 = 0xe1;
    private static final int APP14 = 0xee;
    private static final int SOS = 0xda;
    private static final int EOI = 0xd9;

    /**
     * Reads the markers of {@code bytes}, which start with a JPEG signature, up to the first SOS.
     *
     * @throws UndecodableImageException if the file ends or a segment is malformed before the first scan, or
     *                                   there is no frame header before it
     */
    static JpegHeader read(byte[] bytes) throws UndecodableImageException {
        int position = 2; // after SOI
        int frameMarker = -1;
        int precision = 0;
        int width = 0;
        int height = 0;
        int[] ids = null;
        int[] h = null;
        int[] v = null;
        boolean jfif = false;
        int adobeTransform = -1;
        int orientation = 0;
        while (true) {
            // Markers may be preceded by fill bytes 0xff; libjpeg skips other stray bytes too, with a warning.
            while (position < bytes.length && (bytes[position] & 0xff) != 0xff) {
                position++;
            }
            while (position < bytes.length && (bytes[position] & 0xff) == 0xff) {
                position++;
            }
            if (position >= bytes.length) {
                throw new UndecodableImageException("the file ends before the image data (truncated?)");
            }
            int marker = bytes[position++] & 0xff;
            if (marker == 0xd8 || marker == 0x01 || marker >= 0xd0 && marker <= 0xd7) {
                continue; // SOI, TEM and RSTn stand alone
            }
            if (marker == EOI) {
                throw new UndecodableImageException("the file ends (EOI marker) before any image data");
            }
            if (position + 2 > bytes.length) {
                throw new UndecodableImageException("the file ends inside a marker segment (truncated?)");
            }
            int length = (bytes[position] & 0xff) << 8 | bytes[position + 1] & 0xff;
            int start = position + 2;
            int end = position + length;
            if (length < 2 || end > bytes.length) {
                throw new UndecodableImageException(String.format("marker 0x%02x's segment of %d bytes runs past the"
                        + " end of the file (truncated?)", marker, length));
            }
            if (marker == SOS) {
                if (frameMarker < 0) {
                    throw new UndecodableImageException("the image data starts before any frame header (SOF)");
                }
                return new JpegHeader(frameMarker, precision, width, height, ids, h, v, jfif, adobeTransform,
                        orientation == 0 ? 1 : orientation);
            }
            if (isFrameMarker(marker)) {
                if (frameMarker >= 0) {
                    throw new UndecodableImageException("two frame headers (SOF) before the image data");
                }
                if (length < 8) {
                    throw new UndecodableImageException("the frame header (SOF) is " + length + " bytes long");
                }
                frameMarker = marker;
                precision = bytes[start] & 0xff;
                height = (bytes[start + 1] & 0xff) << 8 | bytes[start + 2] & 0xff;
                width = (bytes[start + 3] & 0xff) << 8 | bytes[start + 4] & 0xff;
                int count = bytes[start + 5] & 0xff;
                if (count < 1 || length != 8 + 3 * count) {
                    throw new UndecodableImageException("the frame header (SOF) declares " + count
                            + " components in " + length + " bytes");
                }
                ids = new int[count];
                h = new int[count];
                v = new int[count];
                for (int c = 0; c < count; c++) {
                    int at = start + 6 + 3 * c;
                    ids[c] = bytes[at] & 0xff;
                    h[c] = (bytes[at + 1] & 0xff) >> 4;
                    v[c] = bytes[at + 1] & 0x0f;
                    if (h[c] < 1 || h[c] > 4 || v[c] < 1 || v[c] > 4) {
                        throw new UndecodableImageException("component " + c + " has sampling factors " + h[c] + "x"
                                + v[c] + ", outside 1-4");
                    }
                }
            } else if (marker == APP0 && length - 2 >= 14 && startsWith(bytes, start, "JFIF\0")) {
                jfif = true; // libjpeg needs the 14 bytes of a JFIF header to believe it
            } else if (marker == APP14 && length - 2 >= 12 && startsWith(bytes, start, "Adobe")) {
                adobeTransform = bytes[start + 11] & 0xff;
            } else if (marker == APP1 && orientation == 0 && startsWith(bytes, start, "Exif\0\0")) {
                // The first EXIF segment counts, as in PIL; one that cannot be read means no orientation.
                orientation = Math.max(1, ExifOrientation.fromTiff(bytes, start + 6, end));
            }
            position = end;
        }
    }

    /** SOF0-SOF15, except DHT (c4), JPG (c8) and DAC (cc), which share the range. */
    private static boolean isFrameMarker(int marker) {
        return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    }

    private static boolean startsWith(byte[] bytes, int offset, String ascii) {
        if (offset + ascii.length() > bytes.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (bytes[offset + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Number of components. */
    int components() {
        return componentIds.length;
    }

    /** The components' colour space by libjpeg's rules (see the class comment); null for 2 or more than 4. */
    ColourSpace colourSpace() {
        return switch (components()) {
            case 1 -> ColourSpace.GREY;
            case 3 -> {
                if (jfif) {
                    yield ColourSpace.YCBCR;
                }
                if (adobeTransform >= 0) {
                    yield adobeTransform == 0 ? ColourSpace.RGB : ColourSpace.YCBCR;
                }
                yield Arrays.equals(componentIds, new int[] {'R', 'G', 'B'}) ? ColourSpace.RGB : ColourSpace.YCBCR;
            }
            case 4 -> adobeTransform < 0 || adobeTransform == 0 ? ColourSpace.CMYK : ColourSpace.YCCK;
            default -> null;
        };
    }

    /**
     * Whether the file is unambiguously YCbCr: a JFIF marker, an Adobe marker saying so, or the ids 1, 2, 3
     * that JFIF prescribes. libjpeg also guesses YCbCr for other ids; decoders may guess differently there.
     */
    boolean clearlyYcbcr() {
        return components() == 3 && colourSpace() == ColourSpace.YCBCR
                && (jfif || adobeTransform == 1 || Arrays.equals(componentIds, new int[] {1, 2, 3}));
    }

    /** Whether some component is stored at a lower resolution than another (4:2:0, 4:2:2, ...). */
    boolean subsampled() {
        for (int c = 1; c < components(); c++) {
            if (hSampling[c] != hSampling[0] || vSampling[c] != vSampling[0]) {
                return true;
            }
        }
        return false;
    }

    /** "baseline", "extended sequential", ... with the marker, for messages. */
    String frameDescription() {
        String kind = switch (frameMarker) {
            case 0xc0 -> "baseline";
            case 0xc1 -> "extended sequential";
            case 0xc2 -> "progressive";
            case 0xc3 -> "lossless";
            case 0xc5, 0xc6, 0xc7 -> "hierarchical";
            case 0xc9, 0xca -> "arithmetic-coded";
            case 0xcb -> "arithmetic-coded lossless";
            default -> "arithmetic-coded hierarchical";
        };
        return kind + " (SOF" + (frameMarker - 0xc0) + ")";
    }
}
