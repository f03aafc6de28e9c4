package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.runtime.images.ImageInput;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;

/** {@code interpolate} and {@code manifold} end to end on trained runs, and their one-line refusals. */
class InterpolateManifoldIT {
    @TempDir
    static Path tmp;
    static Path run;
    static Path run2d;
    static Path disc;
    static Path bar;

    @BeforeAll
    static void trainAndDraw() throws IOException {
        run = TinyRun.train(tmp.resolve("run"));
        run2d = TinyRun.train(tmp.resolve("run2d"), "--latent", "2", "--hidden", "64");
        // A grey PNG of the model's size and a colour JPEG of another size and aspect ratio.
        BufferedImage a = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = a.createGraphics();
        g.setColor(Color.WHITE);
        g.fillOval(6, 6, 16, 16);
        g.dispose();
        disc = tmp.resolve("disc.png");
        ImageIO.write(a, "png", disc.toFile());
        BufferedImage b = new BufferedImage(90, 60, BufferedImage.TYPE_INT_RGB);
        g = b.createGraphics();
        g.setColor(new Color(250, 240, 200));
        g.fillRect(25, 25, 40, 10);
        g.dispose();
        bar = tmp.resolve("bar.jpg");
        ImageIO.write(b, "jpeg", bar.toFile());
    }

    @Test
    void interpolateDecodesTheLineBetweenTheTwoMeans() throws IOException {
        Path out = tmp.resolve("line.png");
        Cli.Result r = Cli.run("interpolate", "--run", run.toString(), "--from", disc.toString(), "--to", bar.toString(),
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("wrote 8 images"), r.out());
        Pixels line = Pixels.read(out);
        assertEquals(8 * 56 + 9 * 2, line.width(), "8 tiles of 28x28 at scale 2, 2-pixel padding");
        assertEquals(56 + 2 * 2, line.height(), "one row");

        // The ends are the decoded means of the two pictures, as the Java API computes them.
        ImageShape shape = new ImageShape(1, 28, 28);
        float[] ends = new float[2 * 20];
        for (int i = 0; i < 2; i++) {
            float[] x = ImageInput.read(i == 0 ? disc : bar, shape);
            try (InferenceSession enc = InferenceSession.open(run.resolve("encoder.onnx"), SessionConfig.cpu())) {
                float[] mu = enc.run(Map.of("x", Tensor.of(x, 1, 1, 28, 28))).get("mu").toFloatArray();
                System.arraycopy(mu, 0, ends, i * 20, 20);
            }
        }
        float[] images = TinyRun.javaDecode(run.resolve("decoder.onnx"), ends, 2);
        assertTile(line, 0, 2, images, 0);
        assertTile(line, 7, 2, images, 1);
        // Both ends differ, so the line really moves.
        int changed = 0;
        for (int p = 0; p < 784; p++) {
            changed += Math.round(images[p] * 255) != Math.round(images[784 + p] * 255) ? 1 : 0;
        }
        assertTrue(changed > 50, "the two ends decode to different images");

        Path five = tmp.resolve("five.png");
        assertEquals(0, Cli.run("interpolate", "--run", run.toString(), "--from", disc.toString(), "--to", disc.toString(),
                "--steps", "5", "--out", five.toString()).exitCode());
        Pixels same = Pixels.read(five);
        assertEquals(5 * 56 + 6 * 2, same.width());
        for (int k = 1; k < 5; k++) {
            assertTile(same, k, 2, images, 0);
        }
    }

    @Test
    void manifoldOfATwoDimensionalLatentIsTheRunsOwnPicture() throws IOException {
        Path out = tmp.resolve("manifold-2d.png");
        Cli.Result r = Cli.run("manifold", "--run", run2d.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Pixels ours = Pixels.read(out);
        Pixels runs = Pixels.read(run2d.resolve("manifold.png"));
        assertEquals(20 * 28, ours.width());
        assertArrayEquals(runs.rgb(), ours.rgb(), "manifold --run equals the run's manifold.png");
    }

    @Test
    void manifoldOfALargerLatentWalksTwoChosenDimensions() throws IOException {
        Path out = tmp.resolve("manifold-3-7.png");
        Cli.Result r = Cli.run("manifold", "--run", run.toString(), "--dims", "3,7", "--steps", "5", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("dimensions 3 and 7"), r.out());
        Pixels grid = Pixels.read(out);
        assertEquals(5 * 28, grid.width());
        assertEquals(5 * 28, grid.height());
        // The centre of a 5-point grid is the 0.5 quantile in both dimensions: z = 0 everywhere.
        float[] origin = TinyRun.javaDecode(run.resolve("decoder.onnx"), new float[20], 1);
        assertTile(grid, 12, 1, 5, 0, origin, 0);
        Path other = tmp.resolve("manifold-0-1.png");
        assertEquals(0, Cli.run("manifold", "--run", run.toString(), "--steps", "5", "--out", other.toString()).exitCode());
        assertTrue(Pixels.read(other).differingPixels(grid) > 100, "other dimensions give another picture");
    }

    static Stream<Arguments> badInvocations() throws IOException {
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "not a picture");
        Path decoderOnly = tmp.resolve("decoder-only");
        Files.createDirectories(decoderOnly);
        Files.copy(tmp.resolve("run/decoder.onnx"), decoderOnly.resolve("decoder.onnx"));
        String r = tmp.resolve("run").toString();
        String png = tmp.resolve("disc.png").toString();
        String out = tmp.resolve("x.png").toString();
        String missing = tmp.resolve("missing.png").toString();
        return Stream.of(
                Arguments.of(new String[] {"interpolate", "--run", tmp.resolve("nope").toString(), "--from", png, "--to", png,
                        "--out", out}, 2, "does not exist"),
                Arguments.of(new String[] {"interpolate", "--run", r, "--from", missing, "--to", png, "--out", out}, 2,
                        "--from " + missing + " does not exist"),
                Arguments.of(new String[] {"interpolate", "--run", r, "--from", png, "--to", text.toString(), "--out", out}, 1,
                        "is not a PNG or JPEG image"),
                Arguments.of(new String[] {"interpolate", "--run", r, "--from", png, "--to", tmp.toString(), "--out", out}, 2,
                        "is a folder, not a picture file"),
                Arguments.of(new String[] {"interpolate", "--run", r, "--from", png, "--to", png, "--steps", "1", "--out", out},
                        2, "--steps must be between 2 and 64"),
                Arguments.of(new String[] {"interpolate", "--run", decoderOnly.toString(), "--from", png, "--to", png, "--out",
                        out}, 2, "has no encoder.onnx"),
                Arguments.of(new String[] {"interpolate", "--run", r, "--from", png, "--out", out}, 2, "--to"),
                Arguments.of(new String[] {"manifold", "--run", tmp.resolve("nope").toString(), "--out", out}, 2,
                        "does not exist"),
                Arguments.of(new String[] {"manifold", "--run", r, "--dims", "3,3", "--out", out}, 2,
                        "--dims must be two different dimensions between 0 and 19, got 3,3"),
                Arguments.of(new String[] {"manifold", "--run", r, "--dims", "0,20", "--out", out}, 2, "between 0 and 19"),
                Arguments.of(new String[] {"manifold", "--run", r, "--dims", "4", "--out", out}, 2, "two latent dimensions"),
                Arguments.of(new String[] {"manifold", "--run", r, "--dims", "a,b", "--out", out}, 2, "--dims"),
                Arguments.of(new String[] {"manifold", "--run", r, "--steps", "65", "--out", out}, 2,
                        "--steps must be between 2 and 64"));
    }

    @ParameterizedTest
    @MethodSource("badInvocations")
    void oneClearLine(String[] args, int exitCode, String fragment) {
        Cli.Result r = Cli.run(args);
        assertEquals(exitCode, r.exitCode(), r.toString());
        assertTrue(r.err().contains(fragment), () -> "stderr lacks '" + fragment + "':\n" + r.err());
        ExportServeIT.assertOneLine(r);
    }

    /** Tile {@code index} of a one-row grid with 2-pixel padding against image {@code image} of {@code images}. */
    private static void assertTile(Pixels grid, int index, int scale, float[] images, int image) {
        assertTile(grid, index, scale, Integer.MAX_VALUE, 2, images, image);
    }

    private static void assertTile(Pixels grid, int index, int scale, int columns, int pad, float[] images, int image) {
        int col = index % columns;
        int row = index / columns;
        int x0 = pad + col * (28 * scale + pad);
        int y0 = pad + row * (28 * scale + pad);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int expected = Math.round(Math.min(1f, Math.max(0f, images[image * 784 + y * 28 + x])) * 255f);
                int actual = grid.at(x0 + x * scale, y0 + y * scale) & 0xFF;
                assertTrue(Math.abs(expected - actual) <= 1,
                        "tile " + index + " pixel " + x + "," + y + ": expected " + expected + " got " + actual);
            }
        }
    }
}
