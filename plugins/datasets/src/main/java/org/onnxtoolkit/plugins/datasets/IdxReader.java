package org.onnxtoolkit.plugins.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.onnxtoolkit.api.spi.DatasetException;

/**
 * A strict reader for IDX files of unsigned bytes, the format of MNIST and Fashion-MNIST, plain or gzipped.
 *
 * <p>The format: a 4-byte magic number (two zero bytes, a type code, the rank), then one big-endian 32-bit
 * size per dimension, then the payload in row-major order. Gzip is detected from the content (bytes
 * {@code 1f 8b}), not the file name. Everything is checked: the zero bytes, the type code (only
 * {@code 0x08}, unsigned byte, is accepted), the rank, that every dimension is positive, and that the
 * payload is exactly as long as the dimensions say (neither shorter nor longer). Each failure is a
 * {@link DatasetException} whose one-line message names the file, what was expected and what was found; a
 * missing file or one that is not a regular file is the request's fault ({@link DatasetException.Cause#USAGE}),
 * anything wrong inside the file is the data's ({@link DatasetException.Cause#DATA}).
 *
 * <p>Nothing is allocated for the payload before the header has been checked against the file: a plain file
 * must be exactly as long as its header says, and gzip data cannot expand more than {@value #MAX_DEFLATE_RATIO}
 * times (deflate's limit), so a header claiming gigabytes in a small file is refused at once, and a gzipped
 * payload is read in growing steps, never beyond the bytes that are really there. Only regular files are opened:
 * a named pipe would block the reader.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdxReader {
    /** The IDX type code for unsigned bytes, the only one accepted. */
    public static final int UNSIGNED_BYTE = 0x08;

    /** Largest payload a Java array can hold. */
    private static final long MAX_PAYLOAD = Integer.MAX_VALUE - 8;

    private static final int BUFFER_SIZE = 1 << 16;

    /** Deflate's largest expansion: 258-byte matches coded in 2 bits, about 1032 to 1. */
    static final long MAX_DEFLATE_RATIO = 1032;

    /** The expansion a gzip payload's first allocation allows for before it grows ({@link #readGzipPayload}). */
    static final long PLAUSIBLE_GZIP_RATIO = 16;

    private IdxReader() {
    }

    /** Reads an image file: rank 3, {@code [count, rows, cols]}. */
    public static IdxFile readImages(Path file) throws DatasetException {
        return read(file, 3);
    }

    /** Reads a label file: rank 1, {@code [count]}. */
    public static IdxFile readLabels(Path file) throws DatasetException {
        return read(file, 1);
    }

    /**
     * Reads and validates one IDX file of unsigned bytes.
     *
     * @param file         a plain or gzipped IDX file
     * @param expectedRank the number of dimensions the file must have
     * @throws DatasetException if the file is missing, unreadable, corrupt or not as expected
     */
    public static IdxFile read(Path file, int expectedRank) throws DatasetException {
        return read(file, expectedRank, null);
    }

    /**
     * As {@link #read(Path, int)}, taking the content's SHA-256 from {@code digests} when it remembers this file
     * unchanged (the file is still read and checked in full), and remembering it otherwise.
     *
     * @param digests the digest cache, or null for none
     */
    static IdxFile read(Path file, int expectedRank, IdxDigestCache digests) throws DatasetException {
        return read(file, expectedRank, digests, null);
    }

    /**
     * As {@link #read(Path, int, IdxDigestCache)}, taking a gzipped file's content from {@code contents} when
     * {@code digests} remembers the file and {@code contents} holds a whole entry for its digest, and keeping
     * the content there after inflating it.
     *
     * @param contents the decompressed-content cache, or null for none
     */
    static IdxFile read(Path file, int expectedRank, IdxDigestCache digests, IdxContentCache contents)
            throws DatasetException {
        if (expectedRank < 1 || expectedRank > 255) {
            throw new IllegalArgumentException("expectedRank must be in [1, 255], got " + expectedRank);
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new DatasetException("IDX file not found: " + file, e);
        } catch (IOException e) {
            throw DatasetException.badData("IDX file " + file + ": cannot read the file (" + e + ")", e);
        }
        if (attributes.isDirectory()) {
            throw new DatasetException("IDX file " + file + " is a directory, expected a file");
        }
        if (!attributes.isRegularFile()) {
            throw new DatasetException("IDX file " + file + " is " + FileKinds.describe(file, attributes)
                    + ", not a regular file; it is not opened (reading a pipe would wait forever); pass the folder of"
                    + " the IDX files themselves");
        }
        String identity = digests == null ? null : IdxDigestCache.identity(file, attributes);
        boolean gzipped = false;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_SIZE)) {
            gzipped = startsWithGzipMagic(raw);
            String remembered = digests == null ? null : digests.get(identity);
            if (gzipped && remembered != null && contents != null) {
                IdxFile kept = contents.get(file, remembered, expectedRank);
                if (kept != null) {
                    return kept;
                }
            }
            InputStream decoded = gzipped ? new GZIPInputStream(raw, BUFFER_SIZE) : raw;
            IdxFile read;
            if (remembered != null) {
                read = parse(file, decoded, null, remembered, expectedRank, attributes.size(), gzipped);
            } else {
                MessageDigest digest = sha256Digest();
                read = parse(file, new DigestInputStream(decoded, digest), digest, null, expectedRank,
                        attributes.size(), gzipped);
                if (digests != null) {
                    digests.put(identity, read.sha256());
                }
            }
            if (gzipped && contents != null) {
                contents.put(read);
            }
            return read;
        } catch (NoSuchFileException e) {
            throw new DatasetException("IDX file not found: " + file, e);
        } catch (IOException e) {
            String what = gzipped ? "corrupt or truncated gzip data" : "cannot read the file";
            throw DatasetException.badData("IDX file " + file + ": " + what + " (" + e + ")", e);
        }
    }

    /**
     * Inflates up to {@code length} bytes straight into an array. The header's length is not trusted for the
     * allocation (a small gzip file may claim gigabytes): the array starts at what the file can plausibly hold,
     * {@value #PLAUSIBLE_GZIP_RATIO} times its compressed size (at least 1 MiB; images compress 2-10x), and
     * doubles only while data keeps arriving. Inflating into one array in large reads, rather than
     * {@code readNBytes(int)}'s 8 KiB pieces and final copy, read Fashion-MNIST's four files in 0.26-0.27 s
     * instead of 0.35-0.40 s inside {@code train}.
     *
     * @return the payload, shorter than {@code length} when the stream ended early
     */
    static byte[] readGzipPayload(InputStream in, int length, long fileSize) throws IOException {
        byte[] payload = new byte[(int) Math.min(length, Math.max(1 << 20, PLAUSIBLE_GZIP_RATIO * fileSize))];
        int filled = 0;
        while (true) {
            filled += in.readNBytes(payload, filled, payload.length - filled);
            if (filled < payload.length) {
                return Arrays.copyOf(payload, filled);
            }
            if (filled == length) {
                return payload;
            }
            payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
        }
    }

    /**
     * Checks that an image file and its label file describe the same number of items.
     *
     * @throws DatasetException naming both files and both counts if they differ
     */
    public static void requireSameCount(IdxFile images, IdxFile labels) throws DatasetException {
        if (images.count() != labels.count()) {
            throw DatasetException.badData("IDX files disagree: " + images.path() + " holds " + images.count()
                    + " images but " + labels.path() + " holds " + labels.count()
                    + " labels; expected the same count (are they from the same split and dataset?)");
        }
    }

    /**
     * @param digest   the digest the stream feeds, or null when {@code known} is given
     * @param known    the content's SHA-256 in hex when already known, else null
     * @param fileSize the file's length on disk (compressed when {@code gzipped})
     */
    private static IdxFile parse(Path file, InputStream in, MessageDigest digest, String known, int expectedRank,
                                 long fileSize, boolean gzipped) throws IOException, DatasetException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw DatasetException.badData("IDX file " + file + ": header truncated: expected a 4-byte magic number,"
                    + " found " + magic.length + " bytes");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw DatasetException.badData("IDX file " + file + ": bad magic number: expected 0x0000"
                    + hex(UNSIGNED_BYTE) + "xx (two zero bytes, type code, rank), found 0x" + HexFormat.of().formatHex(magic)
                    + "; is this an IDX file?");
        }
        int type = Byte.toUnsignedInt(magic[2]);
        if (type != UNSIGNED_BYTE) {
            throw DatasetException.badData("IDX file " + file + ": unsupported type code 0x" + hex(type) + " ("
                    + typeName(type) + "): expected 0x" + hex(UNSIGNED_BYTE) + " (unsigned byte)");
        }
        int rank = Byte.toUnsignedInt(magic[3]);
        if (rank != expectedRank) {
            throw DatasetException.badData("IDX file " + file + ": wrong rank: expected " + expectedRank + " dimension"
                    + (expectedRank == 1 ? "" : "s") + " (" + rankMeaning(expectedRank) + "), found " + rank);
        }
        byte[] sizes = in.readNBytes(4 * rank);
        if (sizes.length < 4 * rank) {
            throw DatasetException.badData("IDX file " + file + ": header truncated: expected " + rank
                    + " dimension sizes (" + 4 * rank + " bytes) after the magic number, found " + sizes.length
                    + " bytes");
        }
        long[] dims = new long[rank];
        long payloadLength = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = Integer.toUnsignedLong(((sizes[4 * i] & 0xff) << 24) | ((sizes[4 * i + 1] & 0xff) << 16)
                    | ((sizes[4 * i + 2] & 0xff) << 8) | (sizes[4 * i + 3] & 0xff));
        }
        for (int i = 0; i < rank; i++) {
            if (dims[i] == 0 || dims[i] > Integer.MAX_VALUE) {
                throw DatasetException.badData("IDX file " + file + ": dimension " + i + " of " + Arrays.toString(dims)
                        + " must be in [1, " + Integer.MAX_VALUE + "], found " + dims[i]);
            }
            payloadLength *= dims[i];
            if (payloadLength > MAX_PAYLOAD) {
                throw DatasetException.badData("IDX file " + file + ": dimensions " + Arrays.toString(dims)
                        + " describe more than " + MAX_PAYLOAD + " bytes, the most one file may hold");
            }
        }
        long headerLength = 4 + 4L * rank;
        if (!gzipped && fileSize - headerLength < payloadLength) {
            throw truncated(file, payloadLength, dims, fileSize - headerLength);
        }
        if (!gzipped && fileSize - headerLength > payloadLength) {
            throw trailing(file, payloadLength, dims, fileSize - headerLength - payloadLength);
        }
        if (gzipped && headerLength + payloadLength > MAX_DEFLATE_RATIO * fileSize) {
            throw DatasetException.badData("IDX file " + file + ": its header declares dimensions "
                    + Arrays.toString(dims) + ", " + payloadLength + " bytes, but the file is " + fileSize
                    + " bytes of gzip data, which cannot expand to more than " + MAX_DEFLATE_RATIO * fileSize
                    + "; the header is wrong or the file is truncated");
        }
        byte[] payload;
        int read;
        if (gzipped) {
            payload = readGzipPayload(in, (int) payloadLength, fileSize);
            read = payload.length;
        } else {
            // the size was checked against the file's, so allocate it
            payload = new byte[(int) payloadLength];
            read = in.readNBytes(payload, 0, payload.length);
        }
        if (read < payloadLength) {
            throw truncated(file, payloadLength, dims, read);
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw trailing(file, payloadLength, dims, extra);
        }
        int[] intDims = new int[rank];
        for (int i = 0; i < rank; i++) {
            intDims[i] = (int) dims[i];
        }
        return new IdxFile(file, intDims, payload, known != null ? known : HexFormat.of().formatHex(digest.digest()));
    }

    private static DatasetException truncated(Path file, long payloadLength, long[] dims, long found) {
        return DatasetException.badData("IDX file " + file + ": payload truncated: expected " + payloadLength
                + " bytes for dimensions " + Arrays.toString(dims) + ", found " + found);
    }

    private static DatasetException trailing(Path file, long payloadLength, long[] dims, long extra) {
        return DatasetException.badData("IDX file " + file + ": " + extra + " unexpected trailing bytes: expected"
                + " exactly " + payloadLength + " payload bytes for dimensions " + Arrays.toString(dims)
                + ", found " + (payloadLength + extra));
    }

    private static boolean startsWithGzipMagic(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
    }

    private static String hex(int b) {
        return HexFormat.of().toHexDigits((byte) b);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "16-bit integer";
            case 0x0C -> "32-bit integer";
            case 0x0D -> "32-bit float";
            case 0x0E -> "64-bit float";
            default -> "not an IDX type";
        };
    }

    private static String rankMeaning(int rank) {
        return switch (rank) {
            case 1 -> "labels [count]";
            case 3 -> "images [count, rows, cols]";
            default -> "as requested";
        };
    }
}
