package org.onnxtoolkit.images;

/**
 * Turns the bytes of one image file into packed sRGB pixels. Implementations are thread-safe.
 */
public interface ImageDecoder {
    /**
     * Names the decoder, its version and its settings; part of every cache key, so change it whenever the
     * pixels decoded from some file may change.
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

    /**
     * Decodes one image file and says how: {@link DecodedImage#recipe()} names what made these pixels from
     * these bytes (which decoder, whether the image was turned), so that two folders decoded the same way have
     * the same fingerprint. By default the recipe is {@link #version()}.
     *
     * @throws UndecodableImageException as {@link #decode}
     */
    default DecodedImage decodeWithRecipe(byte[] bytes) throws UndecodableImageException {
        return new DecodedImage(decode(bytes), version());
    }

    /**
     * This decoder, turning images as their EXIF orientation says ({@code true}) or keeping the stored pixels
     * ({@code false}). Decoders that do not read orientations return themselves.
     */
    default ImageDecoder withExifOrientation(boolean apply) {
        return this;
    }

    /**
     * A decoded image and how it was made.
     *
     * @param image  the pixels
     * @param recipe names the decoder and any change made after decoding (such as turning by EXIF
     *               orientation); the same bytes with the same recipe give the same pixels
     */
    record DecodedImage(RgbImage image, String recipe) {
        public DecodedImage {
            java.util.Objects.requireNonNull(image, "image");
            java.util.Objects.requireNonNull(recipe, "recipe");
        }
    }
}
