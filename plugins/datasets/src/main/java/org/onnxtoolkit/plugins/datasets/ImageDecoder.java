package org.onnxtoolkit.plugins.datasets;

/**
 * Turns the bytes of one image file into packed sRGB pixels. Implementations are thread-safe.
 */
interface ImageDecoder {
    /**
     * Names the decoder and its version; part of every cache key, so change it whenever the pixels decoded
     * from some file may change.
     */
    String version();

    /**
     * Decodes one image file.
     *
     * @param bytes the whole file
     * @throws UndecodableImageException if the bytes are not an image this decoder supports (corrupt,
     *                                   truncated, another format, an unsupported variant)
     */
    RgbImage decode(byte[] bytes) throws UndecodableImageException;
}
