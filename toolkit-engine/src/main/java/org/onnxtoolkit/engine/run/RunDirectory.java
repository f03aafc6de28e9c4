package org.onnxtoolkit.engine.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.compiler.io.Json;

/**
 * A run folder: where each file of a run lives, and the typed reading and writing of its records. The one
 * place that knows the layout; the trainer, its listeners, every command and the web export go through it.
 *
 * <pre>
 * run.json                  {@link RunRecord}: settings, provenance, what the data looked like
 * state.json                {@link RunState}: where the run stands, the checkpoint it resumes from (and its SHA-256)
 * metrics.csv               one row per epoch ({@link #METRICS_HEADER})
 * steps.csv                 a row every --log-every steps ({@link #STEPS_HEADER})
 * tb/events.out.tfevents.*  the same and the test curves as TensorBoard scalars
 * best/decoder.onnx best/encoder.onnx   the models of the epoch with the best test negative ELBO
 * run.lock                  held by the process training into the folder ({@link RunLock})
 * checkpoints/*.ckpt        the latest ONNX Runtime checkpoint, with optimizer state
 * artifacts/                the training artifacts the run uses
 * decoder.onnx encoder.onnx the exported models, written when the epochs are trained
 * samples-NNN.png reconstructions-NNN.png loss.png manifold.png   pictures (written by the application)
 * </pre>
 *
 * <p>Every write is atomic ({@link AtomicFiles}); reads are strict ({@link Json}) and a damaged file is
 * reported as {@code "FILE is damaged: what is wrong"}. Immutable and thread-safe; it holds a path, not open
 * files.
 */
public final class RunDirectory {
    public static final String RUN_JSON = "run.json";
    public static final String STATE_JSON = "state.json";
    public static final String METRICS_CSV = "metrics.csv";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String ARTIFACTS = "artifacts";
    public static final String DECODER = "decoder.onnx";
    public static final String ENCODER = "encoder.onnx";
    public static final String LOSS_PNG = "loss.png";
    public static final String MANIFOLD_PNG = "manifold.png";
    /** What {@code toolkit evaluate} measured ({@link EvaluationRecord}). */
    public static final String EVALUATION_JSON = "evaluation.json";
    /** The header of {@code metrics.csv}; the columns are those of {@link EpochMetrics}, in order. */
    public static final String METRICS_HEADER =
            "epoch,train_loss,train_elbo,test_loss,test_elbo,recon,kl,images_per_s,seconds,lr,kl_weight";
    public static final String STEPS_CSV = "steps.csv";
    /** The header of {@code steps.csv}: one logged training step (its batch's values) per row. */
    public static final String STEPS_HEADER = "step,epoch,loss,recon,kl,kl_weight,lr,images_per_s";
    /** The folder of TensorBoard event files. */
    public static final String TENSORBOARD = "tb";
    /** The folder of the best epoch's models. */
    public static final String BEST = "best";

    private static final ObjectMapper JSON = Json.MAPPER;

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** The run folder at {@code dir} (which need not exist yet). */
    public static RunDirectory at(Path dir) {
        return new RunDirectory(dir);
    }

    /** @return the folder */
    public Path path() {
        return dir;
    }

    /** @return {@code name} inside the folder */
    public Path file(String name) {
        return dir.resolve(name);
    }

    public Path runJson() {
        return dir.resolve(RUN_JSON);
    }

    public Path stateJson() {
        return dir.resolve(STATE_JSON);
    }

    public Path metricsCsv() {
        return dir.resolve(METRICS_CSV);
    }

    public Path checkpoints() {
        return dir.resolve(CHECKPOINTS);
    }

    public Path artifacts() {
        return dir.resolve(ARTIFACTS);
    }

    public Path decoder() {
        return dir.resolve(DECODER);
    }

    public Path encoder() {
        return dir.resolve(ENCODER);
    }

    public Path stepsCsv() {
        return dir.resolve(STEPS_CSV);
    }

    public Path tensorboard() {
        return dir.resolve(TENSORBOARD);
    }

    /** @return {@code best/decoder.onnx}, the decoder of the epoch with the best test negative ELBO */
    public Path bestDecoder() {
        return dir.resolve(BEST).resolve(DECODER);
    }

    /** @return {@code best/encoder.onnx} */
    public Path bestEncoder() {
        return dir.resolve(BEST).resolve(ENCODER);
    }

    /** @return {@code samples-NNN.png} of {@code epoch} (1-based) */
    public static String samplesPng(int epoch) {
        return String.format(Locale.ROOT, "samples-%03d.png", epoch);
    }

    /** @return {@code reconstructions-NNN.png} of {@code epoch} (1-based) */
    public static String reconstructionsPng(int epoch) {
        return String.format(Locale.ROOT, "reconstructions-%03d.png", epoch);
    }

    /** @return whether the folder holds a {@code run.json} (a regular file) */
    public boolean isRun() {
        return Files.isRegularFile(runJson(), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Reads {@code run.json}, checking its values.
     *
     * @throws IOException naming the file when it is missing ("not a run folder") or damaged
     */
    public RunRecord readRecord() throws IOException {
        Path file = runJson();
        try {
            return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), RunRecord.class);
        } catch (NoSuchFileException e) {
            throw new IOException(dir + " is not a run folder: " + RUN_JSON + " is missing", e);
        } catch (JsonProcessingException e) {
            throw damaged(file, e);
        }
    }

    /** Writes {@code run.json} atomically. */
    public void writeRecord(RunRecord record) throws IOException {
        writeJson(runJson(), record);
    }

    /**
     * Reads {@code state.json}, checking its values.
     *
     * @return the state, or null when the run never wrote one
     * @throws IOException naming the file when it is damaged
     */
    public RunState readState() throws IOException {
        Path file = stateJson();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), RunState.class);
        } catch (JsonProcessingException e) {
            throw damaged(file, e);
        }
    }

    /** Writes {@code state.json} atomically. */
    public void writeState(RunState state) throws IOException {
        writeJson(stateJson(), state);
    }

    /** Writes {@code evaluation.json} atomically. */
    public void writeEvaluation(EvaluationRecord record) throws IOException {
        writeJson(file(EVALUATION_JSON), record);
    }

    /** {@code metrics.csv} for these epochs, as written. */
    public static byte[] metricsCsv(List<EpochMetrics> history) {
        StringBuilder sb = new StringBuilder(METRICS_HEADER).append('\n');
        for (EpochMetrics m : history) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.1f,%.3f,%s,%s", m.epoch(),
                    m.trainLoss(), m.trainNegElbo(), m.testLoss(), m.testNegElbo(), m.recon(), m.kl(),
                    m.imagesPerSecond(), m.seconds(), m.learningRate(),
                    m.klWeight() == null ? "" : Double.toString(m.klWeight()))).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code metrics.csv} for these epochs atomically. */
    public void writeMetrics(List<EpochMetrics> history) throws IOException {
        AtomicFiles.write(metricsCsv(), metricsCsv(history));
    }

    /** Writes {@code value} as JSON to {@code file} atomically, with the toolkit's one mapper. */
    public static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(value));
    }

    /** "FILE is damaged: what is wrong (at where)", from a parse error or from a record's check of its values. */
    private static IOException damaged(Path file, JsonProcessingException e) {
        Throwable cause = e.getCause();
        boolean check = cause instanceof IllegalArgumentException || cause instanceof NullPointerException;
        String problem = check ? String.valueOf(cause.getMessage()) : e.getOriginalMessage();
        int nl = problem.indexOf('\n');
        problem = (nl >= 0 ? problem.substring(0, nl) : problem).trim();
        if (!check && e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder at = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    at.append(at.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    at.append('[').append(r.getIndex()).append(']');
                }
            }
            problem += " (at " + at + ")";
        }
        return new IOException(file + " is damaged: " + problem, e);
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
