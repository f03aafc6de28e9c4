package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.api.events.RunStarted;
import org.onnxtoolkit.api.events.StepDone;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.TensorBoardEvents;

/**
 * The per-step logs: a row of {@code steps.csv} and TensorBoard scalars under {@code tb/} every
 * {@code --log-every} steps (tags {@code train/...}, the step's batch values), and at the end of every epoch the
 * test curves and the epoch's training means ({@code test/...}, {@code epoch/...}) at the epoch's last step.
 *
 * <p>Logs grow as training goes, so rows are appended, not rewritten. What was logged after the checkpoint a
 * run resumes from is trained again, so when training starts the two logs are cut (atomically: rewritten to a
 * temporary file renamed into place) to the steps up to the checkpoint's, which also drops a row or record
 * that a crash cut short: the logs of a resumed run have every step once. Not thread-safe (the training thread).
 */
final class StepLog implements TrainingListener {
    private RunDirectory run;
    private Path events;
    private int logEvery;

    @Override
    public void runStarted(RunStarted event, TrainingContext context) throws IOException {
        run = context.run();
        logEvery = context.config().schedule().logEvery();
        long step = context.state().step();
        Path csv = run.stepsCsv();
        RunFiles.writing(csv, () -> AtomicFiles.write(csv, stepsUpTo(csv, step)));
        Path tb = run.tensorboard();
        RunFiles.writing(tb, () -> Files.createDirectories(tb));
        List<Path> files = eventFiles(tb);
        if (files.isEmpty()) {
            // A fixed name (TensorBoard reads any file whose name holds "tfevents"), so that a run's files are
            // the same whenever it is trained.
            events = tb.resolve(TensorBoardEvents.FILE_NAME);
            byte[] first = TensorBoardEvents.record(TensorBoardEvents.fileVersionEvent(wallTime()));
            RunFiles.writing(events, () -> AtomicFiles.write(events, first));
        } else {
            for (Path f : files) {
                byte[] kept = recordsUpTo(f, step);
                RunFiles.writing(f, () -> AtomicFiles.write(f, kept));
            }
            events = files.get(files.size() - 1);
        }
    }

    @Override
    public void stepDone(StepDone e) throws IOException {
        if (run == null || e.step() % logEvery != 0) {
            return;
        }
        append(run.stepsCsv(), String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f,%s,%s,%.1f%n", e.step(), e.epoch(),
                e.loss(), e.recon(), e.kl(), e.klWeight(), e.learningRate(), e.imagesPerSecond())
                .getBytes(StandardCharsets.UTF_8));
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("train/loss", e.loss());
        scalars.put("train/neg_elbo", e.negElbo());
        scalars.put("train/recon", e.recon());
        scalars.put("train/kl", e.kl());
        scalars.put("train/kl_weight", e.klWeight());
        scalars.put("train/lr", e.learningRate());
        scalars.put("train/images_per_s", e.imagesPerSecond());
        append(events, TensorBoardEvents.record(TensorBoardEvents.scalarsEvent(wallTime(), e.step(), scalars)));
    }

    @Override
    public void epochDone(EpochDone event, TrainingContext context) throws IOException {
        if (run == null) {
            return;
        }
        EpochMetrics m = event.metrics();
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("test/loss", m.testLoss());
        scalars.put("test/neg_elbo", m.testNegElbo());
        scalars.put("test/recon", m.recon());
        scalars.put("test/kl", m.kl());
        scalars.put("epoch/train_loss", m.trainLoss());
        scalars.put("epoch/train_neg_elbo", m.trainNegElbo());
        scalars.put("epoch/kl_weight", m.klWeight());
        scalars.put("epoch/lr", m.learningRate());
        append(events, TensorBoardEvents.record(TensorBoardEvents.scalarsEvent(wallTime(),
                context.state().step(), scalars)));
    }

    /** {@code steps.csv}'s header and its rows of steps up to {@code step} (none when the file is not there). */
    static byte[] stepsUpTo(Path csv, long step) throws IOException {
        StringBuilder kept = new StringBuilder(RunDirectory.STEPS_HEADER).append('\n');
        if (Files.isRegularFile(csv)) {
            String text = Files.readString(csv, StandardCharsets.UTF_8);
            // Only whole lines: a row a crash cut short has no line end.
            int end = text.lastIndexOf('\n');
            List<String> lines = end < 0 ? List.of() : Arrays.asList(text.substring(0, end).split("\n"));
            for (String line : lines.stream().skip(1).toList()) {
                Long s = leadingStep(line);
                if (s != null && s <= step) {
                    kept.append(line).append('\n');
                }
            }
        }
        return kept.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The records of an event file whose step is at most {@code step}, framed again. */
    static byte[] recordsUpTo(Path file, long step) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (TensorBoardEvents.Record r : TensorBoardEvents.read(Files.readAllBytes(file))) {
            if (r.step() <= step) {
                out.writeBytes(TensorBoardEvents.record(r.data()));
            }
        }
        return out.toByteArray();
    }

    /** The event files in {@code tb}, by name (regular files; not the temporary files of an atomic write). */
    private static List<Path> eventFiles(Path tb) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(tb)) {
            for (Path f : s.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(TensorBoardEvents.FILE_PREFIX) && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(f);
                }
            }
        }
        return files;
    }

    private static Long leadingStep(String line) {
        int comma = line.indexOf(',');
        try {
            return comma > 0 ? Long.parseLong(line.substring(0, comma)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void append(Path file, byte[] bytes) throws IOException {
        RunFiles.writing(file, () -> Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    }

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }
}
