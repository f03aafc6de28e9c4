package org.onnxtoolkit.images;

/**
 * EXIF orientation: reading the tag (0x0112) from EXIF's TIFF structure and turning an image as it says, so
 * that the pixels are what a person sees, as PIL's {@code ImageOps.exif_transpose} does.
 *
 * <p>The eight values say how the stored pixels must be turned to be upright: 1 as stored, 2 mirrored left to
 * right, 3 turned 180 degrees, 4 mirrored top to bottom, 5 transposed (mirrored about the main diagonal),
 * 6 turned 90 degrees clockwise, 7 transversed (mirrored about the other diagonal), 8 turned 90 degrees
 * anticlockwise. Values 5-8 swap width and height. Stateless and thread-safe.
 */
final class ExifOrientation {
    /** The EXIF/TIFF tag of the orientation. */
    static final int TAG = 0x0112;
    private static final int TYPE_SHORT = 3;
    private static final int TYPE_LONG = 4;

    private ExifOrientation() {
    }

    /**
     * The orientation in the TIFF structure {@code bytes[start, end)} (an EXIF segment after its
     * {@code "Exif\0\0"} prefix): the value of tag 0x0112 in the first image file directory, when it is one
     * SHORT or LONG in 1-8.
     *
     * @return 1-8, or 0 when the structure is malformed or has no such orientation
     */
    static int fromTiff(byte[] bytes, int start, int end) {
        end = Math.min(end, bytes.length);
        if (start < 0 || end - start < 8) {
            return 0;
        }
        boolean littleEndian;
        if (bytes[start] == 'I' && bytes[start + 1] == 'I') {
            littleEndian = true;
        } else if (bytes[start] == 'M' && bytes[start + 1] == 'M') {
            littleEndian = false;
        } else {
            return 0;
        }
        if (u16(bytes, start + 2, littleEndian) != 42) {
            return 0;
        }
        long ifd = u32(bytes, start + 4, littleEndian);
        if (ifd < 8 || start + ifd + 2 > end) {
            return 0;
        }
        int directory = start + (int) ifd;
        int entries = u16(bytes, directory, littleEndian);
        int found = 0;
        for (int i = 0; i < entries; i++) {
            int entry = directory + 2 + 12 * i;
            if (entry + 12 > end) {
                break; // a truncated directory keeps the entries read so far, as PIL does
            }
            if (u16(bytes, entry, littleEndian) != TAG) {
                continue;
            }
            int type = u16(bytes, entry + 2, littleEndian);
            long count = u32(bytes, entry + 4, littleEndian);
            long value = count != 1 ? 0
                    : type == TYPE_SHORT ? u16(bytes, entry + 8, littleEndian)
                    : type == TYPE_LONG ? u32(bytes, entry + 8, littleEndian) : 0;
            found = value >= 1 && value <= 8 ? (int) value : 0; // a later entry replaces an earlier one
        }
        return found;
    }

    private static int u16(byte[] bytes, int at, boolean littleEndian) {
        int a = bytes[at] & 0xff;
        int b = bytes[at + 1] & 0xff;
        return littleEndian ? b << 8 | a : a << 8 | b;
    }

    private static long u32(byte[] bytes, int at, boolean littleEndian) {
        long high = u16(bytes, littleEndian ? at + 2 : at, littleEndian);
        long low = u16(bytes, littleEndian ? at : at + 2, littleEndian);
        return high << 16 | low;
    }

    /**
     * {@code image} turned upright for {@code orientation}; the image itself for 1 (or any value outside 2-8).
     *
     * @return a new image (the input is not changed), {@code height x width} for orientations 5-8
     */
    static RgbImage apply(RgbImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        int[] in = image.rgb();
        boolean swap = orientation >= 5;
        int outWidth = swap ? h : w;
        int outHeight = swap ? w : h;
        int[] out = new int[in.length];
        for (int y = 0; y < outHeight; y++) {
            int row = y * outWidth;
            for (int x = 0; x < outWidth; x++) {
                // (sx, sy): the stored pixel shown at (x, y).
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                out[row + x] = in[sy * w + sx];
            }
        }
        return new RgbImage(outWidth, outHeight, out);
    }
}
