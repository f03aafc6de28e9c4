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
        return measure(procStat, Path.of("/proc/self/stat"));
    }

    /**
     * @param procStat the machine's {@code /proc/stat}
     * @param selfStat this process's {@code /proc/self/stat}
     * @return the busy cores of other processes over the window, or -1 where a file cannot be read
     */
    static double measure(Path procStat, Path selfStat) {
        try {
            long[] before = busyAndTotal(Files.readAllLines(procStat));
            long ownBefore = ownTicks(Files.readString(selfStat));
            Thread.sleep(WINDOW_MS);
            long[] after = busyAndTotal(Files.readAllLines(procStat));
            long own = ownTicks(Files.readString(selfStat)) - ownBefore;
            long total = after[1] - before[1];
            if (total <= 0) {
                return -1;
            }
            // Both files count in the same clock ticks, so this process's share comes off the busy ticks
            // directly (no JVM management bean: jlink runtimes without jdk.management measure too).
            int cores = Runtime.getRuntime().availableProcessors();
            return Math.max(0, cores * (after[0] - before[0] - own) / (double) total);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * This process's user + system CPU time in clock ticks, from {@code /proc/self/stat}: fields 14 and 15,
     * counted after the command name, which is in parentheses and may itself hold spaces or parentheses.
     */
    static long ownTicks(String selfStat) {
        int close = selfStat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("no command name in parentheses");
        }
        String[] f = selfStat.substring(close + 1).trim().split("\\s+");
        if (f.length < 13) {
            throw new IllegalArgumentException("only " + f.length + " fields after the command name");
        }
        // f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) is f[12].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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
}
