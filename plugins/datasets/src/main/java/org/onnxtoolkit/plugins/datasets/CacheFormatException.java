package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;

/** A decoded-image cache file is not in the expected format: truncated, another version, or damaged. */
final class CacheFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    CacheFormatException(String message) {
        super(message);
    }

    CacheFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
