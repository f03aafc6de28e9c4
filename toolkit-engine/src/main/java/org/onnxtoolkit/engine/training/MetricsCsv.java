package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunState;

/**
 * Writes {@code metrics.csv} (one row per completed epoch, from the recorded history) after each epoch, and
 * for a finished run when it is missing or differs from the history (a file already right is not rewritten,
 * so that on a full disk the failure names the file that could not be written).
 */
final class MetricsCsv implements TrainingListener {
    @Override
    public void epochDone(EpochDone event, TrainingContext context) throws IOException {
        write(context.run(), context.state());
        CrashPoints.reached("metrics", event.metrics().epoch());
    }

    @Override
    public void runFinished(RunFinished event, TrainingContext context) throws IOException {
        RunDirectory run = context.run();
        byte[] csv = RunDirectory.metricsCsv(context.state().history());
        Path file = run.metricsCsv();
        if (!Files.isRegularFile(file) || !Arrays.equals(csv, Files.readAllBytes(file))) {
            write(run, context.state());
        }
    }

    @Override
    public List<String> missingFiles(RunDirectory run, RunState state, ModelGraphs graphs) {
        return Files.isRegularFile(run.metricsCsv()) ? List.of() : List.of(RunDirectory.METRICS_CSV);
    }

    private static void write(RunDirectory run, RunState state) throws IOException {
        RunFiles.writing(run.metricsCsv(), () -> run.writeMetrics(state.history()));
    }
}
