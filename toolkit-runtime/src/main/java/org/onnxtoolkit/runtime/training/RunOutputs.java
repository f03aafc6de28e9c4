package org.onnxtoolkit.runtime.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.runtime.compiler.ModelAssembler;
import org.onnxtoolkit.runtime.io.AtomicFiles;
import org.onnxtoolkit.runtime.model.ModelGraphs;
import org.onnxtoolkit.runtime.onnx.OnnxModelWriter;
import org.onnxtoolkit.runtime.ort.InferenceSession;
import org.onnxtoolkit.runtime.ort.SessionConfig;
import org.onnxtoolkit.runtime.ort.Tensor;
import org.onnxtoolkit.runtime.ort.TrainingSession;
import org.onnxtoolkit.runtime.report.GridLayout;
import org.onnxtoolkit.runtime.report.ImageBatch;
import org.onnxtoolkit.runtime.report.ImageGrid;
import org.onnxtoolkit.runtime.report.LatentManifold;
import org.onnxtoolkit.runtime.report.LossChart;
import org.onnxtoolkit.runtime.report.ReconstructionGrid;

/**
 * The pictures and models of a run folder: per epoch {@code samples-NNN.png} (the same 64 latent vectors
 * every epoch, 8x8), {@code reconstructions-NNN.png} (the first 32 test images beside their
 * reconstructions) and {@code loss.png}; at the end {@code decoder.onnx}, {@code encoder.onnx} and, for a
 * 2-D latent, {@code manifold.png}. Models are written by our own code from the architecture's graphs and
 * the trained parameters (standard ONNX ops only, batch norm in inference form, provenance in
 * {@code metadata_props}); pictures are decoded by running those same models in a plain ONNX Runtime
 * session.
 */
public final class RunOutputs {
    public static final String DECODER = "decoder.onnx";
    public static final String ENCODER = "encoder.onnx";
    public static final String LOSS_PNG = "loss.png";
    public static final String MANIFOLD_PNG = "manifold.png";
    static final int SAMPLES = 64;
    static final int RECONSTRUCTIONS = 32;

    private final Path runDir;
    private final ModelGraphs graphs;
    private final RunConfig config;
    private final Map<String, String> provenance;
    private final ImageSplit test;

    RunOutputs(Path runDir, ModelGraphs graphs, RunConfig config, Map<String, String> provenance, ImageSplit test) {
        this.runDir = runDir;
        this.graphs = graphs;
        this.config = config;
        this.provenance = provenance;
        this.test = test;
    }

    /** The fixed latent vectors of the sample grids: {@code [64, latent]}, standard normal, from the seed. */
    public static float[] sampleLatents(long seed, int latent) {
        float[] z = new float[SAMPLES * latent];
        Seeds.gaussians(z, Seeds.stream(seed, Seeds.Purpose.SAMPLES));
        return z;
    }

    /** Current values of every parameter of the session, by name. */
    static Map<String, float[]> parameters(TrainingSession session, List<Value> parameters) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Value p : parameters) {
            values.put(p.name(), session.parameter(p.name()).toArray());
        }
        return values;
    }

    /** An inference model of {@code graph} with the given parameter values and metadata. */
    public static byte[] inferenceModel(Graph graph, Map<String, float[]> parameters, Map<String, String> metadata,
                                        String name) {
        Map<String, float[]> used = new LinkedHashMap<>();
        for (Value p : graph.parameters()) {
            used.put(p.name(), parameters.get(p.name()));
        }
        return OnnxModelWriter.write(ModelAssembler.inference(graph, used), name, metadata);
    }

    /** The pictures written for an epoch: {@code samples-NNN.png}, {@code reconstructions-NNN.png}, {@code loss.png}. */
    static List<String> epochPictures(int epoch) {
        return List.of(samplesPng(epoch), reconstructionsPng(epoch), LOSS_PNG);
    }

    /**
     * What a finished run of {@code epochs} epochs has besides metrics and checkpoints: the last epoch's
     * pictures, the models and, for a 2-D latent, the manifold.
     */
    static List<String> finalOutputs(int epochs, int latentSize) {
        List<String> names = new ArrayList<>(epochPictures(epochs));
        names.add(DECODER);
        names.add(ENCODER);
        if (latentSize == 2) {
            names.add(MANIFOLD_PNG);
        }
        return names;
    }

    private static String samplesPng(int epoch) {
        return String.format(java.util.Locale.ROOT, "samples-%03d.png", epoch);
    }

    private static String reconstructionsPng(int epoch) {
        return String.format(java.util.Locale.ROOT, "reconstructions-%03d.png", epoch);
    }

    /** Writes {@link #epochPictures(int)} of {@code epoch} from the session's current parameters. */
    void epochPictures(int epoch, TrainingSession session, List<EpochMetrics> history) throws IOException {
        Graph decoder = graphs.decoderGraph();
        Graph reconstruction = graphs.reconstructionGraph();
        List<Value> all = new ArrayList<>(decoder.parameters());
        all.addAll(graphs.encoderGraph().parameters());
        Map<String, float[]> params = parameters(session, all);
        ImageShape shape = graphs.model().imageShape();
        SessionConfig cpu = SessionConfig.cpu();

        float[] z = sampleLatents(config.seed(), graphs.model().latentSize());
        try (InferenceSession s = InferenceSession.open(inferenceModel(decoder, params, Map.of(), "decoder"), cpu)) {
            float[] images = s.run(Map.of(ModelGraphs.Z, Tensor.of(z, SAMPLES, graphs.model().latentSize())))
                    .get(ModelGraphs.IMAGE).toArray();
            Path png = runDir.resolve(samplesPng(epoch));
            RunFiles.writing(png, () -> ImageGrid.write(png,
                    ImageBatch.ofFloats(images, SAMPLES, shape.channels(), shape.height(), shape.width()),
                    layout(8, shape)));
        }
        CrashPoints.reached("pictures", epoch);
        int n = Math.min(RECONSTRUCTIONS, test.size());
        byte[] originals = new byte[n * shape.size()];
        float[] x = new float[n * shape.size()];
        for (int i = 0; i < n; i++) {
            test.copyImage(i, originals, i * shape.size());
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (originals[i] & 0xFF) / 255f;
        }
        try (InferenceSession s = InferenceSession.open(inferenceModel(reconstruction, params, Map.of(),
                "reconstruction"), cpu)) {
            float[] recon = s.run(Map.of(ModelGraphs.X, Tensor.of(x, n, shape.channels(), shape.height(), shape.width())))
                    .get(ModelGraphs.RECONSTRUCTION).toArray();
            Path png = runDir.resolve(reconstructionsPng(epoch));
            RunFiles.writing(png, () -> ReconstructionGrid.write(png,
                    ImageBatch.ofUint8(originals, n, shape.channels(), shape.height(), shape.width()),
                    ImageBatch.ofFloats(recon, n, shape.channels(), shape.height(), shape.width()), layout(8, shape)));
        }
        double[] epochs = history.stream().mapToDouble(EpochMetrics::epoch).toArray();
        Path chart = runDir.resolve(LOSS_PNG);
        RunFiles.writing(chart, () -> LossChart.write(chart, "loss per epoch", "epoch", "nats per image", List.of(
                new LossChart.Series("train loss", epochs, history.stream().mapToDouble(EpochMetrics::trainLoss).toArray()),
                new LossChart.Series("test negative ELBO", epochs,
                        history.stream().mapToDouble(EpochMetrics::testNegElbo).toArray()))));
    }

    /**
     * Writes {@code decoder.onnx}, {@code encoder.onnx} and, for a 2-D latent, {@code manifold.png}, each
     * atomically; a failed write names its file ({@link RunFiles.RunWriteFailedException}).
     */
    void export(TrainingSession session, EpochMetrics last) throws IOException {
        Graph decoder = graphs.decoderGraph();
        Graph encoder = graphs.encoderGraph();
        List<Value> all = new ArrayList<>(decoder.parameters());
        all.addAll(encoder.parameters());
        Map<String, float[]> params = parameters(session, all);
        Map<String, String> metadata = metadata(last);
        byte[] decoderBytes = inferenceModel(decoder, params, metadata, "decoder");
        byte[] encoderBytes = inferenceModel(encoder, params, metadata, "encoder");
        Path decoderFile = runDir.resolve(DECODER);
        RunFiles.writing(decoderFile, () -> AtomicFiles.write(decoderFile, decoderBytes));
        CrashPoints.reached("export-decoder");
        Path encoderFile = runDir.resolve(ENCODER);
        RunFiles.writing(encoderFile, () -> AtomicFiles.write(encoderFile, encoderBytes));
        CrashPoints.reached("export-encoder");
        if (graphs.model().latentSize() == 2) {
            Path manifold = runDir.resolve(MANIFOLD_PNG);
            RunFiles.writing(manifold, () -> writeManifold(decoderBytes, manifold, graphs.model().imageShape(), 20));
        }
    }

    /** Decodes a {@code steps x steps} grid over the 2-D latent plane (normal quantiles) into a PNG. */
    public static void writeManifold(byte[] decoderModel, Path png, ImageShape shape, int steps) throws IOException {
        float[] z = LatentManifold.gridPoints(steps);
        try (InferenceSession s = InferenceSession.open(decoderModel, SessionConfig.cpu())) {
            float[] images = s.run(Map.of(ModelGraphs.Z, Tensor.of(z, (long) steps * steps, 2))).get(ModelGraphs.IMAGE)
                    .toArray();
            ImageGrid.write(png, ImageBatch.ofFloats(images, steps * steps, shape.channels(), shape.height(),
                    shape.width()), new GridLayout(steps, 1, 0));
        }
    }

    private Map<String, String> metadata(EpochMetrics last) {
        Map<String, String> m = new TreeMap<>();
        provenance.forEach((k, v) -> m.put("toolkit." + k, v));
        graphs.configuration().forEach((k, v) -> m.put("model." + k, v));
        m.put("train.seed", Long.toString(config.seed()));
        m.put("train.epochs", Integer.toString(last.epoch()));
        m.put("train.dataset", config.dataset());
        m.put("train.test_elbo", String.format(java.util.Locale.ROOT, "%.4f", last.testNegElbo()));
        m.put("model.latent_size", Integer.toString(graphs.model().latentSize()));
        ImageShape s = graphs.model().imageShape();
        m.put("model.image_shape", s.channels() + "," + s.height() + "," + s.width());
        return m;
    }

    private static GridLayout layout(int columns, ImageShape shape) {
        int scale = shape.height() <= 32 ? 2 : 1;
        return new GridLayout(columns, scale, 2);
    }
}
