package org.onnxtoolkit.compiler.checkpoint;

import java.io.IOException;

/**
 * A checkpoint file that is not a valid ORT training checkpoint (flatbuffer with identifier "ODTC",
 * version 2). The message names the file and the problem, e.g.
 * {@code "checkpoint /runs/a/checkpoint: wrong file identifier: expected \"ODTC\" but found \"XXXX\""}.
 */
public final class CheckpointFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param source the file (or a description of the bytes) that was read
     * @param problem what was wrong, naming what was expected
     */
    public CheckpointFormatException(String source, String problem) {
        super("checkpoint " + source + ": " + problem);
    }

    /**
     * @param source the file (or a description of the bytes) that was read
     * @param problem what was wrong
     * @param cause the low-level failure, e.g. an out-of-bounds read
     */
    public CheckpointFormatException(String source, String problem, Throwable cause) {
        super("checkpoint " + source + ": " + problem, cause);
    }
}
