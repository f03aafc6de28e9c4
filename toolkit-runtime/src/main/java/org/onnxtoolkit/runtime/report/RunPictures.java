package org.onnxtoolkit.runtime.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunState;
import org.onnxtoolkit.engine.training.CrashPoints;
import org.onnxtoolkit.engine.training.ModelExport;
import org.onnxtoolkit.engine.training.Seeds;
import org.onnxtoolkit.engine.training.TrainingContext;
import org.onnxtoolkit.engine.training.TrainingListener;

/**
 * The pictures of a run folder, an output listener of the trainer: after every epoch
 * {@code samples-NNN.png} (the same 64 latent vectors every epoch, 8x8), {@code reconstructions-NNN.png}
 * (the first 32 test images beside their reconstructions) and {@code loss.png}; for a finished run with a
 * 2-D latent, {@code manifold.png} from the exported decoder. A class-conditional model's sample grid draws
 * one class per row (row r: class {@code r mod K}), its reconstructions use the test images' labels and its
 * manifold class 0. Pictures are decoded by running inference
 * models built from the session's current parameters in a plain ONNX Runtime session on the CPU.
 *
 * <p>Stateless; used on the training thread only.
 */
public final class RunPictures implements TrainingListener {
    static final int SAMPLES = 64;
    static final int RECONSTRUCTIONS = 32;
    static final int MANIFOLD_STEPS = 20;

    /** The fixed latent vectors of the sample grids: {@code [64, latent]}, standard normal, from the seed. */
    public static float[] sampleLatents(long seed, int latent) {
        float[] z = new float[SAMPLES * latent];
        Seeds.gaussians(z, Seeds.stream(seed, Seeds.Purpose.SAMPLES));
        return z;
    }

    /** The labels of the sample grid of a model conditioned on {@code classes} classes: row r (of 8) is class r mod K. */
    public static long[] sampleLabels(int classes) {
        long[] labels = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            labels[i] = (i / 8) % classes;
        }
        return labels;
    }

    /** The pictures written for an epoch: {@code samples-NNN.png}, {@code reconstructions-NNN.png}, {@code loss.png}. */
    static List<String> epochPictures(int epoch) {
        return List.of(RunDirectory.samplesPng(epoch), RunDirectory.reconstructionsPng(epoch), RunDirectory.LOSS_PNG);
    }

    @Override
    public void epochDone(EpochDone event, TrainingContext context) throws IOException {
        write(event.metrics().epoch(), context);
    }

    /** Writes a missing picture of the last epoch, then the manifold of a 2-D latent from the exported decoder. */
    @Override
    public void runFinished(RunFinished event, TrainingContext context) throws IOException {
        RunDirectory run = context.run();
        if (!epochPictures(event.epochs()).stream().allMatch(f -> Files.isRegularFile(run.file(f)))) {
            write(event.epochs(), context);
        }
        if (context.graphs().model().latentSize() == 2) {
            Path manifold = run.file(RunDirectory.MANIFOLD_PNG);
            byte[] decoder = Files.readAllBytes(event.decoder());
            RunFiles.writing(manifold, () -> writeManifold(decoder, manifold,
                    context.graphs().model().imageShape(), MANIFOLD_STEPS, context.graphs().conditional()));
        }
    }

    @Override
    public List<String> missingFiles(RunDirectory run, RunState state, ModelGraphs graphs) {
        List<String> names = new ArrayList<>(epochPictures(state.completedEpochs()));
        if (graphs.model().latentSize() == 2) {
            names.add(RunDirectory.MANIFOLD_PNG);
        }
        return names.stream().filter(f -> !Files.isRegularFile(run.file(f))).toList();
    }

    /** Writes {@link #epochPictures(int)} of {@code epoch} from the session's current parameters. */
    private static void write(int epoch, TrainingContext context) throws IOException {
        ModelGraphs graphs = context.graphs();
        RunDirectory run = context.run();
        Graph decoder = graphs.decoderGraph();
        Graph reconstruction = graphs.reconstructionGraph();
        List<Value> all = new ArrayList<>(decoder.parameters());
        all.addAll(graphs.encoderGraph().parameters());
        Map<String, float[]> params = context.parameters(all);
        ImageShape shape = graphs.model().imageShape();
        SessionConfig cpu = SessionConfig.cpu();

        float[] z = sampleLatents(context.config().seed(), graphs.model().latentSize());
        try (InferenceSession s = InferenceSession.open(ModelExport.inferenceModel(decoder, params, Map.of(),
                "decoder"), cpu)) {
            Map<String, Tensor> feeds = new java.util.HashMap<>();
            feeds.put(ModelGraphs.Z, Tensor.of(z, SAMPLES, graphs.model().latentSize()));
            if (graphs.conditional()) {
                feeds.put(ModelGraphs.LABEL, Tensor.of(sampleLabels(graphs.conditionClasses()), SAMPLES));
            }
            float[] images = s.run(feeds).get(ModelGraphs.IMAGE).toFloatArray();
            Path png = run.file(RunDirectory.samplesPng(epoch));
            RunFiles.writing(png, () -> ImageGrid.write(png,
                    ImageBatch.ofFloats(images, SAMPLES, shape.channels(), shape.height(), shape.width()),
                    layout(8, shape)));
        }
        CrashPoints.reached("pictures", epoch);
        ImageSplit test = context.testImages();
        int n = Math.min(RECONSTRUCTIONS, test.size());
        byte[] originals = new byte[n * shape.size()];
        float[] x = new float[n * shape.size()];
        for (int i = 0; i < n; i++) {
            test.copyImage(i, originals, i * shape.size());
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (originals[i] & 0xFF) / 255f;
        }
        try (InferenceSession s = InferenceSession.open(ModelExport.inferenceModel(reconstruction, params, Map.of(),
                "reconstruction"), cpu)) {
            Map<String, Tensor> feeds = new java.util.HashMap<>();
            feeds.put(ModelGraphs.X, Tensor.of(x, n, shape.channels(), shape.height(), shape.width()));
            if (graphs.conditional()) {
                long[] labels = new long[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = test.label(i);
                }
                feeds.put(ModelGraphs.LABEL, Tensor.of(labels, n));
            }
            float[] recon = s.run(feeds).get(ModelGraphs.RECONSTRUCTION).toFloatArray();
            Path png = run.file(RunDirectory.reconstructionsPng(epoch));
            RunFiles.writing(png, () -> ReconstructionGrid.write(png,
                    ImageBatch.ofUint8(originals, n, shape.channels(), shape.height(), shape.width()),
                    ImageBatch.ofFloats(recon, n, shape.channels(), shape.height(), shape.width()), layout(8, shape)));
        }
        List<EpochMetrics> history = context.state().history();
        double[] epochs = history.stream().mapToDouble(EpochMetrics::epoch).toArray();
        Path chart = run.file(RunDirectory.LOSS_PNG);
        // Two panels: the objective as optimised is in the objective's own units (mse-kl: a per-pixel mean of
        // about 0.03), the negative ELBO in nats per image (mse-kl: about 11,000); on one axis both are flat.
        RunFiles.writing(chart, () -> LossChart.writePanels(chart, List.of(
                new LossChart.Panel("loss as optimised (" + context.config().objective() + ")", "epoch",
                        "loss (the objective's units)", List.of(
                        new LossChart.Series("train loss", epochs, values(history, EpochMetrics::trainLoss)),
                        new LossChart.Series("test loss", epochs, values(history, EpochMetrics::testLoss)))),
                new LossChart.Panel("negative ELBO", "epoch", "nats per image", List.of(
                        new LossChart.Series("train negative ELBO", epochs, values(history, EpochMetrics::trainNegElbo)),
                        new LossChart.Series("test negative ELBO", epochs, values(history, EpochMetrics::testNegElbo)))))));
    }

    private static double[] values(List<EpochMetrics> history, java.util.function.ToDoubleFunction<EpochMetrics> f) {
        return history.stream().mapToDouble(f).toArray();
    }

    /**
     * Decodes a {@code steps x steps} grid over the 2-D latent plane (normal quantiles) into a PNG; a conditional
     * decoder draws class 0.
     */
    static void writeManifold(byte[] decoderModel, Path png, ImageShape shape, int steps, boolean conditional)
            throws IOException {
        float[] z = LatentManifold.gridPoints(steps);
        try (InferenceSession s = InferenceSession.open(decoderModel, SessionConfig.cpu())) {
            Map<String, Tensor> feeds = new java.util.HashMap<>();
            feeds.put(ModelGraphs.Z, Tensor.of(z, (long) steps * steps, 2));
            if (conditional) {
                feeds.put(ModelGraphs.LABEL, Tensor.of(new long[steps * steps], (long) steps * steps));
            }
            float[] images = s.run(feeds).get(ModelGraphs.IMAGE).toFloatArray();
            ImageGrid.write(png, ImageBatch.ofFloats(images, steps * steps, shape.channels(), shape.height(),
                    shape.width()), new GridLayout(steps, 1, 0));
        }
    }

    private static GridLayout layout(int columns, ImageShape shape) {
        int scale = shape.height() <= 32 ? 2 : 1;
        return new GridLayout(columns, scale, 2);
    }
}
