package org.onnxtoolkit.plugins.datasets;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.images.ImageDecoder;

/**
 * The decoded-image cache of an image folder: every image of the folder, cropped and resized, as unsigned
 * bytes, so that later epochs and later runs decode no image file.
 *
 * <p>Layout (integers big-endian):
 * <pre>
 * offset  size  field
 *      0     8  magic "OTK-IMGC"
 *      8     4  format version, {@value #FORMAT_VERSION}
 *     12    12  channels, height, width of every image
 *     24     4  count: images listed in the folder, one pixel slot each
 *     28     4  how many of them have no pixels: undecodable or unreadable (their slots are zero)
 *     32     8  index offset = {@value #HEADER_BYTES} + count * channels * height * width
 *     40     8  index length in bytes
 *     48    32  key: SHA-256 of what the pixels were made from (folder, listing, crop, shape, decoder)
 *     80    32  content digest: SHA-256 over each file's name and the SHA-256 of its bytes, in name order
 *    112    16  zero
 *    128        pixels: count slots of [C, H, W] bytes, in name order
 *  index        u16 number of recipes, each u16 length + UTF-8 text (how decoded images were made); then
 *               per image, in name order: u16 length + UTF-8 name, u8 status, and for status 0 (decoded)
 *               u16 index of its recipe, for 1 (undecodable) and 2 (unreadable entry: a broken link, a pipe)
 *               u16 length + UTF-8 reason
 * </pre>
 * The file ends exactly at the end of the index. A writer fills a temporary file in the cache folder
 * (images in any order, from several threads) and moves it into place atomically once complete, so a reader
 * never sees a partial file. Pixels are read through read-only memory mappings of at most
 * {@value #MAX_MAPPING_BYTES} bytes each.
 */
final class ImageCacheFile {
    /** 2: recipes per image and unreadable entries (version 1 had neither). */
    static final int FORMAT_VERSION = 2;
    static final int HEADER_BYTES = 128;
    static final int DIGEST_BYTES = 32;
    /** Largest single mapping; whole images per mapping, so no image straddles two. */
    static final int MAX_MAPPING_BYTES = 1 << 30;

    private static final byte[] MAGIC = "OTK-IMGC".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_RECIPES = 0xffff;
    private static final int MAX_TEXT_BYTES = 0xffff;
    private static final int MAX_REASON_CHARS = 500;

    private ImageCacheFile() {
    }

    /** What became of an image. */
    enum Status {
        /** Its pixels are in its slot. */
        DECODED,
        /** Its bytes are not an image that can be decoded. */
        UNDECODABLE,
        /** It could not be read at all: a broken link, a loop, a named pipe. */
        UNREADABLE
    }

    /**
     * One image of the folder.
     *
     * @param name   its name (a path relative to the folder)
     * @param status what became of it
     * @param detail for a decoded image its recipe (how the pixels were made, see
     *               {@link ImageDecoder#decodeWithRecipe}); otherwise why it has no pixels
     */
    record Entry(String name, Status status, String detail) {
        Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(detail, "detail");
        }

        /** A decoded image made by {@code recipe}. */
        static Entry decoded(String name, String recipe) {
            return new Entry(name, Status.DECODED, recipe);
        }

        boolean decoded() {
            return status == Status.DECODED;
        }

        /** Why it has no pixels, or null when it was decoded. */
        String failure() {
            return decoded() ? null : detail;
        }

        /** How its pixels were made, or null when it was not decoded. */
        String recipe() {
            return decoded() ? detail : null;
        }
    }

    /**
     * What a cache file holds.
     *
     * @param entries       the images in slot order
     * @param key           the key it was written under
     * @param contentDigest the digest of the source files' names and bytes
     * @param pixels        the slots, mapped
     */
    record Contents(ImageShape shape, List<Entry> entries, byte[] key, byte[] contentDigest, MappedPixels pixels) {
    }

    /**
     * Reads the header and index of {@code file} and maps its pixels.
     *
     * @throws CacheFormatException if the file is not a complete cache file of this format version
     * @throws IOException          if it cannot be read
     */
    static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < HEADER_BYTES) {
                throw new CacheFormatException(file + " has " + fileSize + " bytes, less than the " + HEADER_BYTES
                        + "-byte header of a cache file");
            }
            ByteBuffer header = readFully(channel, 0, HEADER_BYTES);
            byte[] magic = new byte[MAGIC.length];
            header.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CacheFormatException(file + " is not an image cache file (bad magic)");
            }
            int version = header.getInt();
            if (version != FORMAT_VERSION) {
                throw new CacheFormatException(file + " is cache format version " + version + ", expected "
                        + FORMAT_VERSION);
            }
            ImageShape shape;
            try {
                shape = new ImageShape(header.getInt(), header.getInt(), header.getInt());
            } catch (IllegalArgumentException e) {
                throw new CacheFormatException(file + ": " + e.getMessage(), e);
            }
            int count = header.getInt();
            int undecodable = header.getInt();
            long indexOffset = header.getLong();
            long indexLength = header.getLong();
            if (count < 0 || undecodable < 0 || undecodable > count) {
                throw new CacheFormatException(file + " declares " + count + " images, " + undecodable
                        + " of them undecodable");
            }
            long expectedIndexOffset = HEADER_BYTES + (long) count * shape.size();
            if (indexOffset != expectedIndexOffset || indexLength < 0 || indexLength > Integer.MAX_VALUE
                    || fileSize != indexOffset + indexLength) {
                throw new CacheFormatException(file + " has " + fileSize + " bytes; " + count + " images of "
                        + shape + " and a " + indexLength + "-byte index at " + indexOffset + " need "
                        + (expectedIndexOffset + indexLength) + " with the index at " + expectedIndexOffset);
            }
            byte[] key = new byte[DIGEST_BYTES];
            header.get(key);
            byte[] contentDigest = new byte[DIGEST_BYTES];
            header.get(contentDigest);
            List<Entry> entries = readIndex(file, readFully(channel, indexOffset, (int) indexLength), count);
            long failures = entries.stream().filter(e -> !e.decoded()).count();
            if (failures != undecodable) {
                throw new CacheFormatException(file + ": the header counts " + undecodable
                        + " undecodable images, the index " + failures);
            }
            return new Contents(shape, List.copyOf(entries), key, contentDigest, map(channel, shape, count));
        }
    }

    private static List<Entry> readIndex(Path file, ByteBuffer index, int count) throws CacheFormatException {
        List<Entry> entries = new ArrayList<>(count);
        try {
            int recipeCount = index.getShort() & 0xffff;
            List<String> recipes = new ArrayList<>(recipeCount);
            for (int r = 0; r < recipeCount; r++) {
                recipes.add(readText(index));
            }
            Status[] statuses = Status.values();
            for (int i = 0; i < count; i++) {
                String name = readText(index);
                int status = index.get() & 0xff;
                if (status >= statuses.length) {
                    throw new CacheFormatException(file + ": index entry " + i + " has status " + status
                            + ", expected 0 to " + (statuses.length - 1));
                }
                String detail;
                if (statuses[status] == Status.DECODED) {
                    int recipe = index.getShort() & 0xffff;
                    if (recipe >= recipes.size()) {
                        throw new CacheFormatException(file + ": index entry " + i + " names recipe " + recipe
                                + " of " + recipes.size());
                    }
                    detail = recipes.get(recipe);
                } else {
                    detail = readText(index);
                }
                entries.add(new Entry(name, statuses[status], detail));
            }
        } catch (BufferUnderflowException e) {
            throw new CacheFormatException(file + ": the index ends before its " + count + " entries", e);
        }
        if (index.hasRemaining()) {
            throw new CacheFormatException(file + ": " + index.remaining() + " bytes follow the index's " + count
                    + " entries");
        }
        return entries;
    }

    private static String readText(ByteBuffer index) throws CacheFormatException {
        int length = index.getShort() & 0xffff;
        if (length > index.remaining()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer bytes = index.slice(index.position(), length);
        index.position(index.position() + length);
        try {
            CharBuffer text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return text.toString();
        } catch (CharacterCodingException e) {
            throw new CacheFormatException("a name in the index is not UTF-8", e);
        }
    }

    private static MappedPixels map(FileChannel channel, ImageShape shape, int count) throws IOException {
        int imageSize = shape.size();
        int imagesPerChunk = Math.max(1, MAX_MAPPING_BYTES / imageSize);
        int chunkCount = (int) ((count + (long) imagesPerChunk - 1) / imagesPerChunk);
        ByteBuffer[] chunks = new ByteBuffer[chunkCount];
        for (int c = 0; c < chunkCount; c++) {
            int images = Math.min(imagesPerChunk, count - c * imagesPerChunk);
            long position = HEADER_BYTES + (long) c * imagesPerChunk * imageSize;
            chunks[c] = channel.map(FileChannel.MapMode.READ_ONLY, position, (long) images * imageSize);
        }
        return new MappedPixels(chunks, imagesPerChunk, imageSize, count);
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                throw new CacheFormatException("the cache file ended at byte " + (position + buffer.position())
                        + ", expected " + (position + length));
            }
        }
        return buffer.flip();
    }

    /**
     * Writes a cache file: {@link #create}, then {@link #writeImage} for every decoded image (from any
     * threads, in any order), then {@link #commit}. Closing without committing deletes the temporary file.
     */
    static final class Writer implements Closeable {
        private final Path target;
        private final Path temporary;
        private final ImageShape shape;
        private final int count;
        private final FileChannel channel;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Writer(Path target, Path temporary, ImageShape shape, int count, FileChannel channel) {
            this.target = target;
            this.temporary = temporary;
            this.shape = shape;
            this.count = count;
            this.channel = channel;
        }

        /** Starts a cache file for {@code count} images of {@code shape}, to become {@code target}. */
        static Writer create(Path target, ImageShape shape, int count) throws IOException {
            Path directory = target.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, target.getFileName() + ".", ".tmp");
            try {
                return new Writer(target, temporary, shape, count,
                        FileChannel.open(temporary, StandardOpenOption.WRITE));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temporary);
                throw e;
            }
        }

        /** Stores slot {@code slot}'s pixels, {@code shape.size()} bytes from {@code pixels[0]}. Thread-safe. */
        void writeImage(int slot, byte[] pixels) throws IOException {
            Objects.checkIndex(slot, count);
            if (pixels.length != shape.size()) {
                throw new IllegalArgumentException(pixels.length + " bytes for a " + shape + " image");
            }
            ByteBuffer buffer = ByteBuffer.wrap(pixels);
            long position = HEADER_BYTES + (long) slot * shape.size();
            while (buffer.hasRemaining()) {
                channel.write(buffer, position + buffer.position());
            }
        }

        /**
         * Writes the index and header, forces the file to disk and moves it to the target, replacing any older
         * file there.
         *
         * @param entries one per slot, in slot order
         */
        void commit(List<Entry> entries, byte[] key, byte[] contentDigest) throws IOException {
            if (entries.size() != count) {
                throw new IllegalArgumentException(entries.size() + " entries for " + count + " slots");
            }
            if (key.length != DIGEST_BYTES || contentDigest.length != DIGEST_BYTES) {
                throw new IllegalArgumentException("key and content digest must have " + DIGEST_BYTES + " bytes");
            }
            ByteArrayOutputStream indexBytes = new ByteArrayOutputStream();
            DataOutputStream index = new DataOutputStream(indexBytes);
            List<String> recipes = entries.stream().filter(Entry::decoded).map(Entry::recipe).distinct().toList();
            if (recipes.size() > MAX_RECIPES) {
                throw new IllegalArgumentException(recipes.size() + " recipes do not fit the cache index");
            }
            index.writeShort(recipes.size());
            for (String recipe : recipes) {
                writeText(index, recipe);
            }
            int undecodable = 0;
            for (Entry entry : entries) {
                writeText(index, entry.name());
                index.writeByte(entry.status().ordinal());
                if (entry.decoded()) {
                    index.writeShort(recipes.indexOf(entry.recipe()));
                } else {
                    undecodable++;
                    String reason = entry.failure();
                    writeText(index, reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS)
                            : reason);
                }
            }
            index.flush();
            long indexOffset = HEADER_BYTES + (long) count * shape.size();
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES)
                    .put(MAGIC)
                    .putInt(FORMAT_VERSION)
                    .putInt(shape.channels()).putInt(shape.height()).putInt(shape.width())
                    .putInt(count)
                    .putInt(undecodable)
                    .putLong(indexOffset)
                    .putLong(indexBytes.size())
                    .put(key)
                    .put(contentDigest);
            writeFully(ByteBuffer.wrap(indexBytes.toByteArray()), indexOffset);
            writeFully(header.position(0), 0);
            channel.truncate(indexOffset + indexBytes.size());
            channel.force(true);
            channel.close();
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            closed.set(true);
        }

        private void writeFully(ByteBuffer buffer, long position) throws IOException {
            while (buffer.hasRemaining()) {
                channel.write(buffer, position + buffer.position());
            }
        }

        private static void writeText(DataOutputStream out, String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_TEXT_BYTES) {
                throw new IOException("a name of " + bytes.length + " bytes does not fit the cache index");
            }
            out.writeShort(bytes.length);
            out.write(bytes);
        }

        /** Deletes the temporary file unless committed. Idempotent. */
        @Override
        public void close() throws IOException {
            if (closed.compareAndSet(false, true)) {
                try {
                    channel.close();
                } finally {
                    Files.deleteIfExists(temporary);
                }
            }
        }
    }
}
