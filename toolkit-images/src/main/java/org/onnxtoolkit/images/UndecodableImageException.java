package org.onnxtoolkit.images;

/** An image file's bytes cannot be decoded; the message says why in a few words, without the file name. */
public final class UndecodableImageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UndecodableImageException(String reason) {
        super(reason);
    }

    public UndecodableImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
