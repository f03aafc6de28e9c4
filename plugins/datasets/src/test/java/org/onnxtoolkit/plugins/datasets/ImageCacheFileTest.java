package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.ImageShape;

class ImageCacheFileTest {
    private static final ImageShape SHAPE = new ImageShape(3, 4, 5);

    @TempDir
    Path dir;

    private static byte[] pixels(int slot) {
        byte[] pixels = new byte[SHAPE.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (slot * 7 + i);
        }
        return pixels;
    }

    private static byte[] digest(int fill) {
        byte[] digest = new byte[ImageCacheFile.DIGEST_BYTES];
        Arrays.fill(digest, (byte) fill);
        return digest;
    }

    private static final String COMMONS = "commons-imaging-test";
    private static final String LIBJPEG = "libjpeg-test+exif-orientation";

    /** The entry of slot {@code slot} in {@link #writeSample}: slot 2 undecodable, slot 3 another recipe. */
    private static ImageCacheFile.Entry sampleEntry(int slot) {
        String name = "image-" + slot + "-é.jpg";
        if (slot == 2) {
            return new ImageCacheFile.Entry(name, ImageCacheFile.Status.UNDECODABLE, "Error parsing JPEG");
        }
        return ImageCacheFile.Entry.decoded(name, slot == 3 ? LIBJPEG : COMMONS);
    }

    /** Five images, slot 2 undecodable, written in parallel and out of order. */
    private Path writeSample() throws IOException {
        Path target = dir.resolve("sample.imgcache");
        List<ImageCacheFile.Entry> entries = new ArrayList<>();
        try (ImageCacheFile.Writer writer = ImageCacheFile.Writer.create(target, SHAPE, 5)) {
            IntStream.of(4, 0, 3, 1).parallel().forEach(slot -> {
                try {
                    writer.writeImage(slot, pixels(slot));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int slot = 0; slot < 5; slot++) {
                entries.add(sampleEntry(slot));
            }
            writer.commit(entries, digest(1), digest(2));
        }
        return target;
    }

    @Test
    void roundTripsImagesEntriesAndDigests() throws IOException {
        Path file = writeSample();
        ImageCacheFile.Contents contents = ImageCacheFile.read(file);
        assertEquals(SHAPE, contents.shape());
        assertEquals(5, contents.entries().size());
        assertEquals("image-3-é.jpg", contents.entries().get(3).name());
        assertNull(contents.entries().get(3).failure());
        assertEquals("Error parsing JPEG", contents.entries().get(2).failure());
        for (int slot = 0; slot < 5; slot++) {
            assertEquals(sampleEntry(slot), contents.entries().get(slot), "slot " + slot);
        }
        assertEquals(LIBJPEG, contents.entries().get(3).recipe());
        assertNull(contents.entries().get(2).recipe());
        assertArrayEquals(digest(1), contents.key());
        assertArrayEquals(digest(2), contents.contentDigest());
        byte[] copy = new byte[SHAPE.size() + 3];
        for (int slot : new int[] {0, 1, 3, 4}) {
            contents.pixels().copy(slot, copy, 3);
            assertArrayEquals(pixels(slot), Arrays.copyOfRange(copy, 3, copy.length), "slot " + slot);
        }
        contents.pixels().copy(2, copy, 0);
        assertArrayEquals(new byte[SHAPE.size()], Arrays.copyOf(copy, SHAPE.size()), "an undecodable slot is zero");
        assertEquals(ImageCacheFile.HEADER_BYTES + 5L * SHAPE.size() + indexLength(file), Files.size(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    private static long indexLength(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(40);
            return raf.readLong();
        }
    }

    @Test
    void closingWithoutCommitLeavesNothing() throws IOException {
        Path target = dir.resolve("abandoned.imgcache");
        try (ImageCacheFile.Writer writer = ImageCacheFile.Writer.create(target, SHAPE, 3)) {
            writer.writeImage(1, pixels(1));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void commitReplacesAnOlderFile() throws IOException {
        Path target = writeSample();
        try (ImageCacheFile.Writer writer = ImageCacheFile.Writer.create(target, SHAPE, 1)) {
            writer.writeImage(0, pixels(9));
            writer.commit(List.of(ImageCacheFile.Entry.decoded("only.png", COMMONS)), digest(3), digest(4));
        }
        ImageCacheFile.Contents contents = ImageCacheFile.read(target);
        assertEquals(1, contents.entries().size());
        assertArrayEquals(digest(3), contents.key());
    }

    @Test
    void writerRejectsWrongSizesAndSlots() throws IOException {
        try (ImageCacheFile.Writer writer = ImageCacheFile.Writer.create(dir.resolve("x.imgcache"), SHAPE, 2)) {
            assertThrows(IndexOutOfBoundsException.class, () -> writer.writeImage(2, pixels(0)));
            assertThrows(IllegalArgumentException.class, () -> writer.writeImage(0, new byte[3]));
            assertThrows(IllegalArgumentException.class,
                    () -> writer.commit(List.of(ImageCacheFile.Entry.decoded("a.png", COMMONS)), digest(0), digest(0)));
        }
    }

    private Path damaged(int position, byte[] replacement) throws IOException {
        Path file = writeSample();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            raf.write(replacement);
        }
        return file;
    }

    @Test
    void rejectsBadMagic() throws IOException {
        Path file = damaged(0, "NOT-IMGC".getBytes(StandardCharsets.US_ASCII));
        CacheFormatException e = assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void rejectsAnotherVersion() throws IOException {
        Path file = damaged(8, ByteBuffer.allocate(4).putInt(99).array());
        CacheFormatException e = assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
    }

    @Test
    void rejectsABadShape() throws IOException {
        Path file = damaged(12, ByteBuffer.allocate(4).putInt(2).array());
        assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
    }

    @Test
    void rejectsTruncatedAndExtendedFiles() throws IOException {
        Path file = writeSample();
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));
        assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
        Files.write(file, Arrays.copyOf(bytes, bytes.length + 1));
        assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
        Files.write(file, Arrays.copyOf(bytes, 50));
        assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
    }

    @Test
    void rejectsAnUndecodableCountThatDisagreesWithTheIndex() throws IOException {
        Path file = damaged(28, ByteBuffer.allocate(4).putInt(0).array());
        CacheFormatException e = assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
        assertTrue(e.getMessage().contains("undecodable"), e.getMessage());
    }

    /** Where the first entry's status byte is: after the recipe table (recipes in first-use order) and the name. */
    private static long firstStatusByte() {
        long at = ImageCacheFile.HEADER_BYTES + 5L * SHAPE.size() + 2;
        for (String recipe : List.of(COMMONS, LIBJPEG)) {
            at += 2 + recipe.getBytes(StandardCharsets.UTF_8).length;
        }
        return at + 2 + "image-0-é.jpg".getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void rejectsABadStatusByte() throws IOException {
        Path file = writeSample();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(firstStatusByte());
            assertEquals(0, raf.read(), "the first entry's status is decoded");
            raf.seek(firstStatusByte());
            raf.write(7);
        }
        CacheFormatException e = assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
        assertTrue(e.getMessage().contains("status 7"), e.getMessage());
    }

    @Test
    void rejectsARecipeIndexBeyondTheTable() throws IOException {
        Path file = writeSample();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(firstStatusByte() + 1);
            raf.writeShort(2);
        }
        CacheFormatException e = assertThrows(CacheFormatException.class, () -> ImageCacheFile.read(file));
        assertTrue(e.getMessage().contains("names recipe 2 of 2"), e.getMessage());
    }

    @Test
    void keepsUnreadableEntriesApartFromUndecodableOnes() throws IOException {
        Path target = dir.resolve("links.imgcache");
        List<ImageCacheFile.Entry> entries = List.of(
                ImageCacheFile.Entry.decoded("a.jpg", COMMONS),
                new ImageCacheFile.Entry("cats/loop", ImageCacheFile.Status.UNREADABLE, "a symbolic link loop"),
                new ImageCacheFile.Entry("b\\xff.jpg", ImageCacheFile.Status.UNDECODABLE, "not a JPEG or PNG file"));
        try (ImageCacheFile.Writer writer = ImageCacheFile.Writer.create(target, SHAPE, 3)) {
            writer.writeImage(0, pixels(0));
            writer.commit(entries, digest(5), digest(6));
        }
        ImageCacheFile.Contents contents = ImageCacheFile.read(target);
        assertEquals(entries, contents.entries());
        assertEquals(ImageCacheFile.Status.UNREADABLE, contents.entries().get(1).status());
        assertEquals("a symbolic link loop", contents.entries().get(1).failure());
    }

    @Test
    void mappedPixelsAddressWholeImagesAcrossChunks() {
        int imageSize = 6;
        ByteBuffer[] chunks = new ByteBuffer[3];
        for (int c = 0; c < 3; c++) {
            int images = c < 2 ? 4 : 2;
            byte[] bytes = new byte[images * imageSize];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) ((c * 4 + i / imageSize) * 10 + i % imageSize);
            }
            chunks[c] = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        }
        MappedPixels pixels = new MappedPixels(chunks, 4, imageSize, 10);
        byte[] target = new byte[imageSize];
        for (int slot = 0; slot < 10; slot++) {
            pixels.copy(slot, target, 0);
            for (int i = 0; i < imageSize; i++) {
                assertEquals((byte) (slot * 10 + i), target[i]);
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> pixels.copy(10, target, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> pixels.copy(0, target, 1));
        assertThrows(IllegalArgumentException.class, () -> new MappedPixels(chunks, 4, imageSize, 13));
        assertEquals(0, chunks[0].position(), "reads leave the buffers as they were");
    }
}
