package org.onnxtoolkit.runtime.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngFilesTest {
    @TempDir
    Path dir;

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static BufferedImage solid(int rgb) {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    @Test
    void writeLeavesOnlyTheTargetBehind() throws IOException {
        PngFiles.write(dir.resolve("a.png"), solid(0x123456));
        assertEquals(List.of("a.png"), names(dir));
        assertEquals(0x123456, Pngs.read(dir.resolve("a.png"))[1][2]);
    }

    @Test
    void writeReplacesAnExistingFileAndCreatesParents() throws IOException {
        Path png = dir.resolve("run/epoch/s.png");
        PngFiles.write(png, solid(0xFF0000));
        PngFiles.write(png, solid(0x00FF00));
        assertEquals(List.of("s.png"), names(png.getParent()));
        assertEquals(0x00FF00, Pngs.read(png)[0][0]);
    }

    @Test
    void aFailedWriteLeavesNoTemporaryFile() throws IOException {
        Path target = Files.createDirectories(dir.resolve("taken.png").resolve("child"));
        // Renaming a file over a non-empty directory fails.
        assertThrows(IOException.class, () -> PngFiles.write(target.getParent(), solid(0)));
        assertEquals(List.of("taken.png"), names(dir));
    }

    @Test
    void theFileGetsTheUsualPermissionsNotOwnerOnly() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.write(dir.resolve("plain.bin"), new byte[] {1});
        Path png = dir.resolve("p.png");
        PngFiles.write(png, solid(0));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(png));
    }

    @Test
    void bytesAreWrittenUnchanged() throws IOException {
        byte[] bytes = {1, 2, 3, (byte) 0xFF};
        PngFiles.writeAtomically(dir.resolve("b.bin"), bytes);
        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("b.bin")));
    }
}
