package org.onnxtoolkit.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pixel limit of the decoders: refused before decoding above it, on every path (libjpeg, Commons Imaging for JPEG
 * and PNG), decoded at it; the limit never changes the pixels or the version that names them.
 */
class PixelLimitTest {
    /** 40 x 30 = 1200 pixels each, one per decoding path. */
    private static final Map<String, byte[]> FILES = Map.of(
            "progressive JPEG (libjpeg)", ImageFixtures.jpeg(ImageFixtures.photo(40, 30, 1), 0.9f, true),
            "grey baseline JPEG (Commons Imaging)", ImageFixtures.jpeg(ImageFixtures.greyImage(40, 30, new int[1200])),
            "PNG (Commons Imaging)", ImageFixtures.png(ImageFixtures.photo(40, 30, 2)));

    @Test
    void picturesAboveTheLimitAreRefusedBeforeDecodingOnEveryPath() throws UndecodableImageException {
        for (Map.Entry<String, byte[]> file : FILES.entrySet()) {
            UndecodableImageException refused = assertThrows(UndecodableImageException.class,
                    () -> new PhotoDecoder(true, 1199).decode(file.getValue()), file.getKey());
            assertTrue(refused.getMessage().contains("declares a 40x30 image (at most 1199 pixels are decoded)"),
                    file.getKey() + ": " + refused.getMessage());
            RgbImage atLimit = new PhotoDecoder(true, 1200).decode(file.getValue());
            RgbImage byDefault = new PhotoDecoder().decode(file.getValue());
            assertEquals(40, atLimit.width(), file.getKey());
            assertArrayEquals(byDefault.rgb(), atLimit.rgb(),
                    file.getKey() + ": the limit does not change the pixels");
        }
        assertEquals(new PhotoDecoder().version(), new PhotoDecoder(true, 1200).version());
        assertEquals(new PhotoDecoder(false).version(), new PhotoDecoder(true, 1200).withExifOrientation(false).version());
        assertThrows(UndecodableImageException.class, () -> new PhotoDecoder(true, 1199).withExifOrientation(false)
                .decode(FILES.get("PNG (Commons Imaging)")), "the limit survives withExifOrientation");
    }
}
