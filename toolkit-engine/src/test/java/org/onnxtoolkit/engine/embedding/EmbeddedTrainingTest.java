package org.onnxtoolkit.engine.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.api.graph.Graph;
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
import org.onnxtoolkit.engine.run.RunState;
import org.onnxtoolkit.engine.training.Trainer;
import org.onnxtoolkit.engine.training.TrainingContext;
import org.onnxtoolkit.engine.training.TrainingListener;

/**
 * A Java application that trains a model with the engine alone: the test class path holds only toolkit-api,
 * toolkit-compiler and toolkit-engine with their third-party libraries (ONNX Runtime, JavaCPP, protobuf,
 * flatbuffers, Jackson) and JUnit; no picocli, Weld, XChart or Commons Imaging, which the test checks. The
 * model, objective and data are defined here, in a package of their own, through public API only; this is
 * the code {@code docs/embedding.md} shows.
 */
class EmbeddedTrainingTest {

    private static final ImageShape SHAPE = new ImageShape(1, 4, 4);

    @TempDir
    Path tmp;

    /** A tiny VAE: 16 pixels, one hidden layer of 32 on each side, 2 latent dimensions, sigmoid output. */
    static final class TinyVae implements LatentModel {
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
            return new TreeMap<>(Map.of("architecture", "tiny-vae", "hidden", "32", "latent", "2"));
        }

        @Override
        public Encoding encode(Graph g, Value x) {
            try (var s = g.scope("encoder")) {
                Value h = Layers.linear(g, "fc", x.reshape(-1, SHAPE.size()), 32).relu();
                return new Encoding(Layers.linear(g, "mu", h, 2), Layers.linear(g, "logvar", h, 2));
            }
        }

        @Override
        public Decoding decode(Graph g, Value z) {
            try (var s = g.scope("decoder")) {
                Value h = Layers.linear(g, "fc", z, 32).relu();
                Value logits = Layers.linear(g, "out", h, SHAPE.size()).reshape(-1, 1, 4, 4);
                return new Decoding(logits, logits.sigmoid(), OutputActivation.SIGMOID);
            }
        }
    }

    /** Bernoulli reconstruction (BCE from logits, summed over pixels) plus the KL term, nats per image. */
    @PluginId("bce-kl-inline")
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

    /** {@code n} 4x4 grey images in memory: a bright row (label 0) or column (label 1) on a dim background. */
    record Bars(byte[] pixels, int[] labels) implements ImageSplit {
        static Bars draw(int n, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            byte[] pixels = new byte[n * SHAPE.size()];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = rng.nextInt(2);
                int line = rng.nextInt(4);
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        boolean on = labels[i] == 0 ? r == line : c == line;
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
    }

    @Test
    void theClassPathHoldsNoApplicationLibrary() {
        for (String name : List.of("picocli.CommandLine", "org.jboss.weld.environment.se.Weld",
                "jakarta.enterprise.inject.spi.CDI", "org.knowm.xchart.XYChart", "org.apache.commons.imaging.Imaging",
                "org.onnxtoolkit.runtime.cli.ToolkitCli")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name + " is on the class path");
        }
    }

    @Test
    void aJavaApplicationTrainsAModelIntoARunFolder() throws IOException {
        // What the application writes: the model, the data, the settings, and the trainer.
        ModelGraphs graphs = new ModelGraphs(new TinyVae(), new BceKl(), PluginOptions.of("bce-kl-inline",
                List.of(), Map.of()));
        TrainingArtifacts artifacts = ArtifactResolver.compile(graphs);
        DatasetSplits data = new DatasetSplits(Bars.draw(2048, 1), Bars.draw(128, 2), "bars-2048-128-seeds-1-2",
                List.of(), List.of("row", "column"));
        RunConfig config = new RunConfig("tiny-vae", new TreeMap<>(), "bars", null, new TreeMap<>(),
                "bce-kl-inline", 10, 32, 0.01, 1.0, 7, "cpu", 1, 0, 0, null);
        Path folder = Files.createDirectories(tmp.resolve("run"));
        List<EpochMetrics> seen = new ArrayList<>();
        Trainer.Result result;
        try (RunLock lock = RunLock.acquire(folder)) {
            result = Trainer.builder(config, graphs, artifacts, data)
                    .provenance(Map.of(RunRecord.DATASET_FINGERPRINT, data.fingerprint(), "application", "embedded-test"))
                    .session(SessionConfig.cpu().withIntraOpThreads(1))
                    .runDirectory(RunDirectory.at(folder))
                    .observer(new TrainingListener() {
                        @Override
                        public void epochDone(EpochDone event, TrainingContext context) {
                            seen.add(event.metrics());
                        }
                    })
                    .build()
                    .start();
        }

        // The result and the events.
        assertEquals(folder, result.runDirectory());
        assertEquals(10, result.completedEpochs());
        assertFalse(result.interrupted());
        assertEquals(10, seen.size());
        EpochMetrics first = seen.get(0);
        EpochMetrics last = seen.get(9);
        assertEquals(last, result.last());
        seen.forEach(m -> System.out.println("embedded: epoch " + m.epoch() + " test negative ELBO " + m.testNegElbo()));
        assertTrue(last.testNegElbo() < first.testNegElbo(),
                "test negative ELBO fell: " + first.testNegElbo() + " -> " + last.testNegElbo());
        // Pixels drawn independently, each with its mean intensity (0.28), cost 16 * 0.595 = 9.5 nats per image;
        // below 8 the model knows where the bars are.
        assertTrue(last.testNegElbo() < 8, "test negative ELBO " + last.testNegElbo());

        // The run folder: run.json, state.json, metrics.csv, the checkpoint, the artifacts and the models.
        RunDirectory run = RunDirectory.at(folder);
        RunRecord record = run.readRecord();
        assertEquals(config, record.config());
        assertEquals("embedded-test", record.provenance().get("application"));
        assertEquals(graphs.configuration(), record.modelConfiguration());
        assertEquals(artifacts.manifest().fingerprint(), record.artifactsFingerprint());
        assertEquals(List.of("row", "column"), record.dataset().classes());
        RunState state = run.readState();
        assertEquals(10, state.completedEpochs());
        assertEquals(Boolean.TRUE, state.complete());
        assertEquals(10 * 2048 / 32, state.step());
        assertEquals(seen, state.history());
        assertTrue(Files.isRegularFile(run.checkpoints().resolve(state.checkpoint())));
        List<String> csv = Files.readAllLines(run.metricsCsv());
        assertEquals(11, csv.size(), String.join("\n", csv));
        assertEquals(RunDirectory.METRICS_HEADER, csv.get(0));
        assertArrayEquals(RunDirectory.metricsCsv(seen), Files.readAllBytes(run.metricsCsv()));
        assertTrue(Files.isRegularFile(run.artifacts().resolve(TrainingArtifacts.TRAINING_MODEL)));
        for (String picture : List.of(RunDirectory.LOSS_PNG, RunDirectory.samplesPng(1))) {
            assertFalse(Files.exists(run.file(picture)), "pictures are the application's: " + picture);
        }

        // decoder.onnx: z [N, 2] to image [N, 1, 4, 4] in [0, 1]; encoder.onnx: x to mu and logvar [N, 2].
        try (InferenceSession decoder = InferenceSession.open(run.decoder(), SessionConfig.cpu());
                InferenceSession encoder = InferenceSession.open(run.encoder(), SessionConfig.cpu())) {
            assertEquals(List.of(ModelGraphs.Z), decoder.inputNames());
            Tensor image = decoder.run(Map.of(ModelGraphs.Z, Tensor.of(new float[] {0, 0, 1, -1, -2, 2}, 3, 2)))
                    .get(ModelGraphs.IMAGE);
            assertArrayEquals(new long[] {3, 1, 4, 4}, image.shape());
            for (float v : image.toFloatArray()) {
                assertTrue(v >= 0 && v <= 1, "pixel " + v);
            }
            // Every test image encoded, its posterior mean decoded: the bright pixels come back where the bar is.
            Bars test = (Bars) data.test();
            int n = test.size();
            float[] x = new float[n * 16];
            for (int i = 0; i < x.length; i++) {
                x[i] = Byte.toUnsignedInt(test.pixels()[i]) / 255f;
            }
            var encoded = encoder.run(Map.of(ModelGraphs.X, Tensor.of(x, n, 1, 4, 4)));
            assertEquals(List.of(ModelGraphs.MU, ModelGraphs.LOGVAR), encoded.names());
            assertArrayEquals(new long[] {n, 2}, encoded.get(ModelGraphs.MU).shape());
            float[] recon = decoder.run(Map.of(ModelGraphs.Z, encoded.get(ModelGraphs.MU))).get(ModelGraphs.IMAGE)
                    .toFloatArray();
            int right = 0;
            for (int i = 0; i < n; i++) {
                boolean same = true;
                for (int p = i * 16; p < (i + 1) * 16; p++) {
                    same &= (x[p] > 0.5f) == (recon[p] > 0.5f);
                }
                right += same ? 1 : 0;
            }
            System.out.println("embedded: " + right + " of " + n + " test bars reconstructed");
            assertTrue(right >= 0.9 * n, right + " of " + n + " test bars reconstructed");
        }
    }
}
