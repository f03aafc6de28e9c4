package org.onnxtoolkit.plugins.datasets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.CharBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.onnxtoolkit.api.spi.DatasetException;

/**
 * What a path is, in words, and file names that survive any bytes: dataset files must be regular files (a
 * named pipe given as a data file would block the reader forever), and file names on Linux are bytes, which
 * need not be UTF-8. Stateless and thread-safe.
 */
final class FileKinds {
    private FileKinds() {
    }

    /**
     * Refuses anything but a regular file (or a link to one) without opening it, naming what it is.
     *
     * @param what the file's role, for the message ({@code "IDX file"}, {@code "partition file"})
     * @throws DatasetException (usage) if {@code file} is a folder, a named pipe, a device or a socket
     */
    static void requireRegularFile(String what, Path file, String hint) throws DatasetException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return; // missing or unreadable: opening it reports that
        }
        if (!attributes.isRegularFile()) {
            throw new DatasetException(what + " " + display(file) + " is " + describe(file, attributes)
                    + ", not a regular file; " + hint);
        }
    }

    /** "a folder", "a named pipe (FIFO)", "a character device", ... for a path that is not a regular file. */
    static String describe(Path path, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a folder";
        }
        if (attributes.isRegularFile()) {
            return "a regular file";
        }
        try {
            // The "unix" attribute view (Linux, macOS) tells pipes, devices and sockets apart.
            int type = (Integer) Files.getAttribute(path, "unix:mode") & 0170000;
            return switch (type) {
                case 0010000 -> "a named pipe (FIFO)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "a special file (a pipe, device or socket)";
        }
    }

    /**
     * The last element of {@code path} as readable text: the name itself when it is valid in the platform's
     * file name encoding; otherwise its bytes read as UTF-8, each byte that is not UTF-8 written as
     * {@code \xNN} (as Python's {@code backslashreplace} does). Linux allows any bytes in file names, and Java
     * would otherwise show them as replacement characters, so that two such names could look alike and
     * {@code folder.resolve(name)} would name another file.
     */
    static String name(Path path) {
        Path name = path.getFileName();
        String text = name.toString();
        if (name.getFileSystem().getPath(text).equals(name)) {
            return text;
        }
        String raw = path.toAbsolutePath().toUri().getRawPath();
        if (raw.endsWith("/") && raw.length() > 1) {
            raw = raw.substring(0, raw.length() - 1); // a folder's URI ends with a slash
        }
        return readable(percentDecode(raw.substring(raw.lastIndexOf('/') + 1)));
    }

    /** {@code path} as readable text: {@link #name} for each element. */
    static String display(Path path) {
        String text = path.toString();
        if (path.getFileSystem().getPath(text).equals(path)) {
            return text;
        }
        String raw = path.toAbsolutePath().toUri().getRawPath();
        if (raw.endsWith("/") && raw.length() > 1) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return readable(percentDecode(raw));
    }

    private static byte[] percentDecode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c); // URIs of paths are ASCII
            }
        }
        return bytes.toByteArray();
    }

    /** UTF-8 text of {@code bytes}, with {@code \xNN} for each byte that is not part of valid UTF-8. */
    static String readable(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length * 4 + 4);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                decoder.flush(out);
                break;
            }
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    out.put(String.format("\\x%02x", in.get() & 0xff));
                }
            }
        }
        return out.flip().toString();
    }
}
