package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.runtime.report.LossChart.Series;

class LossChartTest {
    @TempDir
    Path dir;

    private static final Series TRAIN = Series.perEpoch("train loss", new double[] {190, 160, 150, 145, 143});
    private static final Series TEST = Series.perEpoch("test negative ELBO", new double[] {175, 158, 152, 149, 148});

    /** How many pixels of each colour the image has. */
    private static Map<Integer, Integer> histogram(int[][] rgb) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int[] row : rgb) {
            for (int c : row) {
                counts.merge(c, 1, Integer::sum);
            }
        }
        return counts;
    }

    private static int count(Map<Integer, Integer> histogram, int seriesIndex) {
        return histogram.getOrDefault(LossChart.seriesColor(seriesIndex).getRGB() & 0xFFFFFF, 0);
    }

    private Map<Integer, Integer> writeAndRead(List<Series> series) throws IOException {
        Path png = dir.resolve("loss.png");
        LossChart.write(png, "MNIST MLP VAE", "epoch", "nats per image", series);
        int[][] rgb = Pngs.read(png);
        assertEquals(LossChart.HEIGHT, rgb.length);
        assertEquals(LossChart.WIDTH, rgb[0].length);
        return histogram(rgb);
    }

    @Test
    void rendersHeadless() {
        assertTrue(GraphicsEnvironment.isHeadless(), "tests must run with java.awt.headless=true (see the pom)");
    }

    @Test
    void chartHasTheExpectedSizeAndDrawsEverySeriesInItsColour() throws IOException {
        Map<Integer, Integer> colours = writeAndRead(List.of(TRAIN, TEST));
        assertTrue(colours.size() > 20, "a chart with text, grid and lines has many colours, got " + colours.size());
        assertTrue(colours.getOrDefault(0xFFFFFF, 0) > LossChart.WIDTH * LossChart.HEIGHT / 2,
                "mostly white background");
        assertTrue(colours.getOrDefault(0x000000, 0) > 100, "black text");
        // Lines, markers and legend swatches: far more than a legend entry alone would give.
        assertTrue(count(colours, 0) > 300, "train series colour pixels: " + count(colours, 0));
        assertTrue(count(colours, 1) > 300, "test series colour pixels: " + count(colours, 1));
        assertEquals(0, count(colours, 2), "no third series");
    }

    @Test
    void aSinglePointIsVisible() throws IOException {
        Map<Integer, Integer> colours = writeAndRead(List.of(Series.perEpoch("train loss", new double[] {3.5})));
        assertTrue(count(colours, 0) > 20, "marker and legend: " + count(colours, 0));
    }

    @Test
    void nanPointsAreSkipped() throws IOException {
        double[] withGaps = {Double.NaN, 160, Double.NaN, 145, Double.POSITIVE_INFINITY};
        Map<Integer, Integer> colours = writeAndRead(List.of(Series.perEpoch("train loss", withGaps), TEST));
        assertTrue(count(colours, 0) > 300, "the two finite points are joined: " + count(colours, 0));
        assertTrue(count(colours, 1) > 300);
    }

    @Test
    void aSeriesWithoutFinitePointsIsLeftOutButKeepsTheOthersColours() throws IOException {
        Series allNan = Series.perEpoch("test negative ELBO", new double[] {Double.NaN, Double.NaN});
        Map<Integer, Integer> colours = writeAndRead(List.of(allNan, TRAIN));
        assertEquals(0, count(colours, 0), "the all-NaN series draws nothing, not even a legend entry");
        assertTrue(count(colours, 1) > 300, "the second series keeps the second colour");
    }

    @Test
    void noFinitePointAtAllIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LossChart.write(
                dir.resolve("nan.png"), "t", "x", "y", List.of(Series.perEpoch("train loss", new double[] {Double.NaN}))));
        assertEquals("loss chart 't' has no finite point in any series [train loss]", e.getMessage());
        assertFalse(Files.exists(dir.resolve("nan.png")));
    }

    @Test
    void emptyInputsAreRejected() {
        assertEquals("loss chart 't' needs at least one series", assertThrows(IllegalArgumentException.class,
                () -> LossChart.write(dir.resolve("a.png"), "t", "x", "y", List.of())).getMessage());
        assertEquals("series 'train loss' is empty", assertThrows(IllegalArgumentException.class,
                () -> Series.perEpoch("train loss", new double[0])).getMessage());
        assertEquals("series 'train loss' has 2 x values but 3 y values", assertThrows(
                IllegalArgumentException.class,
                () -> new Series("train loss", new double[] {1, 2}, new double[] {1, 2, 3})).getMessage());
        assertEquals("series name must not be blank", assertThrows(IllegalArgumentException.class,
                () -> new Series(" ", new double[] {1}, new double[] {1})).getMessage());
        assertEquals(0, dir.toFile().list().length);
    }

    @Test
    void seriesNamesMustBeUnique() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossChart.write(dir.resolve("d.png"), "t", "x", "y", List.of(TRAIN, TRAIN)));
        assertEquals("loss chart 't' has two series named 'train loss'", e.getMessage());
    }

    @Test
    void seriesCopiesItsArrays() {
        double[] y = {1, 2};
        Series s = Series.perEpoch("s", y);
        y[0] = 99;
        s.y()[1] = 99;
        assertEquals(1, s.y()[0]);
        assertEquals(2, s.y()[1]);
        assertEquals(Series.perEpoch("s", new double[] {1, 2}), s);
        assertEquals(1, s.x()[0], "epochs start at 1");
    }

    /** How many of the rows {@code from} (inclusive) to {@code to} have a pixel of {@code colour}. */
    private static int rowsWith(int[][] rgb, int colour, int from, int to) {
        int rows = 0;
        for (int y = from; y < to; y++) {
            for (int c : rgb[y]) {
                if ((c & 0xFFFFFF) == colour) {
                    rows++;
                    break;
                }
            }
        }
        return rows;
    }

    @Test
    void termsOnDifferentScalesGetPanelsWhoseCurvesAreNotFlat() throws IOException {
        // mse-kl's numbers: a per-pixel training loss near 0.03 and a Gaussian negative ELBO near 11,460 nats.
        Series trainLoss = Series.perEpoch("train loss", new double[] {0.0352, 0.0318, 0.0301, 0.0295, 0.0292});
        Series testLoss = Series.perEpoch("test loss", new double[] {0.0340, 0.0312, 0.0299, 0.0294, 0.0293});
        Series trainElbo = Series.perEpoch("train negative ELBO", new double[] {11470, 11466, 11463, 11461, 11460});
        Series testElbo = Series.perEpoch("test negative ELBO", new double[] {11469, 11465, 11462, 11461, 11460.5});
        Path png = dir.resolve("loss.png");
        LossChart.writePanels(png, List.of(
                new LossChart.Panel("loss as optimised (mse-kl)", "epoch", "loss", List.of(trainLoss, testLoss)),
                new LossChart.Panel("negative ELBO", "epoch", "nats per image", List.of(trainElbo, testElbo))));
        int[][] rgb = Pngs.read(png);
        assertEquals(2 * LossChart.HEIGHT, rgb.length);
        assertEquals(LossChart.WIDTH, rgb[0].length);
        int blue = LossChart.seriesColor(0).getRGB() & 0xFFFFFF;
        int orange = LossChart.seriesColor(1).getRGB() & 0xFFFFFF;
        for (int panel = 0; panel < 2; panel++) {
            for (int colour : new int[] {blue, orange}) {
                // Each panel's axis fits its own curves: a falling curve crosses many rows of pixels.
                int rows = rowsWith(rgb, colour, panel * LossChart.HEIGHT, (panel + 1) * LossChart.HEIGHT);
                assertTrue(rows > 150, "panel " + panel + ", colour " + Integer.toHexString(colour) + ": " + rows
                        + " rows");
            }
        }
        // What one shared axis drew before: the per-pixel loss is a flat line (and its legend swatch).
        Path shared = dir.resolve("shared.png");
        LossChart.write(shared, "loss per epoch", "epoch", "nats per image", List.of(trainLoss, testElbo));
        int flat = rowsWith(Pngs.read(shared), blue, 0, LossChart.HEIGHT);
        assertTrue(flat < 40, "on a shared axis the loss curve covers " + flat + " rows");
    }

    @Test
    void aPictureNeedsAPanel() {
        assertEquals("a loss picture needs at least one panel", assertThrows(IllegalArgumentException.class,
                () -> LossChart.writePanels(dir.resolve("p.png"), List.of())).getMessage());
    }
}
