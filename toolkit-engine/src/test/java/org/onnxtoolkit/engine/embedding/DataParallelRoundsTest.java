package org.onnxtoolkit.engine.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.checkpoint.CheckpointAverage;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunLock;
import org.onnxtoolkit.engine.run.RunRecord;
import org.onnxtoolkit.engine.run.RunState;
import org.onnxtoolkit.engine.training.EpochRounds;
import org.onnxtoolkit.engine.training.ResumeChecks;
import org.onnxtoolkit.engine.training.ShardTraining;
import org.onnxtoolkit.engine.training.Trainer;

/**
 * Data-parallel training through the trainer's round hook ({@link EpochRounds}) with the engine's own pieces and
 * no cluster: workers are {@link ShardTraining} calls in this JVM, their checkpoints combined by
 * {@link CheckpointAverage}, as {@code train --spark} does on Spark's executors.
 */
class DataParallelRoundsTest {
    private static final int EPOCHS = 3;

    @TempDir
    Path tmp;

    private final ModelGraphs graphs = new ModelGraphs(new EmbeddedTrainingTest.TinyVae(),
            new EmbeddedTrainingTest.BceKl(), PluginOptions.of("bce-kl-inline", List.of(), Map.of()));
    private final TrainingArtifacts artifacts = ArtifactResolver.compile(graphs);
    private final DatasetSplits data = new DatasetSplits(EmbeddedTrainingTest.Bars.draw(1000, 1),
            EmbeddedTrainingTest.Bars.draw(128, 2), "bars-1000-128-seeds-1-2", List.of(), List.of("row", "column"));
    private final RunConfig config = new RunConfig("tiny-vae", new TreeMap<>(), "bars", null, new TreeMap<>(),
            "bce-kl-inline", EPOCHS, 32, 0.01, 1.0, 7, "cpu", 1, 0, 0, null);
    private final SessionConfig oneThread = SessionConfig.cpu().withIntraOpThreads(1);

    /** Rounds of {@code workers} shares of {@code syncEvery} batches each, trained one after the other here. */
    private final class InProcessRounds implements EpochRounds {
        final int workers;
        final int syncEvery;
        int rounds;

        InProcessRounds(int workers, int syncEvery) {
            this.workers = workers;
            this.syncEvery = syncEvery;
        }

        @Override
        public int batchesPerRound() {
            return workers * syncEvery;
        }

        @Override
        public Round train(byte[] checkpoint, int epoch, int firstBatch, int count, long stepBefore)
                throws IOException {
            rounds++;
            List<CheckpointContents> states = new ArrayList<>();
            List<Batch> batches = new ArrayList<>();
            for (int w = 0; w < Math.min(workers, count); w++) {
                List<Integer> share = new ArrayList<>();
                for (int b = firstBatch + w; b < firstBatch + count; b += workers) {
                    share.add(b);
                }
                ShardTraining.Result r = ShardTraining.train(checkpoint, artifacts, config, data.train(), oneThread,
                        epoch, share.stream().mapToInt(Integer::intValue).toArray(), firstBatch, stepBefore);
                states.add(CheckpointReader.read(r.checkpoint(), "worker " + w));
                batches.addAll(r.batches());
            }
            batches.sort(Comparator.comparingInt(Batch::batch));
            return new Round(CheckpointAverage.of(states), batches);
        }
    }

    private Trainer.Builder trainer(Path folder, RunConfig c) {
        return Trainer.builder(c, graphs, artifacts, data)
                .provenance(Map.of(RunRecord.DATASET_FINGERPRINT, data.fingerprint()))
                .session(oneThread).runDirectory(RunDirectory.at(folder));
    }

    private RunState run(Path folder, InProcessRounds rounds) throws IOException {
        Files.createDirectories(folder);
        try (RunLock lock = RunLock.acquire(folder)) {
            Trainer.Builder b = trainer(folder, config);
            if (rounds != null) {
                b.rounds(rounds);
            }
            b.build().start();
        }
        return RunDirectory.at(folder).readState();
    }

    private static CheckpointContents lastCheckpoint(Path folder) throws IOException {
        RunDirectory run = RunDirectory.at(folder);
        return CheckpointReader.read(run.checkpoints().resolve(run.readState().checkpoint()));
    }

    @Test
    void oneWorkerInRoundsTrainsExactlyAsTheLocalRun() throws IOException {
        RunState local = run(tmp.resolve("local"), null);
        InProcessRounds rounds = new InProcessRounds(1, 5);
        RunState parallel = run(tmp.resolve("rounds"), rounds);

        // 1000 images in batches of 32: 32 batches per epoch, rounds of 5: 7 rounds per epoch.
        assertEquals(EPOCHS * 7, rounds.rounds);
        assertEquals(local.step(), parallel.step());
        assertEquals(EPOCHS, parallel.history().size());
        for (int e = 0; e < EPOCHS; e++) {
            EpochMetrics a = local.history().get(e);
            EpochMetrics b = parallel.history().get(e);
            // Bit for bit: same batches, noise, rates; the checkpoint round trips lose nothing.
            assertEquals(a.trainLoss(), b.trainLoss(), "epoch " + (e + 1));
            assertEquals(a.testNegElbo(), b.testNegElbo(), "epoch " + (e + 1));
            assertEquals(a.testLoss(), b.testLoss(), "epoch " + (e + 1));
        }
        CheckpointContents x = lastCheckpoint(tmp.resolve("local"));
        CheckpointContents y = lastCheckpoint(tmp.resolve("rounds"));
        assertEquals(x.trainableParameters(), y.trainableParameters());
        assertEquals(x.optimizerGroups(), y.optimizerGroups());
        assertEquals(EPOCHS * 32L, y.optimizerGroups().get(0).step());
    }

    @Test
    void twoWorkersAverageTheirStatesAndTheRunFolderResumesLocally() throws IOException {
        Path folder = tmp.resolve("two");
        InProcessRounds rounds = new InProcessRounds(2, 4);
        RunState state = run(folder, rounds);

        // 32 batches per epoch, rounds of 8 (2 workers x 4 steps): 4 rounds per epoch.
        assertEquals(EPOCHS * 4, rounds.rounds);
        assertEquals(EPOCHS * 32L, state.step());
        assertEquals(Boolean.TRUE, state.complete());
        List<EpochMetrics> h = state.history();
        h.forEach(m -> System.out.println("two workers: epoch " + m.epoch() + " test negative ELBO " + m.testNegElbo()));
        assertTrue(h.get(EPOCHS - 1).testNegElbo() < h.get(0).testNegElbo(), h.toString());
        RunDirectory run = RunDirectory.at(folder);
        assertTrue(Files.isRegularFile(run.decoder()) && Files.isRegularFile(run.encoder()));
        assertEquals(EPOCHS + 1, Files.readAllLines(run.metricsCsv()).size());
        // Each worker took 4 Adam steps per round: the averaged state counts steps per round, not batches.
        CheckpointContents last = lastCheckpoint(folder);
        assertEquals(EPOCHS * 4 * 4L, last.optimizerGroups().get(0).step());
        NamedTensor m = last.optimizerGroups().get(0).parameterStates().get(0).momentums().get(0);
        assertNotEquals(0f, m.get(0), "the averaged first moment is there");

        // The run folder is an ordinary one: a local --resume continues it for one more epoch.
        RunConfig more = new RunConfig(config.architecture(), config.architectureOptions(), config.dataset(),
                config.dataDir(), config.datasetOptions(), config.objective(), EPOCHS + 1, config.batchSize(),
                config.learningRate(), config.klWeight(), config.seed(), config.device(), config.threads(), 0, 0, null);
        try (RunLock lock = RunLock.acquire(folder)) {
            trainer(folder, more).build().resume(run.readRecord(), ResumeChecks.readState(folder), false);
        }
        RunState resumed = run.readState();
        assertEquals(EPOCHS + 1, resumed.completedEpochs());
        assertEquals(h, resumed.history().subList(0, EPOCHS));
        assertEquals(EPOCHS * 4 * 4L + 32, lastCheckpoint(folder).optimizerGroups().get(0).step());
    }

    @Test
    void aShareIsAPureFunctionOfItsInputs() throws IOException {
        byte[] initial = artifacts.initialCheckpoint(7);
        int[] share = {1, 3, 5};
        ShardTraining.Result a = ShardTraining.train(initial, artifacts, config, data.train(), oneThread, 2, share, 0, 32);
        ShardTraining.Result b = ShardTraining.train(initial, artifacts, config, data.train(), oneThread, 2, share, 0, 32);
        assertEquals(CheckpointReader.read(a.checkpoint(), "a").trainableParameters(),
                CheckpointReader.read(b.checkpoint(), "b").trainableParameters());
        assertEquals(3, a.batches().size());
        assertArrayEquals(new int[] {1, 3, 5}, a.batches().stream().mapToInt(EpochRounds.Batch::batch).toArray());
        for (int i = 0; i < 3; i++) {
            assertEquals(a.batches().get(i).loss(), b.batches().get(i).loss());
        }
    }
}
