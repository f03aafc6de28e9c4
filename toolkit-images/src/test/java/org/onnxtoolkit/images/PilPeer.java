package org.onnxtoolkit.images;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PIL (Debian's {@code python3-pil}, run by {@code /usr/bin/python3}) as the reference decoder, and as a writer
 * of fixtures the JDK cannot write (progressive and CMYK JPEGs, EXIF-tagged files, 16-bit and palette PNGs).
 * A test that needs it skips with the reason when it is missing; CI installs it and fails on any skip.
 */
public final class PilPeer {
    /** Debian's interpreter, which sees the {@code python3-*} packages (a pyenv python3 on PATH does not). */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    /**
     * PIL's pixels as a person would get them in Python: {@code ImageOps.exif_transpose} (when asked), then
     * {@code convert("RGB")}. 16-bit grey images are the exception: PIL's {@code convert("RGB")} clips their
     * 0-65535 values to 255 (white), so the reference takes their high byte, which is what PIL does for 16-bit
     * RGB PNGs. Writes {@code <file>.<suffix>}: "width height\n" and the RGB bytes.
     */
    private static final String DECODE = """
            import sys
            from PIL import Image, ImageOps
            transpose = sys.argv[1] == "transpose"
            for path in sys.argv[2:]:
                im = Image.open(path)
                if transpose:
                    im = ImageOps.exif_transpose(im)
                if im.mode in ("I", "I;16", "I;16B", "I;16L"):
                    im = Image.frombytes("L", im.size, bytes(v >> 8 for v in im.getdata()))
                im = im.convert("RGB")
                with open(path + "." + sys.argv[1] + ".rgb", "wb") as out:
                    out.write(b"%d %d\\n" % im.size)
                    out.write(im.tobytes())
            """;

    private PilPeer() {
    }

    /** Skips the calling test, with the reason, when PIL cannot be run. */
    public static void assumeAvailable() {
        assumeTrue(available(), "Debian's python3-pil is not installed ('apt-get install python3-pil'), so decoded"
                + " pixels cannot be compared with PIL's");
    }

    private static Boolean available;

    private static synchronized boolean available() {
        if (available == null) {
            try {
                available = Files.isExecutable(PYTHON)
                        && exec(List.of(PYTHON.toString(), "-c", "import PIL")).exitCode == 0;
            } catch (IOException e) {
                available = false;
            }
        }
        return available;
    }

    /** Runs a Python script with {@code args}; fails the test with PIL's output when it fails. */
    public static void run(String script, List<String> args) {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-c", script));
        command.addAll(args);
        try {
            Result result = exec(command);
            if (result.exitCode != 0) {
                throw new AssertionError("python3 failed (exit " + result.exitCode + "):\n" + result.output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * PIL's decoding of each file, in one Python process.
     *
     * @param exifTranspose apply {@code ImageOps.exif_transpose} first
     */
    public static Map<Path, RgbImage> decode(List<Path> files, boolean exifTranspose) {
        String mode = exifTranspose ? "transpose" : "stored";
        List<String> args = new ArrayList<>(List.of(mode));
        files.forEach(file -> args.add(file.toString()));
        run(DECODE, args);
        Map<Path, RgbImage> images = new LinkedHashMap<>();
        for (Path file : files) {
            images.put(file, read(Path.of(file + "." + mode + ".rgb")));
        }
        return images;
    }

    private static RgbImage read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int newline = 0;
            while (bytes[newline] != '\n') {
                newline++;
            }
            String[] size = new String(bytes, 0, newline, StandardCharsets.US_ASCII).split(" ");
            int width = Integer.parseInt(size[0]);
            int height = Integer.parseInt(size[1]);
            int[] rgb = new int[width * height];
            for (int i = 0, at = newline + 1; i < rgb.length; i++, at += 3) {
                rgb[i] = (bytes[at] & 0xff) << 16 | (bytes[at + 1] & 0xff) << 8 | bytes[at + 2] & 0xff;
            }
            return new RgbImage(width, height, rgb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest difference of any component of any pixel; the sizes must agree. */
    public static int maxDifference(RgbImage actual, RgbImage expected, String what) {
        if (actual.width() != expected.width() || actual.height() != expected.height()) {
            throw new AssertionError(what + ": " + actual.width() + "x" + actual.height() + ", PIL gives "
                    + expected.width() + "x" + expected.height());
        }
        int max = 0;
        for (int i = 0; i < actual.rgb().length; i++) {
            int a = actual.rgb()[i];
            int b = expected.rgb()[i];
            for (int shift = 0; shift <= 16; shift += 8) {
                max = Math.max(max, Math.abs((a >> shift & 0xff) - (b >> shift & 0xff)));
            }
        }
        return max;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result exec(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + command.get(0));
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }
}
