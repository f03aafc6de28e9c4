package org.onnxtoolkit.runtime.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.onnxtoolkit.api.spi.Progress;

/**
 * Shows a dataset plugin's long work (decoding a folder of images into its cache the first time) the way
 * {@link ConsoleProgress} shows training: on a terminal a progress bar with images/s and the time left;
 * otherwise (logs, CI, pipes) a line when the work starts, one every {@value ConsoleProgress#LINE_INTERVAL_SECONDS}
 * seconds with the count, the rate and the time left, and one when it ends.
 *
 * <p>Thread-safe: {@link Progress.Task#advance} may be called from any number of decoder threads at once; lines
 * are printed whole, one thread at a time.
 */
final class ConsoleDatasetProgress implements Progress {
    private final PrintWriter out;
    private final boolean terminal;
    private final long lineIntervalNanos;
    private final LongSupplier nanoClock;

    /** Progress on {@code out}: a bar on a terminal (as {@link ConsoleProgress} decides), lines otherwise. */
    ConsoleDatasetProgress(PrintWriter out) {
        this(out, System.console() != null && System.getenv("CI") == null,
                TimeUnit.SECONDS.toNanos(ConsoleProgress.LINE_INTERVAL_SECONDS), System::nanoTime);
    }

    /**
     * For tests: the plain-line form with its own interval and clock.
     *
     * @param terminal          draw a progress bar (on standard error) instead of lines
     * @param lineIntervalNanos the least time between two progress lines
     * @param nanoClock         the time in nanoseconds, as {@link System#nanoTime}
     */
    ConsoleDatasetProgress(PrintWriter out, boolean terminal, long lineIntervalNanos, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.lineIntervalNanos = lineIntervalNanos;
        this.nanoClock = nanoClock;
    }

    @Override
    public Task start(String label, long total) {
        return terminal ? new BarTask(label, total) : new LineTask(label, total);
    }

    /** A progress bar, redrawn by the library's own thread. */
    private static final class BarTask implements Task {
        private final ProgressBar bar;
        private final AtomicBoolean closed = new AtomicBoolean();

        BarTask(String label, long total) {
            bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(total).setUnit(" img", 1).showSpeed()
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        }

        @Override
        public void advance(long units) {
            synchronized (bar) {
                bar.stepBy(units);
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                synchronized (bar) {
                    bar.close();
                }
            }
        }
    }

    /** Plain lines: at the start, at most one per interval while advancing, and at the end. */
    private final class LineTask implements Task {
        private final String label;
        private final long total;
        private final long started;
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong lastLine;
        private final AtomicBoolean closed = new AtomicBoolean();

        LineTask(String label, long total) {
            this.label = label;
            this.total = total;
            this.started = nanoClock.getAsLong();
            this.lastLine = new AtomicLong(started);
            print(label + ": started");
        }

        @Override
        public void advance(long units) {
            long count = done.addAndGet(units);
            long now = nanoClock.getAsLong();
            long last = lastLine.get();
            // One thread wins the right to print; the others carry on decoding.
            if (now - last >= lineIntervalNanos && count < total && lastLine.compareAndSet(last, now)) {
                double seconds = (now - started) / 1e9;
                double rate = count / Math.max(seconds, 1e-9);
                double left = (total - count) / Math.max(rate, 1e-9);
                print(String.format(Locale.ROOT, "%s: %d/%d (%d%%), %.0f img/s, about %s left", label, count, total,
                        count * 100 / total, rate, duration(left)));
            }
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            long count = done.get();
            double seconds = (nanoClock.getAsLong() - started) / 1e9;
            if (count >= total) {
                print(String.format(Locale.ROOT, "%s: done, %d in %s (%.0f img/s)", label, count, duration(seconds),
                        count / Math.max(seconds, 1e-9)));
            } else {
                print(String.format(Locale.ROOT, "%s: stopped at %d/%d after %s", label, count, total,
                        duration(seconds)));
            }
        }
    }

    private void print(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** "0.8 s", "42 s", "3 min 05 s", "2 h 07 min". */
    static String duration(double seconds) {
        if (seconds < 10) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long whole = Math.round(seconds);
        if (whole < 60) {
            return whole + " s";
        }
        if (whole < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", whole / 60, whole % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", whole / 3600, whole % 3600 / 60);
    }
}
