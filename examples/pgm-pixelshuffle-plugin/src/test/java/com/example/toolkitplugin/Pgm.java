package com.example.toolkitplugin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small PGM fixtures. */
final class Pgm {
    private Pgm() {
    }

    /** A binary (P5) file: {@code header} (ending in its single whitespace) followed by {@code raster}. */
    static byte[] binary(String header, int... raster) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        for (int v : raster) {
            out.write(v);
        }
        return out.toByteArray();
    }

    /** A well-formed P5 image with maxval 255. */
    static byte[] binary(int width, int height, int... raster) {
        return binary("P5\n" + width + " " + height + "\n255\n", raster);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }
}
