package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conv VAE on a folder of JPEG/PNG photos through the CLI, with a corrupt file among them. */
class ImageFolderIT {
    @TempDir
    Path tmp;

    private Path photos() throws IOException {
        Path dir = tmp.resolve("photos");
        Files.createDirectories(dir);
        for (int i = 0; i < 40; i++) {
            BufferedImage img = new BufferedImage(50 + i % 7, 60, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, ((x * 5 + i * 3) & 0xFF) << 16 | ((y * 4) & 0xFF) << 8 | ((x + y + i * 11) & 0xFF));
                }
            }
            ImageIO.write(img, i % 2 == 0 ? "jpg" : "png", dir.resolve(String.format("img%03d.%s", i, i % 2 == 0 ? "jpg" : "png")).toFile());
        }
        Files.write(dir.resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        return dir;
    }

    @Test
    void corruptImageStopsWithItsNameOrIsSkippedAndReported() throws IOException {
        Path dir = photos();
        String[] common = {"train", "--arch", "conv-vae", "-O", "channels=8,16", "-O", "latent=4", "--dataset",
                "image-folder", "--data-dir", dir.toString(), "--image-size", "32", "--epochs", "1", "--batch-size", "8",
                "-D", "cache-dir=" + tmp.resolve("cache")};
        Cli.Result stop = Cli.run(concat(common, "--out", tmp.resolve("a").toString()));
        assertTrue(stop.exitCode() != 0, stop.toString());
        assertTrue(stop.err().contains("broken.jpg"), stop.err());
        assertFalse(stop.err().contains("\tat "), stop.err());

        Cli.Result skip = Cli.run(concat(common, "--out", tmp.resolve("b").toString(), "--skip-corrupt"));
        assertEquals(0, skip.exitCode(), skip.toString());
        assertTrue(skip.out().contains("skipped 1 undecodable image: broken.jpg"), skip.out());
        assertTrue(skip.out().contains("(3x32x32"), skip.out());
        assertTrue(Files.readString(tmp.resolve("b/run.json")).contains("broken.jpg"), "the report keeps the skip");
        assertTrue(Files.isRegularFile(tmp.resolve("b/decoder.onnx")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
