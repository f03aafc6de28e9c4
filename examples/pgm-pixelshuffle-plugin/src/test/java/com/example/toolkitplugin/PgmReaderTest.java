package com.example.toolkitplugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.onnxtoolkit.api.spi.DatasetException;

class PgmReaderTest {
    private static final Path FILE = Path.of("fixtures", "img.pgm");

    @TempDir
    Path tmp;

    private static PgmImage parse(byte[] bytes) throws PgmFormatException {
        return PgmReader.parse(FILE, bytes);
    }

    private static byte[] pixels(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void binaryWithCommentsInTheHeader() throws PgmFormatException {
        PgmImage image = parse(Pgm.binary("P5 # made by hand\n3 # width\n\t2\r\n# maxval next\n255\n", 0, 1, 2, 253, 254,
                255));
        assertEquals(3, image.width());
        assertEquals(2, image.height());
        assertEquals(255, image.maxval());
        assertArrayEquals(pixels(0, 1, 2, 253, 254, 255), image.pixels());
    }

    @Test
    void plainWithSmallMaxvalIsScaledTo255() throws PgmFormatException {
        PgmImage image = parse(Pgm.ascii("P2\r\n# plain\r\n2 2\r\n15\r\n0 7\r\n  8\t15\r\n\r\n"));
        assertEquals(15, image.maxval());
        // round(v * 255 / 15): 7 -> 119, 8 -> 136
        assertArrayEquals(pixels(0, 119, 136, 255), image.pixels());
    }

    @Test
    void binaryAndPlainOfTheSameImageAgree() throws PgmFormatException {
        PgmImage binary = parse(Pgm.binary("P5 2 2 3 ", 0, 1, 2, 3));
        PgmImage plain = parse(Pgm.ascii("P2 2 2 3 0 1 2 3"));
        assertArrayEquals(binary.pixels(), plain.pixels());
        assertArrayEquals(pixels(0, 85, 170, 255), plain.pixels());
    }

    @Test
    void rasterBytesThatLookLikeWhitespaceOrCommentsArePixels() throws PgmFormatException {
        PgmImage image = parse(Pgm.binary(2, 2, '\n', '#', ' ', 'P'));
        assertArrayEquals(pixels('\n', '#', ' ', 'P'), image.pixels());
    }

    /** Each malformed file: the reader throws PgmFormatException, and the message names the file and the fault. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty file                | ''                          | too short for a header
            PPM colour file           | 'P6 1 1 255 x'              | PPM (colour) file (magic P6)
            PBM bitmap file           | 'P1 1 1 0'                  | PBM (bitmap) file (magic P1)
            PAM file                  | 'P7 WIDTH 1'                | PAM file (magic P7)
            another format            | 'GIF89a'                    | it starts with 'G' 'I', expected the magic number P5 or P2
            no whitespace after magic | 'P51 1 255 x'               | expected whitespace before the width, found '1'
            width not a number        | 'P5 x 1 255 x'              | expected the width (a decimal number) at byte 3, found 'x'
            width and height fused    | 'P5 4x4 255 '               | expected whitespace before the height, found 'x'
            width 0                   | 'P5 0 1 255 '               | width 0 is out of range: expected 1 to 16384
            height too large          | 'P5 1 99999 255 '           | height 99999 is out of range
            huge number               | 'P5 1 99999999999999999999 255 ' | height 99999999999999999999 is out of range
            maxval 0                  | 'P5 1 1 0 x'                | maxval 0 is out of range
            16-bit maxval             | 'P5 1 1 65535 xx'           | maxval 65535 means 16-bit samples
            header ends early         | 'P5 1 1'                    | ends in the header, before the maxval
            nothing after maxval      | 'P5 1 1 255'                | ends after the header, before the raster
            comment after maxval      | 'P5 1 1 255#c'              | expected one whitespace byte after maxval, found '#'
            plain truncated           | 'P2 2 2 255 1 2 3'          | the header promises 4 samples but the file ends after 3
            plain letter in raster    | 'P2 2 1 255 1 a'            | unexpected 'a' in the raster at byte 13
            plain comment in raster   | 'P2 2 1 255 1 #c'           | unexpected '#' in the raster
            plain fused sample        | 'P2 2 1 255 1 2x'           | unexpected 'x' in the raster at byte 14
            plain sample too large    | 'P2 2 1 9 1 10'             | sample 10 at row 0, column 1 exceeds maxval 9
            plain data after raster   | 'P2 1 1 255 1 2'            | data after the 1 samples of the raster, at byte 13
            """)
    void malformedTextFilesAreRejected(String name, String content, String expected) {
        PgmFormatException e = assertThrows(PgmFormatException.class, () -> parse(Pgm.ascii(content)), name);
        assertTrue(e.getMessage().startsWith(FILE + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), name + ": " + e.getMessage());
        assertEquals(FILE, e.file());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void binaryRasterMustHaveExactlyWidthTimesHeightBytes() {
        PgmFormatException shortRaster = assertThrows(PgmFormatException.class,
                () -> parse(Pgm.binary("P5 2 2 255\n", 1, 2, 3)));
        assertTrue(shortRaster.getMessage().contains("truncated: the header promises 4 bytes of pixels but only 3 follow"),
                shortRaster.getMessage());
        PgmFormatException longRaster = assertThrows(PgmFormatException.class,
                () -> parse(Pgm.binary("P5 2 2 255\n", 1, 2, 3, 4, '\n')));
        assertTrue(longRaster.getMessage().contains("1 bytes after the 4-byte raster"), longRaster.getMessage());
    }

    @Test
    void binarySampleAboveMaxvalIsRejectedWithItsPosition() {
        PgmFormatException e = assertThrows(PgmFormatException.class,
                () -> parse(Pgm.binary("P5 3 2 100\n", 0, 0, 0, 0, 200, 0)));
        assertTrue(e.getMessage().contains("sample 200 at row 1, column 1 exceeds maxval 100"), e.getMessage());
    }

    @Test
    void aFileThatCannotBeReadIsADatasetExceptionNamingIt() {
        Path missing = tmp.resolve("missing.pgm");
        DatasetException e = assertThrows(DatasetException.class, () -> PgmReader.read(missing));
        assertFalse(e instanceof PgmFormatException);
        assertTrue(e.getMessage().startsWith(missing + ": cannot be read"), e.getMessage());
    }

    @Test
    void readParsesAFile() throws IOException, DatasetException {
        Path file = Pgm.write(tmp.resolve("a.pgm"), Pgm.binary(1, 2, 10, 20));
        PgmImage image = PgmReader.read(file);
        assertArrayEquals(pixels(10, 20), image.pixels());
        assertInstanceOf(PgmImage.class, image);
    }
}
