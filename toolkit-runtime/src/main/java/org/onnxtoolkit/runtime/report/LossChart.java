package org.onnxtoolkit.runtime.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a line chart of per-epoch curves (train loss, test negative ELBO, ...) as a PNG with a title, axis
 * titles, numbered ticks, grid lines and a legend: the loss plot of a run directory.
 *
 * <p>Drawn by XChart onto a {@link BufferedImage} with Java2D, so it works headless
 * ({@code java.awt.headless=true}); encoded by Commons Imaging and written atomically.
 *
 * <p>Each series keeps its colour by its position in the list ({@link #seriesColor(int)}), so the same curve has
 * the same colour in every epoch's chart. Points whose x or y is not finite (NaN, infinite: a diverged step
 * or an epoch not evaluated yet) are skipped and the line joins the finite neighbours; every point also gets
 * a marker, so a series with a single point is visible. A series with no finite point is left out of the
 * plot and the legend.
 *
 * <p>Stateless and thread-safe.
 */
public final class LossChart {
    /** Width of the written PNG in pixels. */
    public static final int WIDTH = 800;
    /** Height of the written PNG in pixels. */
    public static final int HEIGHT = 500;

    /** Tableau 10 colours: distinct, colour-blind-aware, readable on white. */
    private static final Color[] PALETTE = {
        new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0xD62728),
        new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
        new Color(0xBCBD22), new Color(0x17BECF)};

    private LossChart() {
    }

    /**
     * One named curve.
     *
     * @param name legend label, not blank, unique within a chart
     * @param x    x values (e.g. epoch numbers); same length as {@code y}, at least one point
     * @param y    y values; non-finite entries are skipped when drawing
     */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(x, "x");
            Objects.requireNonNull(y, "y");
            if (name.isBlank()) {
                throw new IllegalArgumentException("series name must not be blank");
            }
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values but "
                        + y.length + " y values");
            }
            if (x.length == 0) {
                throw new IllegalArgumentException("series '" + name + "' is empty");
            }
            x = x.clone();
            y = y.clone();
        }

        /** A series over epochs 1, 2, ..., {@code values.length}. */
        public static Series perEpoch(String name, double[] values) {
            Objects.requireNonNull(values, "values");
            double[] epochs = new double[values.length];
            Arrays.setAll(epochs, i -> i + 1);
            return new Series(name, epochs, values);
        }

        @Override
        public double[] x() {
            return x.clone();
        }

        @Override
        public double[] y() {
            return y.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Series s && name.equals(s.name) && Arrays.equals(x, s.x) && Arrays.equals(y, s.y);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * name.hashCode() + Arrays.hashCode(x)) + Arrays.hashCode(y);
        }

        @Override
        public String toString() {
            return "Series[" + name + ", " + x.length + " points]";
        }
    }

    /**
     * Draws {@code series} and writes the chart, {@link #WIDTH} x {@link #HEIGHT} pixels, atomically to
     * {@code png}, creating missing parent directories.
     *
     * @param title  chart title
     * @param xLabel x-axis title, e.g. "epoch"
     * @param yLabel y-axis title, e.g. "nats per image"
     * @param series the curves, at least one, with distinct names
     * @throws IllegalArgumentException if {@code series} is empty, names repeat, or no series has a finite
     *                                  point
     * @throws IOException              if writing fails
     */
    public static void write(Path png, String title, String xLabel, String yLabel, List<Series> series)
            throws IOException {
        Objects.requireNonNull(png, "png");
        PngFiles.write(png, render(title, xLabel, yLabel, series, WIDTH, HEIGHT));
    }

    /**
     * One chart of a picture of several, with its own y axis: curves on different scales (a per-pixel loss of
     * about 0.03 and a negative ELBO of about 11,000 nats) each get a panel instead of sharing an axis on which
     * both look flat.
     *
     * @param title  the panel's title
     * @param xLabel x-axis title
     * @param yLabel y-axis title, with the unit
     * @param series the panel's curves, at least one, with distinct names; colours by position as in
     *               {@link #write}, so that "train" and "test" have the same colours in every panel
     */
    public record Panel(String title, String xLabel, String yLabel, List<Series> series) {
        public Panel {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(xLabel, "xLabel");
            Objects.requireNonNull(yLabel, "yLabel");
            series = List.copyOf(series);
        }
    }

    /**
     * Draws the panels one below the other, each {@link #WIDTH} x {@link #HEIGHT} pixels with its own axes, and
     * writes the picture ({@code WIDTH} x {@code panels.size() * HEIGHT}) atomically to {@code png}.
     *
     * @throws IllegalArgumentException if there is no panel, or a panel is one {@link #write} refuses
     * @throws IOException              if writing fails
     */
    public static void writePanels(Path png, List<Panel> panels) throws IOException {
        Objects.requireNonNull(png, "png");
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("a loss picture needs at least one panel");
        }
        BufferedImage all = new BufferedImage(WIDTH, HEIGHT * panels.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        try {
            for (int i = 0; i < panels.size(); i++) {
                Panel p = panels.get(i);
                g.drawImage(render(p.title(), p.xLabel(), p.yLabel(), p.series(), WIDTH, HEIGHT), 0, i * HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        PngFiles.write(png, all);
    }

    /** The colour of the series at {@code index} in the list (cycling through a palette of ten). */
    static Color seriesColor(int index) {
        return PALETTE[index % PALETTE.length];
    }

    static BufferedImage render(String title, String xLabel, String yLabel, List<Series> series, int width,
            int height) {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(xLabel, "xLabel");
        Objects.requireNonNull(yLabel, "yLabel");
        Objects.requireNonNull(series, "series");
        if (series.isEmpty()) {
            throw new IllegalArgumentException("loss chart '" + title + "' needs at least one series");
        }
        Set<String> names = new HashSet<>();
        for (Series s : series) {
            Objects.requireNonNull(s, "series element");
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("loss chart '" + title + "' has two series named '"
                        + s.name() + "'");
            }
        }
        XYChart chart = new XYChart(width, height);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        style(chart.getStyler());
        int drawn = 0;
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            double[][] finite = finitePoints(s.x, s.y);
            if (finite[0].length == 0) {
                continue;
            }
            XYSeries xy = chart.addSeries(s.name(), finite[0], finite[1]);
            Color color = seriesColor(i);
            xy.setLineColor(color);
            xy.setMarkerColor(color);
            xy.setMarker(SeriesMarkers.CIRCLE);
            xy.setLineStyle(new BasicStroke(2f));
            drawn++;
        }
        if (drawn == 0) {
            throw new IllegalArgumentException("loss chart '" + title + "' has no finite point in any series "
                    + series.stream().map(Series::name).toList());
        }
        widenFlatRanges(chart);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            chart.paint(g, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void style(XYStyler styler) {
        styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderColor(Color.DARK_GRAY);
        styler.setPlotGridLinesColor(new Color(0xDDDDDD));
        styler.setChartFontColor(Color.BLACK);
        styler.setAxisTickLabelsColor(Color.BLACK);
        styler.setChartTitleBoxVisible(false);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setLegendBorderColor(Color.GRAY);
        styler.setLegendBackgroundColor(Color.WHITE);
        styler.setMarkerSize(6);
        styler.setAntiAlias(true);
    }

    /**
     * XChart draws a degenerate axis when all values on it are equal (one epoch, a constant loss); give such
     * an axis a range around the value instead.
     */
    private static void widenFlatRanges(XYChart chart) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (XYSeries s : chart.getSeriesMap().values()) {
            xMin = Math.min(xMin, s.getXMin());
            xMax = Math.max(xMax, s.getXMax());
            yMin = Math.min(yMin, s.getYMin());
            yMax = Math.max(yMax, s.getYMax());
        }
        if (xMin == xMax) {
            // x is usually an epoch number: show its neighbours.
            chart.getStyler().setXAxisMin(xMin - 1).setXAxisMax(xMax + 1);
        }
        if (yMin == yMax) {
            double half = yMin == 0 ? 1 : Math.abs(yMin) * 0.1;
            chart.getStyler().setYAxisMin(yMin - half).setYAxisMax(yMax + half);
        }
    }

    /** The points of {@code x}, {@code y} where both are finite, as {@code {xs, ys}}. */
    private static double[][] finitePoints(double[] x, double[] y) {
        int n = 0;
        double[] fx = new double[x.length];
        double[] fy = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                fx[n] = x[i];
                fy[n] = y[i];
                n++;
            }
        }
        return new double[][] {Arrays.copyOf(fx, n), Arrays.copyOf(fy, n)};
    }
}
