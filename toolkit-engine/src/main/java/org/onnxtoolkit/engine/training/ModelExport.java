package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.autodiff.ModelAssembler;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.compiler.onnx.OnnxModelWriter;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunState;

/**
 * Exports a finished run's models: {@code decoder.onnx} (input {@code z [N, latent]} and, for a
 * class-conditional model, {@code label [N]} int64; output
 * {@code image [N, C, H, W]} in [0, 1]) and {@code encoder.onnx} (input {@code x}, outputs {@code mu},
 * {@code logvar}), written by our own code from the architecture's graphs and the trained parameters:
 * standard ONNX ops only, batch norm in inference form, provenance in {@code metadata_props}. The trainer
 * calls it first among the outputs of a finished run, so that what depends on the models comes after them.
 */
public final class ModelExport implements TrainingListener {
    /**
     * The {@code metadata_props} key of a class-conditional model's class names, a JSON array in label order;
     * {@code model.conditional.classes} holds their number.
     */
    public static final String CLASS_NAMES = "model.class_names";
    /** The {@code metadata_props} key of the number of classes a conditional model takes. */
    public static final String CONDITIONAL_CLASSES = "model.conditional.classes";

    ModelExport() {
    }

    @Override
    public void runFinished(RunFinished event, TrainingContext context) throws IOException {
        RunDirectory run = context.run();
        write(context, event.last(), run.decoder(), run.encoder(), "export");
    }

    /**
     * Writes the session's current parameters as the decoder and encoder models, each atomically, with the
     * metadata of the epoch {@code metrics} describes.
     *
     * @param stage the {@link CrashPoints} names' start: {@code STAGE-decoder}, {@code STAGE-encoder}
     */
    static void write(TrainingContext context, EpochMetrics metrics, Path decoderFile, Path encoderFile,
                      String stage) throws IOException {
        ModelGraphs graphs = context.graphs();
        Graph decoder = graphs.decoderGraph();
        Graph encoder = graphs.encoderGraph();
        List<Value> all = new ArrayList<>(decoder.parameters());
        all.addAll(encoder.parameters());
        Map<String, float[]> params = context.parameters(all);
        Map<String, String> metadata = metadata(context, metrics);
        byte[] decoderBytes = inferenceModel(decoder, params, metadata, "decoder");
        byte[] encoderBytes = inferenceModel(encoder, params, metadata, "encoder");
        RunFiles.writing(decoderFile, () -> AtomicFiles.write(decoderFile, decoderBytes));
        CrashPoints.reached(stage + "-decoder");
        RunFiles.writing(encoderFile, () -> AtomicFiles.write(encoderFile, encoderBytes));
        CrashPoints.reached(stage + "-encoder");
    }

    @Override
    public List<String> missingFiles(RunDirectory run, RunState state, ModelGraphs graphs) {
        List<String> missing = new ArrayList<>();
        for (String name : List.of(RunDirectory.DECODER, RunDirectory.ENCODER)) {
            if (!Files.isRegularFile(run.file(name))) {
                missing.add(name);
            }
        }
        return missing;
    }

    /**
     * An inference model of {@code graph} with the given parameter values and metadata.
     *
     * @param parameters values of (at least) the graph's parameters, by name
     * @return the ONNX model's bytes (IR 8, opset 17)
     */
    public static byte[] inferenceModel(Graph graph, Map<String, float[]> parameters, Map<String, String> metadata,
                                        String name) {
        Map<String, float[]> used = new LinkedHashMap<>();
        for (Value p : graph.parameters()) {
            used.put(p.name(), parameters.get(p.name()));
        }
        return OnnxModelWriter.write(ModelAssembler.inference(graph, used), name, metadata);
    }

    private static Map<String, String> metadata(TrainingContext context, EpochMetrics last) {
        ModelGraphs graphs = context.graphs();
        Map<String, String> m = new TreeMap<>();
        context.provenance().forEach((k, v) -> m.put("toolkit." + k, v));
        graphs.configuration().forEach((k, v) -> m.put("model." + k, v));
        m.put("train.seed", Long.toString(context.config().seed()));
        m.put("train.epochs", Integer.toString(last.epoch()));
        m.put("train.dataset", context.config().dataset());
        m.put("train.test_elbo", String.format(Locale.ROOT, "%.4f", last.testNegElbo()));
        m.put("model.latent_size", Integer.toString(graphs.model().latentSize()));
        ImageShape s = graphs.model().imageShape();
        m.put("model.image_shape", s.channels() + "," + s.height() + "," + s.width());
        if (graphs.conditional()) {
            // The class names in label order, for sample --label and the web page's class selector.
            try {
                m.put(CLASS_NAMES, org.onnxtoolkit.compiler.io.Json.MAPPER.writer()
                        .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(graphs.classes()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("class names cannot be written as JSON", e);
            }
        }
        return m;
    }
}
