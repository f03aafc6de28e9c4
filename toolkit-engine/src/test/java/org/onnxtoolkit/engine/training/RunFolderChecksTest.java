package org.onnxtoolkit.engine.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunFolderInUseException;
import org.onnxtoolkit.engine.run.RunLock;
import org.onnxtoolkit.engine.run.RunState;
import org.onnxtoolkit.engine.run.RunStateTest;

/**
 * The run-folder checks that need no model: the checkpoint a {@code state.json} names must be a plain file
 * inside {@code checkpoints/} whose bytes have the recorded SHA-256; the lock admits one holder and names it;
 * stale temporary files are recognised by the names {@link AtomicFiles} gives them and nothing else is
 * removed.
 */
class RunFolderChecksTest {
    @TempDir
    Path run;

    private Path checkpoints() throws IOException {
        return Files.createDirectories(run.resolve(RunDirectory.CHECKPOINTS));
    }

    /** A run stopped in epoch 3 whose checkpoint holds {@code bytes}, with their hash in state.json. */
    private Path interruptedRun(byte[] bytes) throws IOException {
        RunState s = RunStateTest.interrupted();
        Path file = checkpoints().resolve(s.checkpoint());
        Files.write(file, bytes);
        RunDirectory.writeJson(run.resolve(RunDirectory.STATE_JSON), s.withCheckpointSha256(RunFiles.sha256(file)));
        return file;
    }

    @Test
    void aCheckpointWithTheRecordedBytesIsAccepted() throws IOException {
        Path file = interruptedRun(new byte[] {1, 2, 3, 4});
        ResumeChecks.CheckedState checked = ResumeChecks.readState(run);
        assertTrue(checked.verified());
        assertEquals(file, checked.checkpoint());
        assertEquals("9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a", RunFiles.sha256(file),
                "SHA-256 of 01 02 03 04");
    }

    @Test
    void flippedBytesAreRefusedAndNothingChanges() throws IOException {
        byte[] bytes = new byte[4096];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        Path file = interruptedRun(bytes);
        byte[] damaged = bytes.clone();
        for (int i = 2000; i < 2016; i++) {
            damaged[i] ^= (byte) 0xFF;
        }
        Files.write(file, damaged);
        String state = Files.readString(run.resolve(RunDirectory.STATE_JSON));
        TrainingException e = assertThrows(TrainingException.class, () -> ResumeChecks.readState(run));
        assertTrue(e.getMessage().startsWith("cannot resume: checkpoint " + file + " is damaged: its SHA-256 is "),
                e.getMessage());
        assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
        assertEquals(state, Files.readString(run.resolve(RunDirectory.STATE_JSON)));
        assertArrayEquals(damaged, Files.readAllBytes(file));
    }

    @Test
    void aCheckpointThatIsASymbolicLinkOutOfTheFolderIsRefused() throws IOException {
        Path outside = Files.writeString(run.resolve("outside.bin"), "not a checkpoint");
        RunState s = RunStateTest.interrupted();
        Files.createSymbolicLink(checkpoints().resolve(s.checkpoint()), outside);
        RunDirectory.writeJson(run.resolve(RunDirectory.STATE_JSON), s);
        TrainingException e = assertThrows(TrainingException.class, () -> ResumeChecks.readState(run));
        assertTrue(e.getMessage().contains("is a symbolic link; a run's checkpoint must be a plain file inside its"
                + " checkpoints/ folder"), e.getMessage());
    }

    @Test
    void aCheckpointsFolderThatIsASymbolicLinkIsRefused() throws IOException {
        Path elsewhere = Files.createDirectories(run.resolve("elsewhere"));
        RunState s = RunStateTest.interrupted();
        Files.writeString(elsewhere.resolve(s.checkpoint()), "x");
        Files.createSymbolicLink(run.resolve(RunDirectory.CHECKPOINTS), elsewhere);
        RunDirectory.writeJson(run.resolve(RunDirectory.STATE_JSON), s);
        TrainingException e = assertThrows(TrainingException.class, () -> ResumeChecks.readState(run));
        assertTrue(e.getMessage().contains(RunDirectory.CHECKPOINTS + " is a symbolic link"), e.getMessage());
    }

    @Test
    void aMissingCheckpointIsNamed() throws IOException {
        checkpoints();
        RunDirectory.writeJson(run.resolve(RunDirectory.STATE_JSON), RunStateTest.interrupted());
        TrainingException e = assertThrows(TrainingException.class, () -> ResumeChecks.readState(run));
        assertTrue(e.getMessage().endsWith("epoch-003-batch-00004.ckpt named in state.json is missing"), e.getMessage());
    }

    @Test
    void anOlderStateWithoutAHashIsUsedUnverified() throws IOException {
        RunState s = RunStateTest.interrupted();
        Files.writeString(checkpoints().resolve(s.checkpoint()), "x");
        RunDirectory.writeJson(run.resolve(RunDirectory.STATE_JSON), s.withCheckpointSha256(null));
        assertFalse(ResumeChecks.readState(run).verified());
    }

    @Test
    void noStateIsAFreshStartOnlyWithinTheFirstEpoch() throws IOException {
        Files.writeString(checkpoints().resolve("initial.ckpt"), "x");
        Files.writeString(checkpoints().resolve("epoch-001.ckpt"), "x");
        assertNull(ResumeChecks.readState(run), "killed between the first checkpoint and the first state.json");
        Files.writeString(checkpoints().resolve("epoch-004.ckpt"), "x");
        TrainingException e = assertThrows(TrainingException.class, () -> ResumeChecks.readState(run));
        assertTrue(e.getMessage().contains("state.json is missing although"), e.getMessage());
        assertTrue(e.getMessage().contains("epoch-004.ckpt"), e.getMessage());
    }

    @Test
    void theLockAdmitsOneHolderAndNamesIt() throws IOException {
        try (RunLock held = RunLock.acquire(run)) {
            String line = Files.readString(run.resolve(RunLock.FILE));
            assertTrue(line.matches("pid=" + ProcessHandle.current().pid() + " host=\\S+ since=\\S+Z\n"), line);
            RunFolderInUseException e = assertThrows(RunFolderInUseException.class, () -> RunLock.acquire(run));
            assertTrue(e.getMessage().startsWith("run folder " + run + " is in use by another toolkit process (pid "
                    + ProcessHandle.current().pid() + " on "), e.getMessage());
            assertTrue(e.getMessage().contains("; wait until it ends"), e.getMessage());
            assertEquals(line, Files.readString(run.resolve(RunLock.FILE)), "the refused attempt wrote nothing");
        }
        RunLock.acquire(run).close();
    }

    @Test
    void aLockFileThatIsASymbolicLinkIsNotFollowed() throws IOException {
        Path victim = Files.writeString(run.resolve("victim.txt"), "keep me");
        Path folder = Files.createDirectories(run.resolve("folder"));
        Files.createSymbolicLink(folder.resolve(RunLock.FILE), victim);
        RunFolderInUseException e = assertThrows(RunFolderInUseException.class, () -> RunLock.acquire(folder));
        assertEquals("lock file " + folder.resolve(RunLock.FILE) + " is a symbolic link; a run's lock file is a plain"
                + " file (remove the link)", e.getMessage());
        assertEquals("keep me", Files.readString(victim));
    }

    @Test
    void staleTemporaryFilesAreThoseOfAtomicFilesAndNothingElse() throws IOException {
        Path ckpt = checkpoints();
        Path artifacts = Files.createDirectories(run.resolve(RunDirectory.ARTIFACTS));
        // Named exactly as AtomicFiles names them: its temporary file survives a kill during the write.
        Path[] stale = {Files.createTempFile(run, ".decoder.onnx.", ".tmp"),
                Files.createTempFile(ckpt, ".epoch-002.ckpt.", ".tmp"),
                Files.createTempFile(ckpt, "..epoch-002.ckpt.123.tmp.", ".tmp"),
                Files.createTempFile(artifacts, ".training_model.onnx.", ".tmp")};
        for (String name : List.of("run.lock", "decoder.onnx", ".hidden", "notes.tmp", ".x.tmp")) {
            Files.writeString(run.resolve(name), "keep");
        }
        Path deeper = Files.createDirectories(run.resolve("sub"));
        Set<String> kept = Set.of("run.lock", "decoder.onnx", ".hidden", "notes.tmp", ".x.tmp", "checkpoints",
                "artifacts", "sub");
        Path notOurs = Files.createTempFile(deeper, ".deep.", ".tmp");
        List<Path> removed = RunFiles.removeStaleTemporaryFiles(run);
        assertEquals(Set.of(stale), Set.copyOf(removed));
        for (Path p : stale) {
            assertFalse(Files.exists(p), p.toString());
        }
        try (Stream<Path> left = Files.list(run)) {
            assertEquals(kept, left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        assertTrue(Files.exists(notOurs), "only the run folder, checkpoints/ and artifacts/ are cleaned");
    }

    @Test
    void aFailedWriteNamesItsFileOnOneLine() {
        Path target = run.resolve("decoder.onnx");
        RunFiles.RunWriteFailedException e = assertThrows(RunFiles.RunWriteFailedException.class, () -> RunFiles.writing(target,
                () -> {
                    throw new FileSystemException(run.resolve(".decoder.onnx.1.tmp").toString(), null,
                            "No space left on device");
                }));
        assertEquals("could not write " + target + " (No space left on device)", e.getMessage());
    }
}
