package org.onnxtoolkit.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.nn.Layers;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.ObjectiveTerms;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.OutputActivation;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunLock;
import org.onnxtoolkit.engine.run.RunRecord;

/**
 * A class-conditional VAE trained by the {@link Trainer}: the labels reach the training and eval models, the
 * exported {@code decoder.onnx} takes {@code (z, label)} and {@code encoder.onnx} {@code (x, label)}, the label
 * really steers the decoder, and the run and artifacts record that the model is conditional.
 *
 * <p>The data: 4x4 grey images of four classes, a bright bar in row 0 or 1 (class 0), row 2 or 3 (class 1),
 * column 0 or 1 (class 2), column 2 or 3 (class 3); which of the two lines is drawn is left to the latent
 * vector. The class means differ, so a decoded image can be classified by its nearest class mean.
 */
class ConditionalTrainingTest {
    private static final ImageShape SHAPE = new ImageShape(1, 4, 4);
    private static final List<String> CLASSES = List.of("top", "bottom", "left", "right");

    @TempDir
    Path tmp;

    /** 16-32-2 on each side; the one-hot class joins the pixels and the latent vector. */
    static final class TinyConditionalVae implements LatentModel {
        @Override
        public ImageShape imageShape() {
            return SHAPE;
        }

        @Override
        public int latentSize() {
            return 2;
        }

        @Override
        public SortedMap<String, String> configuration() {
            return new TreeMap<>(Map.of("architecture", "tiny-cvae", "hidden", "32", "latent", "2"));
        }

        @Override
        public boolean conditionable() {
            return true;
        }

        @Override
        public Encoding encode(Graph g, Value x) {
            return encode(g, x, null);
        }

        @Override
        public Decoding decode(Graph g, Value z) {
            return decode(g, z, null);
        }

        @Override
        public Encoding encode(Graph g, Value x, Value condition) {
            try (var s = g.scope("encoder")) {
                Value flat = x.reshape(-1, SHAPE.size());
                Value in = condition == null ? flat : g.concat(List.of(flat, condition), 1);
                Value h = Layers.linear(g, "fc", in, 32).relu();
                return new Encoding(Layers.linear(g, "mu", h, 2), Layers.linear(g, "logvar", h, 2));
            }
        }

        @Override
        public Decoding decode(Graph g, Value z, Value condition) {
            try (var s = g.scope("decoder")) {
                Value in = condition == null ? z : g.concat(List.of(z, condition), 1);
                Value h = Layers.linear(g, "fc", in, 32).relu();
                Value logits = Layers.linear(g, "out", h, SHAPE.size()).reshape(-1, 1, 4, 4);
                return new Decoding(logits, logits.sigmoid(), OutputActivation.SIGMOID);
            }
        }
    }

    /** Bernoulli reconstruction (BCE from logits, summed over pixels) plus the KL term, nats per image. */
    @PluginId("bce-kl-test")
    static final class BceKl implements Objective {
        @Override
        public List<OptionSpec> options() {
            return List.of();
        }

        @Override
        public ObjectiveTerms build(Graph g, LatentModel model, Value x, Value klWeight, PluginOptions options) {
            Encoding e = model.encode(g, x);
            Value z = e.mu().add(e.logvar().mul(0.5f).exp().mul(g.randomNormalLike(e.mu())));
            Value logits = model.decode(g, z).preActivation();
            Value recon = logits.softplus().sub(x.mul(logits)).sum(1, 2, 3).mean(0);
            Value kl = e.logvar().add(1f).sub(e.mu().mul(e.mu())).sub(e.logvar().exp()).sum(1).mean(0).mul(-0.5f);
            return new ObjectiveTerms(recon.add(kl.mul(klWeight)), recon, kl, recon.add(kl));
        }
    }

    /** Images of the four classes of the class comment, with noise. */
    record Bars(byte[] pixels, int[] labels) implements ImageSplit {
        static Bars draw(int n, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            byte[] pixels = new byte[n * SHAPE.size()];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                int k = rng.nextInt(4);
                labels[i] = k;
                int line = (k % 2) * 2 + rng.nextInt(2);
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        boolean on = k < 2 ? r == line : c == line;
                        pixels[i * 16 + r * 4 + c] = (byte) (on ? 230 + rng.nextInt(26) : rng.nextInt(30));
                    }
                }
            }
            return new Bars(pixels, labels);
        }

        @Override
        public ImageShape shape() {
            return SHAPE;
        }

        @Override
        public int size() {
            return labels.length;
        }

        @Override
        public void copyImage(int index, byte[] target, int offset) {
            System.arraycopy(pixels, index * SHAPE.size(), target, offset, SHAPE.size());
        }

        @Override
        public int label(int index) {
            return labels[index];
        }

        /** The mean image of each class, {@code [4][16]} in [0, 1]. */
        double[][] classMeans() {
            double[][] means = new double[4][16];
            int[] counts = new int[4];
            for (int i = 0; i < labels.length; i++) {
                counts[labels[i]]++;
                for (int p = 0; p < 16; p++) {
                    means[labels[i]][p] += Byte.toUnsignedInt(pixels[i * 16 + p]) / 255.0;
                }
            }
            for (int k = 0; k < 4; k++) {
                for (int p = 0; p < 16; p++) {
                    means[k][p] /= counts[k];
                }
            }
            return means;
        }
    }

    private static ModelGraphs graphs(List<String> classes) {
        return new ModelGraphs(new TinyConditionalVae(), new BceKl(), PluginOptions.of("bce-kl-test", List.of(),
                Map.of()), classes);
    }

    @Test
    void theGraphsTakeTheLabelAndTheConfigurationCountsTheClasses() {
        ModelGraphs conditional = graphs(CLASSES);
        ModelGraphs plain = graphs(List.of());
        assertEquals(List.of(ModelGraphs.Z, ModelGraphs.LABEL),
                conditional.decoderGraph().inputs().stream().map(Value::name).toList());
        assertEquals(List.of(ModelGraphs.X, ModelGraphs.LABEL),
                conditional.encoderGraph().inputs().stream().map(Value::name).toList());
        Value label = conditional.objectiveGraph(Phase.TRAINING).inputs().stream()
                .filter(v -> v.name().equals(ModelGraphs.LABEL)).findFirst().orElseThrow();
        assertEquals(DataType.INT64, label.type());
        assertEquals(Shape.of(Shape.BATCH), label.shape());
        assertEquals(List.of(ModelGraphs.Z), plain.decoderGraph().inputs().stream().map(Value::name).toList());
        assertEquals("4", conditional.configuration().get("conditional.classes"));
        assertEquals(null, plain.configuration().get("conditional.classes"));
        // The artifacts of the two are different models, so their fingerprints differ too.
        assertNotEquals(ArtifactResolver.compile(plain).manifest().fingerprint(),
                ArtifactResolver.compile(conditional).manifest().fingerprint());
    }

    @Test
    void oneHotIsExactInOnnxRuntimeAndZeroOutsideTheClasses() {
        Graph g = new Graph(Phase.INFERENCE);
        g.output("one_hot", Layers.oneHot(g, g.input("label", DataType.INT64, Shape.BATCH), 4));
        long[] labels = {0, 3, 1, 2, 4, -1};
        try (InferenceSession s = InferenceSession.open(ModelExport.inferenceModel(g, Map.of(), Map.of(), "one_hot"),
                SessionConfig.cpu())) {
            Tensor out = s.run(Map.of("label", Tensor.of(labels, labels.length))).get("one_hot");
            assertEquals(List.of(6L, 4L), java.util.Arrays.stream(out.shape()).boxed().toList());
            float[] v = out.toFloatArray();
            for (int i = 0; i < labels.length; i++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(labels[i] == k ? 1f : 0f, v[i * 4 + k], "label " + labels[i] + ", class " + k);
                }
            }
        }
    }

    @Test
    void aModelThatCannotBeConditionedIsRefused() {
        LatentModel conditionable = new TinyConditionalVae();
        // The same model without conditionable(): the default, false, as for a plugin that knows nothing of classes.
        LatentModel unconditionable = new LatentModel() {
            @Override
            public ImageShape imageShape() {
                return SHAPE;
            }

            @Override
            public int latentSize() {
                return 2;
            }

            @Override
            public SortedMap<String, String> configuration() {
                return new TreeMap<>(Map.of("architecture", "tiny-vae"));
            }

            @Override
            public Encoding encode(Graph g, Value x) {
                return conditionable.encode(g, x);
            }

            @Override
            public Decoding decode(Graph g, Value z) {
                return conditionable.decode(g, z);
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelGraphs(unconditionable,
                new BceKl(), PluginOptions.of("bce-kl-test", List.of(), Map.of()), CLASSES));
        assertEquals("--conditional: architecture tiny-vae cannot be conditioned on a class", e.getMessage());
    }

    @Test
    void aDatasetWithOtherClassesIsRefusedByTheTrainer() {
        ModelGraphs g = graphs(CLASSES);
        DatasetSplits unlabelled = new DatasetSplits(Bars.draw(8, 1), Bars.draw(8, 2), "bars");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(config(1), g,
                ArtifactResolver.compile(g), unlabelled).provenance(Map.of(RunRecord.DATASET_FINGERPRINT, "bars"))
                .runDirectory(RunDirectory.at(tmp)).build());
        assertEquals("the model is conditioned on 4 classes but the dataset has 0", e.getMessage());
    }

    @Test
    void aConditionalModelTrainsInDataParallelRoundsAsItDoesLocally() throws IOException {
        // train --spark runs ShardTraining on the executors: it must feed the labels as the trainer does. One
        // worker in rounds of 3 batches is the local run bit for bit.
        ModelGraphs graphs = graphs(CLASSES);
        TrainingArtifacts artifacts = ArtifactResolver.compile(graphs);
        DatasetSplits data = new DatasetSplits(Bars.draw(256, 1), Bars.draw(64, 2), "cbars-256-64-seeds-1-2", List.of(),
                CLASSES);
        RunConfig config = config(2);
        SessionConfig oneThread = SessionConfig.cpu().withIntraOpThreads(1);
        EpochRounds oneWorker = new EpochRounds() {
            @Override
            public int batchesPerRound() {
                return 3;
            }

            @Override
            public Round train(byte[] checkpoint, int epoch, int firstBatch, int count, long stepBefore)
                    throws IOException {
                int[] share = java.util.stream.IntStream.range(firstBatch, firstBatch + count).toArray();
                ShardTraining.Result r = ShardTraining.train(checkpoint, artifacts, config, data.train(), oneThread,
                        epoch, share, firstBatch, stepBefore);
                return new Round(r.checkpoint(), r.batches());
            }
        };
        List<org.onnxtoolkit.api.events.EpochMetrics> histories = new java.util.ArrayList<>();
        for (EpochRounds rounds : java.util.Arrays.asList(null, oneWorker)) {
            Path folder = Files.createDirectories(tmp.resolve(rounds == null ? "local" : "rounds"));
            try (RunLock lock = RunLock.acquire(folder)) {
                Trainer.Builder b = Trainer.builder(config, graphs, artifacts, data)
                        .provenance(Map.of(RunRecord.DATASET_FINGERPRINT, data.fingerprint()))
                        .session(oneThread).runDirectory(RunDirectory.at(folder));
                if (rounds != null) {
                    b.rounds(rounds);
                }
                b.build().start();
            }
            histories.addAll(RunDirectory.at(folder).readState().history());
        }
        assertEquals(4, histories.size());
        for (int e = 0; e < 2; e++) {
            assertEquals(histories.get(e).trainLoss(), histories.get(e + 2).trainLoss(), "epoch " + (e + 1));
            assertEquals(histories.get(e).testNegElbo(), histories.get(e + 2).testNegElbo(), "epoch " + (e + 1));
        }
    }

    private static RunConfig config(int epochs) {
        return new RunConfig("tiny-cvae", new TreeMap<>(), "bars", null, new TreeMap<>(), "bce-kl-test", epochs, 32,
                0.01, 1.0, 7, "cpu", 1, 0, 0, null, true);
    }

    @Test
    void theLabelSteersTheTrainedDecoder() throws IOException {
        ModelGraphs graphs = graphs(CLASSES);
        TrainingArtifacts artifacts = ArtifactResolver.compile(graphs);
        Bars train = Bars.draw(2048, 1);
        DatasetSplits data = new DatasetSplits(train, Bars.draw(256, 2), "cbars-2048-256-seeds-1-2", List.of(), CLASSES);
        RunConfig config = config(12);
        Path folder = Files.createDirectories(tmp.resolve("run"));
        try (RunLock lock = RunLock.acquire(folder)) {
            Trainer.builder(config, graphs, artifacts, data)
                    .provenance(Map.of(RunRecord.DATASET_FINGERPRINT, data.fingerprint()))
                    .session(SessionConfig.cpu().withIntraOpThreads(1))
                    .runDirectory(RunDirectory.at(folder))
                    .build()
                    .start();
        }
        RunDirectory run = RunDirectory.at(folder);
        RunRecord record = run.readRecord();
        assertTrue(record.config().conditional());
        assertEquals("4", record.modelConfiguration().get("conditional.classes"));
        assertEquals(CLASSES, record.dataset().classes());

        double[][] means = train.classMeans();
        int n = 400;
        float[] z = new float[n * 2];
        Seeds.gaussians(z, new SplittableRandom(3));
        try (InferenceSession decoder = InferenceSession.open(run.decoder(), SessionConfig.cpu())) {
            assertEquals(List.of(ModelGraphs.Z, ModelGraphs.LABEL), decoder.inputNames());
            int[] matches = new int[4];
            for (int k = 0; k < 4; k++) {
                long[] labels = new long[n];
                java.util.Arrays.fill(labels, k);
                float[] images = decoder.run(Map.of(ModelGraphs.Z, Tensor.of(z, n, 2), ModelGraphs.LABEL,
                        Tensor.of(labels, n))).get(ModelGraphs.IMAGE).toFloatArray();
                for (int i = 0; i < n; i++) {
                    matches[k] += nearestMean(images, i * 16, means) == k ? 1 : 0;
                }
            }
            System.out.println("conditional: prior samples classified as their label, per class: "
                    + java.util.Arrays.toString(matches) + " of " + n);
            // Chance is a quarter; the label, not z, must decide the class. A decoder that ignored the label would
            // draw the same n images for every label, so at most n matches in all, never 0.9 n for each of four.
            for (int k = 0; k < 4; k++) {
                assertTrue(matches[k] >= 0.9 * n, "class " + k + ": " + matches[k] + " of " + n
                        + " samples look like their class");
            }
        }
        try (InferenceSession encoder = InferenceSession.open(run.encoder(), SessionConfig.cpu())) {
            assertEquals(List.of(ModelGraphs.X, ModelGraphs.LABEL), encoder.inputNames());
        }
        String metadata = new String(Files.readAllBytes(run.decoder()), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(metadata.contains("[\"top\",\"bottom\",\"left\",\"right\"]"), "class names in decoder.onnx");
    }

    private static int nearestMean(float[] images, int offset, double[][] means) {
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int k = 0; k < means.length; k++) {
            double d = 0;
            for (int p = 0; p < 16; p++) {
                double diff = images[offset + p] - means[k][p];
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }
}
