package org.onnxtoolkit.plugins.datasets;

/** An image file's bytes cannot be decoded; the message says why in a few words, without the file name. */
final class UndecodableImageException extends Exception {
    private static final long serialVersionUID = 1L;

    UndecodableImageException(String reason) {
        super(reason);
    }

    UndecodableImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
