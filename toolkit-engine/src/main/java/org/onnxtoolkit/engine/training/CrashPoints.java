package org.onnxtoolkit.engine.training;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * <b>Test hook</b> for the crash-and-resume tests: lets a test stop a training process at an exact point of
 * its run folder's life, which a timed {@code kill -9} can only hit by chance. Off unless one of two system
 * properties is set, so a normal run pays one string comparison per named point.
 *
 * <ul>
 *   <li>{@code -Dtoolkit.test.haltAt=STAGE}: when the trainer reaches {@code STAGE}, the JVM stops at once
 *   with {@link Runtime#halt} (exit code 137, as after SIGKILL): no shutdown hook, no finally block, no
 *   flush, exactly what a kill or a power cut leaves behind. With {@code -Dtoolkit.test.haltOnce=FILE} too,
 *   only the first process to create {@code FILE} halts (the data-parallel tests kill one Spark executor this
 *   way, in the middle of its task, and let the retry pass the same stage).</li>
 *   <li>{@code -Dtoolkit.test.pauseAt=STAGE}: when the trainer reaches {@code STAGE} it prints
 *   {@value #PAUSED} followed by the stage on stderr and waits until a line (or end of input) arrives on
 *   stdin, so that a test can act on the run folder (fill the disk, start a second process) while this one
 *   holds its lock mid-run.</li>
 * </ul>
 *
 * <p>Stages, {@code E} an epoch and {@code B} a batch, both 1-based: {@code start} (run.json written, nothing
 * else), {@code train:E:B} (before the training step of batch B), {@code interrupt-checkpoint} (a stop was
 * requested, before its checkpoint), {@code evaluate:E} (after the first test batch), {@code pictures:E}
 * (samples written, reconstructions not), {@code metrics:E} (metrics.csv written, checkpoint not),
 * {@code checkpoint-temp:E} (the checkpoint complete in its temporary file, not renamed),
 * {@code checkpoint-renamed:E} (renamed, state.json still names the previous one), {@code state-written:E}
 * (state.json names it, older checkpoints not yet removed), the same three with {@code interrupt} for
 * {@code E} for the checkpoint written on Ctrl-C, {@code export} (the last checkpoint written, no
 * model), {@code export-decoder} (decoder.onnx written, encoder.onnx not), {@code export-encoder} (both
 * written, manifold.png and the completion mark not); {@code best-decoder}, {@code best-encoder}: the same for
 * {@code best/} after an epoch that is the best so far; {@code shard:E:B} (a data-parallel worker, before its
 * training step of batch B, see {@link ShardTraining}).
 */
public final class CrashPoints {
    /** The system property naming the stage at which to halt. */
    public static final String HALT_PROPERTY = "toolkit.test.haltAt";
    /** The system property naming a file: only the process that creates it halts at {@link #HALT_PROPERTY}. */
    public static final String HALT_ONCE_PROPERTY = "toolkit.test.haltOnce";
    /** The system property naming the stage at which to wait for a line on stdin. */
    public static final String PAUSE_PROPERTY = "toolkit.test.pauseAt";
    /** What a paused process prints on stderr before the stage name. */
    public static final String PAUSED = "toolkit: test hook: paused at ";
    /** The exit code of a halt, the same as a process killed by SIGKILL. */
    public static final int HALT_EXIT_CODE = 137;

    private static final String HALT_AT = System.getProperty(HALT_PROPERTY);
    private static final String PAUSE_AT = System.getProperty(PAUSE_PROPERTY);
    private static final String HALT_ONCE = System.getProperty(HALT_ONCE_PROPERTY);

    private CrashPoints() {
    }

    /** Called by the trainer at each named point; halts or pauses when a test asked for this stage. */
    public static void reached(String stage) {
        if (HALT_AT == null && PAUSE_AT == null) {
            return;
        }
        if (stage.equals(HALT_AT) && firstToHalt()) {
            System.err.println("toolkit: test hook: halting at " + stage);
            System.err.flush();
            Runtime.getRuntime().halt(HALT_EXIT_CODE);
        }
        if (stage.equals(PAUSE_AT)) {
            System.err.println(PAUSED + stage);
            System.err.flush();
            try {
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                // stdin closed or unreadable: carry on, as after the line the test would have sent.
            }
        }
    }

    /** Whether this process halts: always, or with {@link #HALT_ONCE_PROPERTY} when it is the first to. */
    private static boolean firstToHalt() {
        if (HALT_ONCE == null) {
            return true;
        }
        try {
            java.nio.file.Files.createFile(java.nio.file.Path.of(HALT_ONCE));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code name:epoch:batch}. */
    public static void reached(String name, int epoch, int batch) {
        if (HALT_AT != null || PAUSE_AT != null) {
            reached(name + ":" + epoch + ":" + batch);
        }
    }

    /** {@code name:epoch}. */
    public static void reached(String name, int epoch) {
        if (HALT_AT != null || PAUSE_AT != null) {
            reached(name + ":" + epoch);
        }
    }
}
