package org.onnxtoolkit.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every decoding path against PIL's pixels ({@code ImageOps.exif_transpose(Image.open(f)).convert("RGB")}), on
 * files PIL and ImageIO write here and on real files from Pillow's test suite ({@code src/test/resources/pillow}).
 *
 * <p><b>Tolerances.</b> PNG is lossless: exact. JPEGs read by libjpeg ({@link ImageIoJpegDecoder}: the JDK's
 * libjpeg 6b) use the same integer algorithms as PIL's libjpeg-turbo (the "islow" IDCT, the triangle chroma
 * upsampling, the same fixed-point colour tables, PIL's CMYK formula rebuilt bit for bit): exact as well.
 * JPEGs read by Commons Imaging (baseline, grey or unsubsampled YCbCr) get {@value #COMMONS_IMAGING_TOLERANCE}
 * levels: its IDCT works in floating point with other rounding than libjpeg's 13-bit fixed point, and each
 * output sample sums 64 rounded products, so a few levels of difference are inherent (measured: at most 4).
 */
class PhotoDecoderTest {
    /** Commons Imaging's IDCT against libjpeg's; see the class comment. */
    static final int COMMONS_IMAGING_TOLERANCE = 4;

    /** Writes the fixtures PIL can write: photos with sharp colour edges in every JPEG and PNG flavour. */
    private static final String WRITE_FIXTURES = """
            import sys, math, random
            from PIL import Image
            out = sys.argv[1]
            W, H = 160, 120
            random.seed(7)
            im = Image.new("RGB", (W, H))
            pixels = []
            for y in range(H):
                for x in range(W):
                    blob = math.exp(-((x - 60) ** 2 + (y - 50) ** 2) / 900.0)
                    r = 40 + 150 * x / W + 60 * blob + random.gauss(0, 6)
                    g = 30 + 120 * y / H + 80 * blob + random.gauss(0, 6)
                    b = 90 + 80 * math.sin(x * 0.05 + y * 0.03) + random.gauss(0, 6)
                    pixels.append(tuple(max(0, min(255, int(round(v)))) for v in (r, g, b)))
            im.putdata(pixels)
            im.paste((200, 20, 20), (100, 10, 140, 50))
            im.paste((20, 40, 220), (110, 70, 150, 110))
            im.save(out + "/baseline-420.jpg", quality=90)
            im.save(out + "/baseline-422.jpg", quality=90, subsampling=1)
            im.save(out + "/baseline-444.jpg", quality=90, subsampling=0)
            im.save(out + "/progressive-420.jpg", quality=90, progressive=True)
            im.save(out + "/progressive-444.jpg", quality=90, progressive=True, subsampling=0)
            grey = im.convert("L")
            grey.save(out + "/grey.jpg", quality=90)
            grey.save(out + "/grey-progressive.jpg", quality=90, progressive=True)
            red = Image.new("RGB", (W, H), (110, 12, 20))
            red.paste(im.crop((40, 30, 120, 90)), (40, 30))
            red.convert("CMYK").save(out + "/cmyk.jpg", quality=90)
            red.convert("CMYK").save(out + "/cmyk-progressive.jpg", quality=90, progressive=True)
            for n in range(1, 9):
                exif = Image.Exif()
                exif[0x0112] = n
                im.save(out + "/exif-%d.jpg" % n, quality=90, exif=exif.tobytes())
                im.save(out + "/exif-%d.png" % n, exif=exif.tobytes())
            im.save(out + "/rgb.png")
            grey.save(out + "/grey.png")
            wide = Image.new("I", (W, H))
            wide.putdata([(x * 409 + y * 97 + random.randrange(256)) % 65536 for y in range(H) for x in range(W)])
            wide.save(out + "/grey16.png")
            im.quantize(64).save(out + "/palette.png")
            im.quantize(16).save(out + "/palette-transparent.png", transparency=3)
            gradient = Image.linear_gradient("L").resize((W, H))
            rgba = im.copy()
            rgba.putalpha(gradient)
            rgba.save(out + "/rgba.png")
            la = grey.copy()
            la.putalpha(gradient.transpose(Image.Transpose.ROTATE_180))
            la.save(out + "/grey-alpha.png")
            """;

    private static final String COMMONS = CommonsImagingDecoder.IMAGING_VERSION;
    private static final String LIBJPEG = ImageIoJpegDecoder.VERSION;

    /**
     * A fixture and what is expected of it.
     *
     * @param name      file name in the fixture folder, or {@code pillow/...} for Pillow's files
     * @param decoder   a fragment of the recipe: which decoder must have read it
     * @param tolerance the largest allowed difference from PIL, in levels
     */
    private record Case(String name, String decoder, int tolerance) {
    }

    private static final List<Case> CASES = List.of(
            new Case("baseline-420.jpg", LIBJPEG, 0),
            new Case("baseline-422.jpg", LIBJPEG, 0),
            new Case("baseline-444.jpg", COMMONS, COMMONS_IMAGING_TOLERANCE),
            new Case("progressive-420.jpg", LIBJPEG, 0),
            new Case("progressive-444.jpg", LIBJPEG, 0),
            new Case("sof1-420.jpg", LIBJPEG, 0),
            new Case("sof1-444.jpg", LIBJPEG, 0),
            new Case("sof1-grey.jpg", LIBJPEG, 0),
            new Case("grey.jpg", COMMONS, COMMONS_IMAGING_TOLERANCE),
            new Case("grey-progressive.jpg", LIBJPEG, 0),
            new Case("cmyk.jpg", LIBJPEG, 0),
            new Case("cmyk-progressive.jpg", LIBJPEG, 0),
            new Case("exif-1.jpg", LIBJPEG, 0),
            new Case("exif-2.jpg", LIBJPEG, 0),
            new Case("exif-3.jpg", LIBJPEG, 0),
            new Case("exif-4.jpg", LIBJPEG, 0),
            new Case("exif-5.jpg", LIBJPEG, 0),
            new Case("exif-6.jpg", LIBJPEG, 0),
            new Case("exif-7.jpg", LIBJPEG, 0),
            new Case("exif-8.jpg", LIBJPEG, 0),
            new Case("exif-1.png", COMMONS, 0),
            new Case("exif-2.png", COMMONS, 0),
            new Case("exif-3.png", COMMONS, 0),
            new Case("exif-4.png", COMMONS, 0),
            new Case("exif-5.png", COMMONS, 0),
            new Case("exif-6.png", COMMONS, 0),
            new Case("exif-7.png", COMMONS, 0),
            new Case("exif-8.png", COMMONS, 0),
            new Case("rgb.png", COMMONS, 0),
            new Case("grey.png", COMMONS, 0),
            new Case("grey16.png", COMMONS, 0),
            new Case("rgb16.png", COMMONS, 0),
            new Case("palette.png", COMMONS, 0),
            new Case("palette-transparent.png", COMMONS, 0),
            new Case("rgba.png", COMMONS, 0),
            new Case("grey-alpha.png", COMMONS, 0),
            new Case("pillow/hopper.jpg", LIBJPEG, 0),
            new Case("pillow/hopper_gray.jpg", COMMONS, COMMONS_IMAGING_TOLERANCE),
            new Case("pillow/hopper_orientation_2.jpg", LIBJPEG, 0),
            new Case("pillow/hopper_orientation_3.jpg", LIBJPEG, 0),
            new Case("pillow/hopper_orientation_4.jpg", LIBJPEG, 0),
            new Case("pillow/hopper_orientation_5.jpg", LIBJPEG, 0),
            new Case("pillow/hopper_orientation_6.jpg", LIBJPEG, 0),
            new Case("pillow/hopper_orientation_7.jpg", LIBJPEG, 0),
            new Case("pillow/hopper_orientation_8.jpg", LIBJPEG, 0),
            new Case("pillow/pil_sample_cmyk.jpg", LIBJPEG, 0));

    @TempDir
    static Path fixtures;

    private static Map<Path, RgbImage> pilTurned;
    private static Map<Path, RgbImage> pilStored;

    private final PhotoDecoder decoder = new PhotoDecoder();

    @BeforeAll
    static void writeFixturesAndDecodeThemWithPil() throws IOException {
        PilPeer.assumeAvailable();
        PilPeer.run(WRITE_FIXTURES, List.of(fixtures.toString()));
        Files.write(fixtures.resolve("sof1-420.jpg"), ImageFixtures.withFrameMarker(read("baseline-420.jpg"), 0xc1));
        Files.write(fixtures.resolve("sof1-444.jpg"), ImageFixtures.withFrameMarker(read("baseline-444.jpg"), 0xc1));
        Files.write(fixtures.resolve("sof1-grey.jpg"), ImageFixtures.withFrameMarker(read("grey.jpg"), 0xc1));
        int[] samples = new int[3 * 90 * 70];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (i * 7919 + i / 3 * 131) % 65536;
        }
        Files.write(fixtures.resolve("rgb16.png"), ImageFixtures.rgb16Png(90, 70, samples));
        List<Path> files = CASES.stream().map(c -> file(c.name())).toList();
        pilTurned = PilPeer.decode(files, true);
        pilStored = PilPeer.decode(files, false);
    }

    private static byte[] read(String name) throws IOException {
        return Files.readAllBytes(file(name));
    }

    static Path file(String name) {
        if (name.startsWith("pillow/")) {
            try {
                return Path.of(PhotoDecoderTest.class.getResource("/" + name).toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return fixtures.resolve(name);
    }

    @TestFactory
    Stream<DynamicTest> everyFileDecodesAsPilDoesWithTheDecoderItsMarkersCallFor() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            ImageDecoder.DecodedImage decoded = decoder.decodeWithRecipe(read(c.name()));
            assertTrue(decoded.recipe().contains(c.decoder()), c.name() + " was read by " + decoded.recipe());
            int difference = PilPeer.maxDifference(decoded.image(), pilTurned.get(file(c.name())), c.name());
            System.out.printf("%-34s %-22s max difference from PIL %d%n", c.name(),
                    c.decoder().equals(LIBJPEG) ? "libjpeg (TwelveMonkeys)" : "Commons Imaging", difference);
            assertTrue(difference <= c.tolerance(), c.name() + ": " + difference + " levels from PIL, at most "
                    + c.tolerance() + " allowed");
        }));
    }

    @Test
    void exifIgnoredKeepsTheStoredPixelsAsPilWithoutExifTranspose() throws Exception {
        ImageDecoder stored = decoder.withExifOrientation(false);
        for (Case c : CASES) {
            if (!c.name().contains("orientation") && !c.name().startsWith("exif-")) {
                continue;
            }
            ImageDecoder.DecodedImage decoded = stored.decodeWithRecipe(read(c.name()));
            assertTrue(!decoded.recipe().contains(PhotoDecoder.TURNED), c.name() + ": " + decoded.recipe());
            assertEquals(0, PilPeer.maxDifference(decoded.image(), pilStored.get(file(c.name())), c.name()), c.name());
        }
    }

    @Test
    void orientationsFiveToEightSwapWidthAndHeightAndOnlyTurnedImagesSayTheyWereTurned() throws Exception {
        for (int n = 1; n <= 8; n++) {
            for (String type : List.of("jpg", "png")) {
                ImageDecoder.DecodedImage decoded = decoder.decodeWithRecipe(read("exif-" + n + "." + type));
                assertEquals(n >= 5 ? 120 : 160, decoded.image().width(), "orientation " + n + " " + type);
                assertEquals(n >= 5 ? 160 : 120, decoded.image().height(), "orientation " + n + " " + type);
                assertEquals(n > 1, decoded.recipe().endsWith(PhotoDecoder.TURNED), decoded.recipe());
            }
        }
        // An unturned image read by Commons Imaging keeps the recipe it always had (fingerprints stay).
        assertEquals(new CommonsImagingDecoder().version(), decoder.decodeWithRecipe(read("exif-1.png")).recipe());
        assertEquals(new CommonsImagingDecoder().version(), decoder.decodeWithRecipe(read("rgb.png")).recipe());
    }

    @Test
    void adobeCmykKeepsItsDarkRedBackground() throws Exception {
        for (String name : List.of("cmyk.jpg", "cmyk-progressive.jpg")) {
            RgbImage image = decoder.decode(read(name));
            int corner = image.rgb()[5 * image.width() + 5];
            int r = corner >> 16 & 0xff;
            int g = corner >> 8 & 0xff;
            int b = corner & 0xff;
            // Written as RGB (110, 12, 20) through PIL's RGB->CMYK; JPEG loses a few levels.
            assertTrue(Math.abs(r - 110) <= 6 && g <= 20 && b <= 28, name + ": corner is " + r + "," + g + "," + b);
        }
    }

    @Test
    void commonsImagingWouldGiveOtherPixelsWhereTheMarkersSendTheFileToLibjpeg() throws Exception {
        // The evidence behind the choice: on 4:2:0 files Commons Imaging repeats chroma samples, and on CMYK it
        // gets the colours wrong; both far beyond IDCT rounding.
        CommonsImagingDecoder commons = new CommonsImagingDecoder();
        int subsampled = PilPeer.maxDifference(commons.decode(read("baseline-420.jpg")),
                pilTurned.get(file("baseline-420.jpg")), "4:2:0");
        int cmyk = PilPeer.maxDifference(commons.decode(read("cmyk.jpg")), pilTurned.get(file("cmyk.jpg")), "CMYK");
        System.out.printf("Commons Imaging alone: 4:2:0 max difference %d, CMYK %d%n", subsampled, cmyk);
        assertTrue(subsampled > 20, "4:2:0 through Commons Imaging differs by " + subsampled);
        assertTrue(cmyk > 50, "CMYK through Commons Imaging differs by " + cmyk);
        UndecodableImageException progressive = assertThrows(UndecodableImageException.class,
                () -> commons.decode(read("progressive-420.jpg")));
        assertTrue(progressive.getMessage().contains("baseline"), progressive.getMessage());
    }

    @Test
    void kindsNoDecoderReadsAreRefusedNamingTheKind() throws IOException {
        byte[] baseline = read("baseline-420.jpg");
        Map<String, byte[]> refused = Map.of(
                "arithmetic-coded (SOF9)", ImageFixtures.withFrameMarker(baseline, 0xc9),
                "lossless (SOF3)", ImageFixtures.withFrameMarker(baseline, 0xc3),
                "hierarchical (SOF5)", ImageFixtures.withFrameMarker(baseline, 0xc5),
                "12-bit JPEG", ImageFixtures.withPrecision(baseline, 12));
        for (Map.Entry<String, byte[]> entry : refused.entrySet()) {
            UndecodableImageException e = assertThrows(UndecodableImageException.class,
                    () -> decoder.decode(entry.getValue()), entry.getKey());
            assertTrue(e.getMessage().contains(entry.getKey()), e.getMessage());
        }
        UndecodableImageException huge = assertThrows(UndecodableImageException.class,
                () -> decoder.decode(ImageFixtures.withDeclaredSize(baseline, 65535, 65535)));
        assertTrue(huge.getMessage().contains("declares a 65535x65535 image"), huge.getMessage());
    }

    @Test
    void truncatedOrDamagedJpegsAreUndecodableOnEveryPath() throws IOException {
        List<String> names = List.of("baseline-420.jpg", "baseline-444.jpg", "progressive-420.jpg", "sof1-420.jpg",
                "cmyk.jpg", "grey-progressive.jpg");
        List<String> decodedAnyway = new ArrayList<>();
        for (String name : names) {
            byte[] jpeg = read(name);
            for (int length : new int[] {2, 3, 100, 600, jpeg.length / 2, jpeg.length - 40}) {
                try {
                    decoder.decode(ImageFixtures.truncated(jpeg, length));
                    decodedAnyway.add(name + " truncated to " + length);
                } catch (UndecodableImageException expected) {
                    assertTrue(!expected.getMessage().isBlank());
                }
            }
            byte[] damaged = jpeg.clone();
            for (int i = jpeg.length / 3; i < jpeg.length / 3 + 400; i++) {
                damaged[i] = (byte) (i * 37);
            }
            try {
                decoder.decode(damaged);
                decodedAnyway.add(name + " damaged");
            } catch (UndecodableImageException expected) {
                assertTrue(!expected.getMessage().isBlank());
            }
        }
        assertEquals(List.of(), decodedAnyway);
    }

    @Test
    void strayBytesBetweenSegmentsLoseNoPixelAndAreAccepted() throws Exception {
        for (String name : List.of("baseline-420.jpg", "progressive-420.jpg", "baseline-444.jpg")) {
            RgbImage clean = decoder.decode(read(name));
            RgbImage stray = decoder.decode(ImageFixtures.withStrayBytesBeforeScan(read(name)));
            assertEquals(0, PilPeer.maxDifference(stray, clean, name), name);
        }
    }

    /** Stands in for Commons Imaging where it fails on a file: the fallback to libjpeg. */
    private static final class FailingDecoder implements ImageDecoder {
        @Override
        public String version() {
            return "failing-test-decoder";
        }

        @Override
        public RgbImage decode(byte[] bytes) throws UndecodableImageException {
            throw new UndecodableImageException("this decoder reads nothing");
        }
    }

    @Test
    void aBaselineFileCommonsImagingCannotReadIsTriedWithLibjpegAndOtherwiseKeepsItsReason() throws Exception {
        PhotoDecoder withoutCommons = new PhotoDecoder(new FailingDecoder(), true);
        ImageDecoder.DecodedImage fallback = withoutCommons.decodeWithRecipe(read("baseline-444.jpg"));
        assertEquals(LIBJPEG, fallback.recipe());
        assertEquals(0, PilPeer.maxDifference(fallback.image(), pilTurned.get(file("baseline-444.jpg")), "fallback"));
        byte[] truncated = ImageFixtures.truncated(read("baseline-444.jpg"), 3000);
        UndecodableImageException both = assertThrows(UndecodableImageException.class,
                () -> withoutCommons.decode(truncated));
        assertEquals("this decoder reads nothing", both.getMessage());
        assertTrue(both.getSuppressed()[0].getMessage().startsWith("Corrupt JPEG data"),
                both.getSuppressed()[0].getMessage());
    }

    @Test
    void otherBytesAreRefusedAsBefore() {
        UndecodableImageException gif = assertThrows(UndecodableImageException.class,
                () -> decoder.decode("GIF89a....".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertTrue(gif.getMessage().startsWith("not a JPEG or PNG file"), gif.getMessage());
        assertThrows(UndecodableImageException.class, () -> decoder.decode(new byte[0]));
    }

    @Test
    void versionNamesBothDecodersAndTheOrientationSetting() {
        assertTrue(decoder.version().contains(COMMONS) && decoder.version().contains(LIBJPEG)
                && decoder.version().contains("exif=apply"), decoder.version());
        assertTrue(decoder.withExifOrientation(false).version().contains("exif=ignore"));
        assertEquals(ImageIoJpegDecoder.TWELVEMONKEYS_VERSION,
                com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi.class.getPackage().getImplementationVersion(),
                "TwelveMonkeys was upgraded: check what it decodes and update TWELVEMONKEYS_VERSION (it keys the"
                        + " caches)");
    }
}
