package org.onnxtoolkit.plugins.datasets;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.onnxtoolkit.api.spi.ImageShape;

/**
 * Renders the {@code shapes} images: one to three filled ellipses (circles among them), rectangles (squares
 * among them) and triangles of random position, size, rotation and colour on a plain dark background, in
 * painter's order, anti-aliased by analytic coverage: each pixel is blended with the shape's colour in
 * proportion to the area of the pixel the shape covers (exact for straight edges, see {@link #edgeCoverage}).
 *
 * <p>Image {@code i} of split {@code s} depends only on {@code (seed, s, i)} and the shape: its random
 * stream is derived from those, so images can be rendered in parallel in any order, and the result is
 * byte-identical on every run and platform (pixels see only basic arithmetic and {@code sqrt}, and the per-shape
 * trigonometry uses {@link StrictMath}). Changing the drawing changes the images: bump {@link #VERSION}.
 *
 * <p>Immutable and thread-safe.
 */
final class ShapesGenerator {
    /** Names this drawing algorithm in fingerprints; change it whenever the output for a seed changes. */
    static final String VERSION = "shapes-v1";

    static final int TRAIN = 0;
    static final int TEST = 1;

    private static final int MAX_SHAPES = 3;
    /** No straight edge farther than this from a pixel's centre crosses the pixel: sqrt(2) / 2, rounded up. */
    private static final double HALF_DIAGONAL = 0.7072;
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final long VERSION_SALT = 0x5348_4150_4553_5631L; // "SHAPESV1"

    private final ImageShape shape;
    private final long seed;

    ShapesGenerator(ImageShape shape, long seed) {
        this.shape = shape;
        this.seed = seed;
    }

    /** Renders images {@code [0, count)} of {@code split} ({@link #TRAIN} or {@link #TEST}), in parallel. */
    ByteImageSplit generate(int split, int count) {
        ByteImageSplit images = ByteImageSplit.allocate(shape, count);
        IntStream.range(0, count).parallel()
                .forEach(i -> render(split, i, images.chunkOf(i), images.offsetOf(i)));
        return images;
    }

    /** Renders image {@code index} of {@code split} into {@code target[offset .. offset + shape.size())}. */
    void render(int split, int index, byte[] target, int offset) {
        Rng rng = new Rng(imageSeed(split, index));
        int channels = shape.channels();
        int height = shape.height();
        int width = shape.width();
        int plane = height * width;
        float[] canvas = new float[shape.size()];
        for (int c = 0; c < channels; c++) {
            Arrays.fill(canvas, c * plane, (c + 1) * plane, (float) (48 * rng.nextDouble()));
        }
        float[] colour = new float[channels];
        double extent = Math.min(height, width);
        int shapes = 1 + rng.nextInt(MAX_SHAPES);
        for (int s = 0; s < shapes; s++) {
            Region region = randomRegion(rng, extent, width, height);
            randomColour(rng, colour);
            paint(region, colour, canvas);
        }
        for (int i = 0; i < canvas.length; i++) {
            target[offset + i] = (byte) (int) (canvas[i] + 0.5f);
        }
    }

    private static Region randomRegion(Rng rng, double extent, int width, int height) {
        int kind = rng.nextInt(3);
        double radius = extent * (0.12 + 0.23 * rng.nextDouble());
        double cx = width * (0.15 + 0.7 * rng.nextDouble());
        double cy = height * (0.15 + 0.7 * rng.nextDouble());
        double angle = 2 * Math.PI * rng.nextDouble();
        // One in three is regular (circle, square, equilateral triangle); the rest are stretched.
        double aspect = rng.nextInt(3) == 0 ? 1.0 : 0.45 + 0.55 * rng.nextDouble();
        double cos = StrictMath.cos(angle);
        double sin = StrictMath.sin(angle);
        return switch (kind) {
            case 0 -> new Ellipse(cx, cy, cos, sin, radius, radius * aspect);
            case 1 -> Polygon.of(cx, cy, cos, sin, new double[] {-radius, radius, radius, -radius},
                    new double[] {-radius * aspect, -radius * aspect, radius * aspect, radius * aspect});
            default -> {
                double[] xs = new double[3];
                double[] ys = new double[3];
                for (int k = 0; k < 3; k++) {
                    double phi = -Math.PI / 2 + k * 2 * Math.PI / 3;
                    xs[k] = radius * StrictMath.cos(phi);
                    ys[k] = radius * aspect * StrictMath.sin(phi);
                }
                yield Polygon.of(cx, cy, cos, sin, xs, ys);
            }
        };
    }

    /** Grey: a mid to full intensity. Colour: a saturated, bright hue, so shapes stand out from the background. */
    private static void randomColour(Rng rng, float[] colour) {
        if (colour.length == 1) {
            colour[0] = (float) (110 + 145 * rng.nextDouble());
            return;
        }
        double hue = 6 * rng.nextDouble();
        double saturation = 0.5 + 0.5 * rng.nextDouble();
        double value = 255 * (0.7 + 0.3 * rng.nextDouble());
        int sector = Math.min(5, (int) hue);
        double f = hue - sector;
        float p = (float) (value * (1 - saturation));
        float q = (float) (value * (1 - saturation * f));
        float t = (float) (value * (1 - saturation * (1 - f)));
        float v = (float) value;
        float[] rgb = switch (sector) {
            case 0 -> new float[] {v, t, p};
            case 1 -> new float[] {q, v, p};
            case 2 -> new float[] {p, v, t};
            case 3 -> new float[] {p, q, v};
            case 4 -> new float[] {t, p, v};
            default -> new float[] {v, p, q};
        };
        System.arraycopy(rgb, 0, colour, 0, 3);
    }

    /** Blends {@code colour} over the canvas with each pixel's coverage by {@code region}. */
    private void paint(Region region, float[] colour, float[] canvas) {
        int width = shape.width();
        int height = shape.height();
        int plane = width * height;
        int x0 = (int) Math.max(0, Math.floor(region.minX()));
        int x1 = (int) Math.min(width - 1, Math.floor(region.maxX()));
        int y0 = (int) Math.max(0, Math.floor(region.minY()));
        int y1 = (int) Math.min(height - 1, Math.floor(region.maxY()));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                float coverage = (float) region.coverage(x + 0.5, y + 0.5);
                if (coverage == 0f) {
                    continue;
                }
                for (int c = 0; c < colour.length; c++) {
                    int at = c * plane + y * width + x;
                    canvas[at] += (colour[c] - canvas[at]) * coverage;
                }
            }
        }
    }

    /**
     * The exact fraction of a unit pixel on the inner side of a straight edge: {@code p <= q} are the
     * absolute components of the edge's unit normal and {@code distance} is the signed distance from the
     * pixel's centre to the edge, positive outside. The projection of the pixel onto the normal is the sum
     * of two uniform variables of widths {@code p} and {@code q}, so the covered fraction is that sum's
     * distribution function: quadratic in the two corner zones, linear between.
     */
    static double edgeCoverage(double p, double q, double distance) {
        double s = -distance;
        double outer = 0.5 * (p + q);
        if (s <= -outer) {
            return 0;
        }
        if (s >= outer) {
            return 1;
        }
        double inner = 0.5 * (q - p);
        if (s < -inner) {
            double t = s + outer;
            return t * t / (2 * p * q);
        }
        if (s > inner) {
            double t = outer - s;
            return 1 - t * t / (2 * p * q);
        }
        return 0.5 + s / q;
    }

    private long imageSeed(int split, int index) {
        long base = mix64(seed ^ VERSION_SALT);
        long splitSeed = mix64(base + GOLDEN_GAMMA * (split + 1));
        return mix64(splitSeed ^ mix64(index + 0x632b_e59b_d9b4_e019L));
    }

    /** Stafford's "mix 13" finaliser, as in SplitMix64. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** SplitMix64, spelled out here so the images never depend on a JDK's generator. */
    private static final class Rng {
        private long state;

        Rng(long seed) {
            this.state = seed;
        }

        long nextLong() {
            state += GOLDEN_GAMMA;
            return mix64(state);
        }

        /** Uniform in {@code [0, 1)}. */
        double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }

        /** Uniform in {@code [0, bound)}. */
        int nextInt(int bound) {
            return (int) (nextDouble() * bound);
        }
    }

    /** A filled shape that knows its bounding box and how much of a pixel it covers. */
    private sealed interface Region permits Ellipse, Polygon {
        /** Fraction in {@code [0, 1]} of the unit pixel centred on {@code (x, y)} inside the shape. */
        double coverage(double x, double y);

        double minX();

        double maxX();

        double minY();

        double maxY();
    }

    /**
     * An ellipse with semi-axes {@code a} and {@code b}, rotated by {@code (cos, sin)}. Near its boundary
     * it is treated as the tangent line: the normal is the gradient of {@code r}, the radius in the
     * unit-circle frame, and the distance its first-order estimate {@code (r - 1) / |grad r|}.
     */
    private record Ellipse(double cx, double cy, double cos, double sin, double a, double b) implements Region {
        @Override
        public double coverage(double x, double y) {
            double dx = x - cx;
            double dy = y - cy;
            double u = (dx * cos + dy * sin) / a;
            double v = (dy * cos - dx * sin) / b;
            double r = Math.sqrt(u * u + v * v);
            // r changes by at most 1 / min(a, b) per pixel moved, so these pixels lie wholly inside or outside.
            double bound = (r - 1) * Math.min(a, b);
            if (bound <= -HALF_DIAGONAL || r == 0) {
                return 1;
            }
            if (bound >= HALF_DIAGONAL) {
                return 0;
            }
            // grad r = (1 / r) * (gx, gy): the rotated back (u / a, v / b).
            double gx = u / a * cos - v / b * sin;
            double gy = u / a * sin + v / b * cos;
            double g = Math.sqrt(gx * gx + gy * gy);
            double distance = (r - 1) * r / g;
            if (distance >= HALF_DIAGONAL) {
                return 0;
            }
            if (distance <= -HALF_DIAGONAL) {
                return 1;
            }
            double nx = Math.abs(gx / g);
            double ny = Math.abs(gy / g);
            double p = Math.min(nx, ny);
            double q = Math.max(nx, ny);
            return edgeCoverage(p, q, distance);
        }

        private double halfWidth() {
            return Math.sqrt(a * a * cos * cos + b * b * sin * sin);
        }

        private double halfHeight() {
            return Math.sqrt(a * a * sin * sin + b * b * cos * cos);
        }

        @Override
        public double minX() {
            return cx - halfWidth();
        }

        @Override
        public double maxX() {
            return cx + halfWidth();
        }

        @Override
        public double minY() {
            return cy - halfHeight();
        }

        @Override
        public double maxY() {
            return cy + halfHeight();
        }
    }

    /**
     * A convex polygon as the intersection of half-planes {@code nx * x + ny * y <= d} with unit outward
     * normals. A pixel's coverage is the product of its exact coverage by each half-plane: exact along
     * edges and at right-angled corners aligned with the pixel grid, close elsewhere.
     */
    private record Polygon(double[] nx, double[] ny, double[] d, double[] p, double[] q, double minX, double maxX,
                           double minY, double maxY) implements Region {
        /** The polygon with local vertices {@code (xs, ys)}, rotated by {@code (cos, sin)} and moved to the centre. */
        static Polygon of(double cx, double cy, double cos, double sin, double[] xs, double[] ys) {
            int n = xs.length;
            double[] px = new double[n];
            double[] py = new double[n];
            double gx = 0;
            double gy = 0;
            for (int i = 0; i < n; i++) {
                px[i] = cx + xs[i] * cos - ys[i] * sin;
                py[i] = cy + xs[i] * sin + ys[i] * cos;
                gx += px[i] / n;
                gy += py[i] / n;
            }
            double[] nx = new double[n];
            double[] ny = new double[n];
            double[] d = new double[n];
            double[] p = new double[n];
            double[] q = new double[n];
            double minX = Double.POSITIVE_INFINITY;
            double maxX = Double.NEGATIVE_INFINITY;
            double minY = Double.POSITIVE_INFINITY;
            double maxY = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                int j = (i + 1) % n;
                double ex = px[j] - px[i];
                double ey = py[j] - py[i];
                double length = Math.sqrt(ex * ex + ey * ey);
                nx[i] = ey / length;
                ny[i] = -ex / length;
                d[i] = nx[i] * px[i] + ny[i] * py[i];
                if (nx[i] * gx + ny[i] * gy > d[i]) { // normal points inwards: flip it
                    nx[i] = -nx[i];
                    ny[i] = -ny[i];
                    d[i] = -d[i];
                }
                p[i] = Math.min(Math.abs(nx[i]), Math.abs(ny[i]));
                q[i] = Math.max(Math.abs(nx[i]), Math.abs(ny[i]));
                minX = Math.min(minX, px[i]);
                maxX = Math.max(maxX, px[i]);
                minY = Math.min(minY, py[i]);
                maxY = Math.max(maxY, py[i]);
            }
            return new Polygon(nx, ny, d, p, q, minX, maxX, minY, maxY);
        }

        @Override
        public double coverage(double x, double y) {
            double coverage = 1;
            for (int i = 0; i < d.length && coverage > 0; i++) {
                double distance = nx[i] * x + ny[i] * y - d[i];
                if (distance > -HALF_DIAGONAL) {
                    coverage *= edgeCoverage(p[i], q[i], distance);
                }
            }
            return coverage;
        }
    }
}
