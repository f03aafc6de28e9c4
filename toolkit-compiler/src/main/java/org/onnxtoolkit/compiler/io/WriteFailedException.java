package org.onnxtoolkit.compiler.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A write of {@link AtomicFiles} failed; the message is {@code "cannot write TARGET: REASON"}. The target is
 * untouched and no temporary file is left. Callers that say more (what to do next) build their own sentence
 * from {@link #target()} and {@link #reason()} rather than nesting this message in theirs.
 */
public final class WriteFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path target;
    private final String reason;

    WriteFailedException(Path target, String reason, IOException cause) {
        super("cannot write " + target + ": " + reason, cause);
        this.target = target;
        this.reason = reason;
    }

    /** @return the file that was being written */
    public Path target() {
        return target;
    }

    /** @return why, in words a user can act on ({@code "no space left on device; free some space ..."}) */
    public String reason() {
        return reason;
    }
}
