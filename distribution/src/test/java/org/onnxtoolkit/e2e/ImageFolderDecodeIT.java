package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A photo folder as users have it, through the CLI: class subfolders holding progressive and
 * extended-sequential (SOF1) JPEGs, which Commons Imaging alone refused, and PNGs. The first run shows the
 * decode progress as plain lines (no terminal here); a later run reads the cache and shows none.
 */
class ImageFolderDecodeIT {
    @TempDir
    Path tmp;

    private static BufferedImage picture(int i) {
        BufferedImage img = new BufferedImage(48 + i % 5, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, ((x * 5 + i * 3) & 0xFF) << 16 | ((y * 4) & 0xFF) << 8 | ((x + y + i * 11) & 0xFF));
            }
        }
        return img;
    }

    private static byte[] jpeg(BufferedImage image, boolean progressive) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ImageWriteParam parameters = writer.getDefaultWriteParam();
            if (progressive) {
                parameters.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, null), parameters);
            }
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    /** A baseline JPEG turned extended-sequential: its SOF0 marker (the first 0xff 0xc0 segment) made SOF1. */
    private static byte[] sof1(byte[] baseline) {
        int at = 2;
        while ((baseline[at + 1] & 0xff) != 0xc0) {
            at += 2 + ((baseline[at + 2] & 0xff) << 8 | baseline[at + 3] & 0xff);
        }
        byte[] copy = baseline.clone();
        copy[at + 1] = (byte) 0xc1;
        return copy;
    }

    private Path photos() throws IOException {
        Path dir = tmp.resolve("photos");
        for (int i = 0; i < 24; i++) {
            Path classDir = Files.createDirectories(dir.resolve(i % 3 == 0 ? "cats" : i % 3 == 1 ? "dogs" : "birds"));
            BufferedImage image = picture(i);
            switch (i % 4) {
                case 0 -> Files.write(classDir.resolve("p" + i + ".jpg"), jpeg(image, true));
                case 1 -> Files.write(classDir.resolve("e" + i + ".jpg"), sof1(jpeg(image, false)));
                case 2 -> Files.write(classDir.resolve("b" + i + ".jpg"), jpeg(image, false));
                default -> ImageIO.write(image, "png", classDir.resolve("n" + i + ".png").toFile());
            }
        }
        Files.writeString(dir.resolve("README.txt"), "not an image");
        return dir;
    }

    @Test
    void aFolderOfClassSubfoldersTrainsAndItsFirstDecodeShowsProgress() throws IOException {
        Path dir = photos();
        String[] common = {"train", "--arch", "conv-vae", "-O", "channels=8,16", "-O", "latent=4", "--dataset",
                "image-folder", "--data-dir", dir.toString(), "--image-size", "32", "--epochs", "1", "--batch-size", "8",
                "-D", "cache-dir=" + tmp.resolve("cache")};
        Cli.Result first = Cli.run(concat(common, "--out", tmp.resolve("a").toString()));
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.out().contains("decoding 24 images of photos: started"), first.out());
        Matcher done = Pattern.compile("decoding 24 images of photos: done, 24 in [0-9.]+ s \\([0-9]+ img/s\\)")
                .matcher(first.out());
        assertTrue(done.find(), first.out());
        assertTrue(first.out().contains("(3x32x32, "), first.out());
        assertFalse(first.out().contains("skipped"), "every image decoded: " + first.out());
        assertTrue(first.out().indexOf("decoding 24 images") < first.out().indexOf("training conv-vae"),
                "the decode is shown before training starts: " + first.out());

        Cli.Result second = Cli.run(concat(common, "--out", tmp.resolve("b").toString()));
        assertEquals(0, second.exitCode(), second.toString());
        assertFalse(second.out().contains("decoding"), "the cache is read, nothing is decoded: " + second.out());
        assertEquals(fingerprint(tmp.resolve("a")), fingerprint(tmp.resolve("b")));
    }

    private static String fingerprint(Path run) throws IOException {
        Matcher m = Pattern.compile("\"dataset_fingerprint\"\\s*:\\s*\"([0-9a-f]{64})\"")
                .matcher(Files.readString(run.resolve("run.json")));
        assertTrue(m.find(), "run.json of " + run + " has a dataset fingerprint");
        return m.group(1);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
