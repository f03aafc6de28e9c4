package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.images.CommonsImagingDecoder;
import org.onnxtoolkit.images.ImageDecoder;
import org.onnxtoolkit.images.ImageFixtures;
import org.onnxtoolkit.images.ImageResampler;
import org.onnxtoolkit.images.PhotoDecoder;
import org.onnxtoolkit.images.RgbImage;

/**
 * Measures the {@code celeba} preset on CelebA-sized JPEGs (178x218, smooth gradients plus noise, quality 0.95,
 * 4:2:0 chroma as CelebA's): the one-off decode into the cache, a later open from the cache, and one pass over
 * every cached image; then, on one thread, the decode time per image of the dataset's decoder
 * ({@link PhotoDecoder}, which sends these files to libjpeg) and of Commons Imaging alone, and the crop-and-resize
 * time. Not a test; run it with
 * {@code java -cp plugins/datasets/target/test-classes:plugins/datasets/target/classes:<commons-imaging, io, lang
 * and TwelveMonkeys jars>:toolkit-api/target/classes org.onnxtoolkit.plugins.datasets.ImageFolderBenchmark
 * [images] [rounds]} (the class path as {@code mvn dependency:build-classpath -pl plugins/datasets} prints it).
 */
public final class ImageFolderBenchmark {
    private ImageFolderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int threads = Runtime.getRuntime().availableProcessors();
        Path root = Files.createTempDirectory("image-folder-benchmark");
        try {
            Path images = root.resolve("img_align_celeba");
            long start = System.nanoTime();
            long bytes = 0;
            IntStream.rangeClosed(1, count).parallel().forEach(i -> ImageFixtures.write(images,
                    String.format("%06d.jpg", i), ImageFixtures.jpeg(ImageFixtures.photo(178, 218, i))));
            try (Stream<Path> files = Files.list(images)) {
                bytes = files.mapToLong(ImageFolderBenchmark::size).sum();
            }
            System.out.printf("wrote %d JPEGs (%.1f KiB each) in %.1f s; %d threads%n", count, bytes / 1024.0 / count,
                    seconds(start), threads);
            CelebaDataset celeba = new CelebaDataset(new ImageFolderLoader(new PhotoDecoder(), threads));
            for (int round = 1; round <= rounds; round++) {
                Path cache = root.resolve("cache-" + round);
                DatasetOptions options = new DatasetOptions(images, null, 1, Map.of("cache-dir", cache.toString()));
                start = System.nanoTime();
                long cpuStart = processCpuNanos();
                ImageFolderLoader.Opened decoded = celeba.openFolder(options);
                double decodeSeconds = seconds(start);
                double decodeCpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
                start = System.nanoTime();
                ImageFolderLoader.Opened cached = celeba.openFolder(options);
                double openSeconds = seconds(start);
                start = System.nanoTime();
                long sum = readAll(cached.splits().train()) + readAll(cached.splits().test());
                double readSeconds = seconds(start);
                System.out.printf("round %d: decode+cache %.2f s wall per 1,000 images (%.2f s of CPU), open from"
                        + " cache %.3f s (decoded %d), read every image %.3f s [%d images, %d bytes, checksum %d]%n",
                        round, 1000 * decodeSeconds / count, 1000 * decodeCpuSeconds / count, openSeconds,
                        cached.decoded(), readSeconds, decoded.decoded(), Files.size(cached.cacheFile()), sum);
            }
            decodeOnly(images, count);
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Single-thread split of the per-image cost between decoding (by each decoder) and crop-and-resize. */
    private static void decodeOnly(Path images, int count) throws Exception {
        ImageDecoder[] decoders = {new PhotoDecoder(), new CommonsImagingDecoder()};
        ImageShape shape = new ImageShape(3, 64, 64);
        byte[] target = new byte[shape.size()];
        int n = Math.min(count, 300);
        for (ImageDecoder decoder : decoders) {
            long decodeNanos = 0;
            long resizeNanos = 0;
            for (int i = 1; i <= n; i++) {
                byte[] bytes = Files.readAllBytes(images.resolve(String.format("%06d.jpg", i)));
                long t0 = System.nanoTime();
                RgbImage image = decoder.decode(bytes);
                long t1 = System.nanoTime();
                ImageResampler.cropAndResize(image, 168, shape, target, 0);
                long t2 = System.nanoTime();
                if (i > 50) { // after warm-up
                    decodeNanos += t1 - t0;
                    resizeNanos += t2 - t1;
                }
            }
            System.out.printf("one thread, %s: decode %.2f ms/image, crop+resize %.3f ms/image%n",
                    decoder.getClass().getSimpleName(), decodeNanos / 1e6 / (n - 50), resizeNanos / 1e6 / (n - 50));
        }
    }

    private static long readAll(ImageSplit split) {
        byte[] image = new byte[split.shape().size()];
        long sum = 0;
        for (int i = 0; i < split.size(); i++) {
            split.copyImage(i, image, 0);
            sum += image[i % image.length];
        }
        return sum;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CPU time of all the process's threads (JIT and GC included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
