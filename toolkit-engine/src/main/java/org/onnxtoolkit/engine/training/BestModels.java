package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunRecord;
import org.onnxtoolkit.engine.run.RunState;
import org.onnxtoolkit.engine.schedule.EarlyStopping;

/**
 * Keeps the models of the epoch with the best (lowest) test negative ELBO: after an epoch that is the best so
 * far, writes {@code best/decoder.onnx} and {@code best/encoder.onnx} (as {@link ModelExport} writes the final
 * ones, each atomically), then names the epoch in {@code run.json} ({@link RunRecord#best()}). It runs before the
 * epoch is recorded in {@code state.json}: a crash in between trains the epoch again on resume, which writes the
 * same files again; the best so far is read from the recorded history, so a resumed run keeps it. Not
 * thread-safe (the training thread).
 */
final class BestModels implements TrainingListener {
    @Override
    public void epochDone(EpochDone event, TrainingContext context) throws IOException {
        if (EarlyStopping.bestEpoch(context.state().history()) == event.metrics().epoch()) {
            write(context, event.metrics());
        }
    }

    @Override
    public void runFinished(RunFinished event, TrainingContext context) throws IOException {
        // Finishing a run whose best/ was lost: possible only when the best epoch is the last (whose
        // parameters the checkpoint holds).
        RunState state = context.state();
        if (!missingFiles(context.run(), state, context.graphs()).isEmpty()) {
            write(context, state.history().get(state.completedEpochs() - 1));
        }
    }

    @Override
    public List<String> missingFiles(RunDirectory run, RunState state, ModelGraphs graphs) {
        List<String> missing = new ArrayList<>();
        if (state.completedEpochs() > 0 && EarlyStopping.bestEpoch(state.history()) == state.completedEpochs()) {
            for (Path file : List.of(run.bestDecoder(), run.bestEncoder())) {
                if (!Files.isRegularFile(file)) {
                    missing.add(run.path().relativize(file).toString());
                }
            }
        }
        return missing;
    }

    private static void write(TrainingContext context, EpochMetrics best) throws IOException {
        RunDirectory run = context.run();
        Path folder = run.bestDecoder().getParent();
        RunFiles.writing(folder, () -> Files.createDirectories(folder));
        ModelExport.write(context, best, run.bestDecoder(), run.bestEncoder(), "best");
        RunRecord record = run.readRecord();
        RunRecord.BestEpoch named = new RunRecord.BestEpoch(best.epoch(), best.testNegElbo());
        if (!Objects.equals(record.best(), named)) {
            RunFiles.writing(run.runJson(), () -> run.writeRecord(record.withBest(named)));
        }
    }
}
