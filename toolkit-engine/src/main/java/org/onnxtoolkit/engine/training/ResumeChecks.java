package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunState;

/**
 * What {@code --resume} checks in a run folder before it trusts it, apart from what needs the data (see
 * {@link Trainer#resume}): {@code state.json} readable and consistent ({@link RunState}), its checkpoint a
 * plain file inside {@code checkpoints/} (no separator, no {@code ..}, no symbolic link), and that file's
 * bytes those whose SHA-256 {@code state.json} recorded. Reads only; call while holding the {@link RunLock}
 * so that no writer replaces files under the checks.
 */
public final class ResumeChecks {
    private static final Pattern EPOCH = Pattern.compile("epoch-(\\d{3,})(?:-batch-\\d+)?\\.ckpt");

    private ResumeChecks() {
    }

    /**
     * A checked {@code state.json}.
     *
     * @param state      the state
     * @param checkpoint the checkpoint it names, a regular file inside {@code checkpoints/}
     * @param verified   whether the checkpoint's SHA-256 was compared (false only for a {@code state.json}
     *                   of an earlier toolkit version, which recorded none)
     */
    public record CheckedState(RunState state, Path checkpoint, boolean verified) {
    }

    /**
     * Reads and checks {@code state.json} of a run folder.
     *
     * @return the checked state, or null when the run has none because it never completed its first epoch
     *         (it then starts again from its seed, which gives the same numbers)
     * @throws IOException       when {@code state.json} cannot be read or holds impossible values
     * @throws TrainingException when the checkpoint is missing, outside {@code checkpoints/}, or damaged
     */
    public static CheckedState readState(Path runDir) throws IOException {
        RunState state = RunDirectory.at(runDir).readState();
        Path dir = runDir.resolve(RunDirectory.CHECKPOINTS);
        if (state == null) {
            checkNoLaterCheckpoint(runDir, dir);
            return null;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new TrainingException("cannot resume: " + dir + (Files.isSymbolicLink(dir) ? " is a symbolic link;"
                    + " a run's checkpoints must be in a folder of its own" : " is missing or not a folder")
                    + " (the run folder is damaged)");
        }
        Path file = dir.resolve(state.checkpoint());
        if (Files.isSymbolicLink(file)) {
            throw new TrainingException("cannot resume: checkpoint " + file + " named in " + RunDirectory.STATE_JSON
                    + " is a symbolic link; a run's checkpoint must be a plain file inside its checkpoints/ folder");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new TrainingException("cannot resume: checkpoint " + file + " named in " + RunDirectory.STATE_JSON
                    + " is missing");
        }
        if (!file.toRealPath().getParent().equals(dir.toRealPath())) {
            throw new TrainingException("cannot resume: checkpoint " + file + " named in " + RunDirectory.STATE_JSON
                    + " lies outside " + dir);
        }
        if (state.checkpointSha256() == null) {
            return new CheckedState(state, file, false);
        }
        String actual = RunFiles.sha256(file);
        if (!actual.equals(state.checkpointSha256())) {
            throw new TrainingException("cannot resume: checkpoint " + file + " is damaged: its SHA-256 is "
                    + actual.substring(0, 12) + "... but " + RunDirectory.STATE_JSON + " recorded "
                    + state.checkpointSha256().substring(0, 12) + "... when it was written; nothing was changed"
                    + " (restore the run folder from a backup, or start a new run)");
        }
        return new CheckedState(state, file, true);
    }

    /**
     * A run without {@code state.json} may only be one killed in its first epoch (the first
     * {@code state.json} follows the first checkpoint by a moment); a checkpoint of a later epoch means the
     * file was lost, and starting again would throw the run's progress away.
     */
    private static void checkNoLaterCheckpoint(Path runDir, Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<String> later;
        try (Stream<Path> files = Files.list(dir)) {
            later = files.map(f -> f.getFileName().toString()).filter(name -> {
                Matcher m = EPOCH.matcher(name);
                return m.matches() && Integer.parseInt(m.group(1)) > 1;
            }).sorted().toList();
        }
        if (!later.isEmpty()) {
            throw new TrainingException("cannot resume: " + runDir.resolve(RunDirectory.STATE_JSON) + " is missing although "
                    + dir + " holds " + later.get(later.size() - 1) + " (the run folder is damaged; nothing was"
                    + " changed)");
        }
    }
}
