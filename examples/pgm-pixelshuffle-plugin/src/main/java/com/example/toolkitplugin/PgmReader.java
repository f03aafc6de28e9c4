package com.example.toolkitplugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.onnxtoolkit.api.spi.DatasetException;

/**
 * A strict reader of single-image 8-bit PGM files (Netpbm "portable graymap"), binary ({@code P5}) and
 * plain ({@code P2}).
 *
 * <p>The header is the magic number, then width, height and maxval as ASCII decimals, each preceded by
 * whitespace (blank, tab, CR, LF, VT, FF) in which {@code #} comments run to the end of the line. A binary
 * raster follows exactly one whitespace byte after maxval and must be exactly {@code width * height} bytes
 * long; a plain raster is {@code width * height} decimals separated by whitespace, with nothing but
 * whitespace after the last. Every sample must be {@code <= maxval}. Rejected, each with a one-line
 * {@link PgmFormatException} naming the file: another magic number (PBM, PPM, PAM), a missing or malformed
 * header field, a width or height of 0 or above {@value #MAX_SIDE}, maxval 0 or above 255 (16-bit
 * samples), a short raster, bytes after the raster (multi-image files), a sample above maxval, a comment or
 * other character inside a plain raster.
 *
 * <p>Samples are scaled from {@code [0, maxval]} to {@code [0, 255]} (rounded to nearest), so images with
 * different maxvals can be mixed.
 */
public final class PgmReader {
    /** The largest width or height read. */
    public static final int MAX_SIDE = 16_384;
    private static final int MAX_MAXVAL = 255;

    private PgmReader() {
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws PgmFormatException if the file is not a PGM image this reader accepts
     * @throws DatasetException   if the file cannot be read
     */
    public static PgmImage read(Path file) throws DatasetException {
        return parse(file, readBytes(file));
    }

    /** The whole file; an I/O failure becomes a one-line {@link DatasetException} naming it. */
    static byte[] readBytes(Path file) throws DatasetException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot be read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
    }

    /**
     * Parses the contents of a PGM file.
     *
     * @param file  named in error messages only
     * @param bytes the whole file
     * @throws PgmFormatException if {@code bytes} is not a PGM image this reader accepts
     */
    public static PgmImage parse(Path file, byte[] bytes) throws PgmFormatException {
        return new Parser(file, bytes).image();
    }

    /** One parse: a cursor over the file's bytes. */
    private static final class Parser {
        private final Path file;
        private final byte[] b;
        private int pos;

        Parser(Path file, byte[] bytes) {
            this.file = file;
            this.b = bytes;
        }

        PgmImage image() throws PgmFormatException {
            boolean plain = magic();
            int width = headerField("width", MAX_SIDE);
            int height = headerField("height", MAX_SIDE);
            int maxval = headerField("maxval", 65_535);
            if (maxval > MAX_MAXVAL) {
                throw fail("maxval " + maxval + " means 16-bit samples; only 8-bit PGM (maxval <= " + MAX_MAXVAL
                        + ") is read");
            }
            if (pos >= b.length || !isWhitespace(b[pos])) {
                throw fail(pos >= b.length ? "ends after the header, before the raster"
                        : "expected one whitespace byte after maxval, found " + describe(b[pos]) + " at byte " + pos);
            }
            pos++; // the single whitespace byte that ends the header
            int samples = width * height; // at most MAX_SIDE^2, no overflow
            byte[] pixels = plain ? plainRaster(samples, width, maxval) : binaryRaster(samples, width, maxval);
            return new PgmImage(width, height, maxval, pixels);
        }

        /** Reads {@code P5} or {@code P2}; true for the plain (ASCII) form. */
        private boolean magic() throws PgmFormatException {
            if (b.length < 2) {
                throw fail("is not a PGM file: " + b.length + " bytes, too short for a header");
            }
            if (b[0] == 'P' && (b[1] == '5' || b[1] == '2')) {
                pos = 2;
                return b[1] == '2';
            }
            if (b[0] == 'P' && b[1] >= '1' && b[1] <= '7') {
                String kind = switch (b[1]) {
                    case '1', '4' -> "a PBM (bitmap)";
                    case '3', '6' -> "a PPM (colour)";
                    default -> "a PAM";
                };
                throw fail("is " + kind + " file (magic P" + (char) b[1] + "); only grey PGM files (P5 binary, P2 plain)"
                        + " are read");
            }
            throw fail("is not a PGM file: it starts with " + describe(b[0]) + " " + describe(b[1])
                    + ", expected the magic number P5 or P2");
        }

        /** Whitespace (with comments), then a decimal in {@code [1, max]}. */
        private int headerField(String name, int max) throws PgmFormatException {
            int start = pos;
            skipWhitespaceAndComments();
            if (pos >= b.length) {
                throw fail("ends in the header, before the " + name);
            }
            if (pos == start) {
                throw fail("expected whitespace before the " + name + ", found " + describe(b[pos]) + " at byte " + pos);
            }
            if (!isDigit(b[pos])) {
                throw fail("expected the " + name + " (a decimal number) at byte " + pos + ", found " + describe(b[pos]));
            }
            int digits = pos;
            long value = 0;
            while (pos < b.length && isDigit(b[pos])) {
                value = Math.min(value * 10 + (b[pos++] - '0'), Integer.MAX_VALUE);
            }
            if (value < 1 || value > max) {
                String text = new String(b, digits, Math.min(pos - digits, 20), StandardCharsets.US_ASCII);
                throw fail(name + " " + text + " is out of range: expected 1 to " + max);
            }
            return (int) value;
        }

        private void skipWhitespaceAndComments() {
            while (pos < b.length) {
                if (isWhitespace(b[pos])) {
                    pos++;
                } else if (b[pos] == '#') {
                    while (pos < b.length && b[pos] != '\n' && b[pos] != '\r') {
                        pos++;
                    }
                } else {
                    return;
                }
            }
        }

        private byte[] binaryRaster(int samples, int width, int maxval) throws PgmFormatException {
            int available = b.length - pos;
            if (available < samples) {
                throw fail("truncated: the header promises " + samples + " bytes of pixels but only " + available
                        + " follow");
            }
            if (available > samples) {
                throw fail((available - samples) + " bytes after the " + samples + "-byte raster (files holding"
                        + " several images are not read)");
            }
            byte[] pixels = new byte[samples];
            for (int i = 0; i < samples; i++) {
                pixels[i] = scaled(b[pos + i] & 0xFF, i, width, maxval);
            }
            return pixels;
        }

        private byte[] plainRaster(int samples, int width, int maxval) throws PgmFormatException {
            byte[] pixels = new byte[samples];
            for (int i = 0; i < samples; i++) {
                while (pos < b.length && isWhitespace(b[pos])) {
                    pos++;
                }
                if (pos >= b.length) {
                    throw fail("truncated: the header promises " + samples + " samples but the file ends after " + i);
                }
                if (!isDigit(b[pos])) {
                    throw fail("unexpected " + describe(b[pos]) + " in the raster at byte " + pos
                            + " (plain PGM samples are decimal numbers separated by whitespace)");
                }
                int value = 0;
                while (pos < b.length && isDigit(b[pos])) {
                    value = Math.min(value * 10 + (b[pos++] - '0'), 1 << 20);
                }
                if (pos < b.length && !isWhitespace(b[pos])) {
                    throw fail("unexpected " + describe(b[pos]) + " in the raster at byte " + pos
                            + " (plain PGM samples are decimal numbers separated by whitespace)");
                }
                pixels[i] = scaled(value, i, width, maxval);
            }
            while (pos < b.length && isWhitespace(b[pos])) {
                pos++;
            }
            if (pos < b.length) {
                throw fail("data after the " + samples + " samples of the raster, at byte " + pos
                        + " (files holding several images are not read)");
            }
            return pixels;
        }

        /** {@code value} mapped from {@code [0, maxval]} to {@code [0, 255]}, rounded to nearest. */
        private byte scaled(int value, int index, int width, int maxval) throws PgmFormatException {
            if (value > maxval) {
                throw fail("sample " + value + " at row " + index / width + ", column " + index % width
                        + " exceeds maxval " + maxval);
            }
            return (byte) (maxval == MAX_MAXVAL ? value : (value * MAX_MAXVAL + maxval / 2) / maxval);
        }

        private PgmFormatException fail(String problem) {
            return new PgmFormatException(file, problem);
        }
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(byte c) {
        return c >= 0x21 && c <= 0x7E ? "'" + (char) c + "'" : String.format("byte 0x%02X", c & 0xFF);
    }
}
