package org.onnxtoolkit.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.runtime.report.LossChart;

/** A sweep's summary files: {@value #CSV} (one row per run) and {@value #PNG} (test curves of every run). */
final class SweepReport {
    static final String CSV = "sweep.csv";
    static final String PNG = "sweep.png";

    private SweepReport() {
    }

    /**
     * The CSV: {@code run}, the varied keys, {@code status} (done/failed), {@code epochs},
     * {@code final_test_neg_elbo} and {@code best_test_neg_elbo} (nats per image, empty when no epoch completed),
     * {@code seconds} (wall clock of its epochs), {@code attempts}, {@code message}; rows in the sweep's order.
     */
    static String csv(List<String> keys, List<SweepResult> results) {
        StringBuilder out = new StringBuilder("run");
        for (String k : keys) {
            out.append(',').append(quoted(k));
        }
        out.append(",status,epochs,final_test_neg_elbo,best_test_neg_elbo,seconds,attempts,message\n");
        for (SweepResult r : results) {
            out.append(quoted(r.run().name()));
            for (String k : keys) {
                out.append(',').append(quoted(r.run().values().get(k)));
            }
            out.append(',').append(r.status().name().toLowerCase(Locale.ROOT)).append(',').append(r.epochs())
                    .append(',').append(number(r.finalTestNegElbo())).append(',').append(number(r.bestTestNegElbo()))
                    .append(',').append(String.format(Locale.ROOT, "%.1f", r.seconds())).append(',')
                    .append(r.attempts()).append(',').append(quoted(r.message())).append('\n');
        }
        return out.toString();
    }

    /** Writes both files into {@code dir} atomically; the chart only when some run completed an epoch. */
    static void write(Path dir, List<String> keys, List<SweepResult> results) throws IOException {
        AtomicFiles.write(dir.resolve(CSV), csv(keys, results).getBytes(StandardCharsets.UTF_8));
        List<LossChart.Series> series = new ArrayList<>();
        for (SweepResult r : results) {
            if (!r.testNegElboCurve().isEmpty()) {
                series.add(LossChart.Series.perEpoch(r.run().name(),
                        r.testNegElboCurve().stream().mapToDouble(Double::doubleValue).toArray()));
            }
        }
        if (!series.isEmpty()) {
            LossChart.write(dir.resolve(PNG), "Sweep: test negative ELBO per epoch", "epoch", "nats per image",
                    series);
        }
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "";
    }

    private static String quoted(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"").replace('\n', ' ') + "\"";
        }
        return s;
    }
}
