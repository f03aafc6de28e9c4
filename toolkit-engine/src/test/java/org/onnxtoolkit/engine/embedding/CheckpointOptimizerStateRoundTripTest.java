package org.onnxtoolkit.engine.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.compiler.checkpoint.CheckpointWriter;
import org.onnxtoolkit.compiler.checkpoint.OptimizerGroupState;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.training.ShardTraining;

/**
 * {@link CheckpointWriter}'s optimizer groups against ONNX Runtime: a checkpoint ORT saved with Adam's state is
 * read, written again by our writer, loaded by ORT, saved by ORT and read again: every parameter, moment, step and
 * property is the same; and training on from our checkpoint takes the same steps as training on from ORT's
 * (so ORT uses the moments and step we wrote, not fresh ones).
 */
class CheckpointOptimizerStateRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void ortLoadsOurOptimizerGroupsAndSavesThemUnchanged() throws IOException {
        ModelGraphs graphs = new ModelGraphs(new EmbeddedTrainingTest.TinyVae(), new EmbeddedTrainingTest.BceKl(),
                PluginOptions.of("bce-kl-inline", List.of(), Map.of()));
        TrainingArtifacts artifacts = ArtifactResolver.compile(graphs);
        EmbeddedTrainingTest.Bars bars = EmbeddedTrainingTest.Bars.draw(256, 3);
        RunConfig config = new RunConfig("tiny-vae", new TreeMap<>(), "bars", null, new TreeMap<>(), "bce-kl-inline",
                1, 32, 0.01, 1.0, 7, "cpu", 1, 0, 0, null);
        SessionConfig one = SessionConfig.cpu().withIntraOpThreads(1);
        byte[] initial = artifacts.initialCheckpoint(7, Map.of("origin", "round-trip-test"));

        // ORT's own checkpoint after 3 Adam steps.
        byte[] ort = ShardTraining.train(initial, artifacts, config, bars, one, 1, new int[] {0, 1, 2}, 0, 0).checkpoint();
        CheckpointContents read = CheckpointReader.read(ort, "ORT's checkpoint");
        assertEquals(1, read.optimizerGroups().size());
        OptimizerGroupState group = read.optimizerGroups().get(0);
        assertEquals(3, group.step());
        assertEquals(read.trainableParameters().size(), group.parameterStates().size());
        assertEquals(2, group.parameterStates().get(0).momentums().size());

        // Ours: the same contents through CheckpointWriter.
        CheckpointWriter writer = new CheckpointWriter().addTrainable(read.trainableParameters())
                .addFrozen(read.frozenParameters()).addOptimizerGroup(group);
        read.stringProperties().forEach(writer::addProperty);
        read.intProperties().forEach(writer::addProperty);
        read.floatProperties().forEach(writer::addProperty);
        byte[] ours = writer.toBytes();
        assertEquals(read, CheckpointReader.read(ours, "our checkpoint"));

        // ORT loads ours, takes no step and saves: what it saved is what we wrote. Zero batches: open, save.
        byte[] resaved = ShardTraining.train(ours, artifacts, config, bars, one, 1, new int[0], 0, 3).checkpoint();
        CheckpointContents again = CheckpointReader.read(resaved, "ORT's save of our checkpoint");
        assertEquals(read.trainableParameters(), again.trainableParameters());
        assertEquals(read.optimizerGroups(), again.optimizerGroups());
        assertEquals("round-trip-test", again.stringProperties().get("origin"));

        // Training on from ours and from ORT's takes identical steps: ORT continues from our moments and step.
        var fromOrt = ShardTraining.train(ort, artifacts, config, bars, one, 1, new int[] {3, 4}, 0, 3);
        var fromOurs = ShardTraining.train(ours, artifacts, config, bars, one, 1, new int[] {3, 4}, 0, 3);
        assertEquals(fromOrt.batches().get(1).loss(), fromOurs.batches().get(1).loss());
        CheckpointContents a = CheckpointReader.read(fromOrt.checkpoint(), "a");
        CheckpointContents b = CheckpointReader.read(fromOurs.checkpoint(), "b");
        assertEquals(a.trainableParameters(), b.trainableParameters());
        assertEquals(5, b.optimizerGroups().get(0).step());
        // And without the optimizer group (fresh moments, step 0), the same two steps end elsewhere.
        CheckpointWriter bare = new CheckpointWriter().addTrainable(read.trainableParameters())
                .addFrozen(read.frozenParameters());
        var fromBare = ShardTraining.train(bare.toBytes(), artifacts, config, bars, one, 1, new int[] {3, 4}, 0, 3);
        assertTrue(!CheckpointReader.read(fromBare.checkpoint(), "c").trainableParameters()
                .equals(a.trainableParameters()), "the optimizer state made no difference");
    }
}
