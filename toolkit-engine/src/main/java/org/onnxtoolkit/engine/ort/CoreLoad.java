package org.onnxtoolkit.engine.ort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How busy the machine's cores are with other work, measured once per process from Linux's
 * {@code /proc/stat} (CPU time spent by everything) minus this process's own CPU time, over a short window.
 * Used by {@link SessionConfig.Spinning#AUTO}. Thread-safe: the first caller measures, later callers get the
 * same answer.
 */
final class CoreLoad {
    /** The measuring window: long enough to see a busy core, short enough not to delay start-up. */
    private static final long WINDOW_MS = 80;

    private CoreLoad() {}

    private static final class Measured {
        static final double BUSY_CORES = measure(Path.of("/proc/stat"));
    }

    /**
     * @return the average number of cores that other processes kept busy over the window when first called
     *     (e.g. 0.1 on an idle machine, 1.9 with two busy builds on two cores), or -1 where {@code /proc/stat}
     *     cannot be read
     */
    static double otherProcessesBusyCores() {
        return Measured.BUSY_CORES;
    }

    static double measure(Path procStat) {
        try {
            long[] before = busyAndTotal(Files.readAllLines(procStat));
            long ownBefore = ownCpuNanos();
            long wallBefore = System.nanoTime();
            Thread.sleep(WINDOW_MS);
            long[] after = busyAndTotal(Files.readAllLines(procStat));
            long own = ownCpuNanos() - ownBefore;
            long wall = System.nanoTime() - wallBefore;
            long total = after[1] - before[1];
            if (total <= 0 || wall <= 0) {
                return -1;
            }
            int cores = Runtime.getRuntime().availableProcessors();
            double busyCores = cores * (after[0] - before[0]) / (double) total;
            return Math.max(0, busyCores - own / (double) wall);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The busy and total jiffies of the aggregate {@code cpu} line: user nice system idle iowait irq softirq
     * steal ...; idle and iowait are not busy.
     */
    static long[] busyAndTotal(List<String> procStat) {
        for (String line : procStat) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long total = 0;
                long idle = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    long v = Long.parseLong(f[i]);
                    total += v;
                    if (i == 4 || i == 5) {
                        idle += v;
                    }
                }
                return new long[] {total - idle, total};
            }
        }
        throw new IllegalArgumentException("no aggregate cpu line");
    }

    /** CPU time of this process so far (all threads), from the JVM. */
    private static long ownCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }
}
