package org.onnxtoolkit.runtime.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the constant pool of a class file, without loading the class, to find which of some given type
 * descriptors it mentions. An annotation on a class, field or method names its type by a descriptor such as
 * {@code Lorg/onnxtoolkit/api/spi/PluginId;} in the constant pool, so a class whose pool lacks the descriptor
 * certainly does not carry the annotation; one whose pool has it may (the loader then checks by reflection).
 * This lets the plugin loader skip the classes of bundled libraries without loading them.
 *
 * <p>Stateless; thread-safe.
 */
final class ClassFileScan {
    private static final int MAGIC = 0xCAFEBABE;

    private final List<String> descriptors;
    private final byte[][] encoded;

    /** @param descriptors type descriptors in the class-file form, for example {@code Ljakarta/inject/Named;} */
    ClassFileScan(List<String> descriptors) {
        this.descriptors = List.copyOf(descriptors);
        this.encoded = new byte[descriptors.size()][];
        for (int i = 0; i < encoded.length; i++) {
            // Descriptors of these types are ASCII, where modified UTF-8 equals ASCII.
            encoded[i] = descriptors.get(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** @return the descriptors looked for, in the order given */
    List<String> descriptors() {
        return descriptors;
    }

    /**
     * The descriptors, of those given, that occur as {@code CONSTANT_Utf8} entries of the class file's constant
     * pool. Reads the whole stream (one native inflation is faster than parsing a compressed stream piecemeal);
     * does not close it.
     *
     * @throws IOException when the stream fails or is not a class file
     */
    Set<String> mentioned(InputStream classFile) throws IOException {
        byte[] bytes = classFile.readAllBytes();
        try {
            return mentioned(bytes);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IOException("not a class file (it ends inside the constant pool)", e);
        }
    }

    private Set<String> mentioned(byte[] b) throws IOException {
        if (b.length < 10 || u4(b, 0) != MAGIC) {
            throw new IOException("not a class file (bad magic number)");
        }
        int count = u2(b, 8);
        int p = 10; // after magic, minor and major version, and the count
        Set<String> found = new HashSet<>();
        for (int index = 1; index < count; index++) {
            int tag = b[p] & 0xFF;
            switch (tag) {
                case 1 -> { // Utf8: u2 length, then the bytes
                    int length = u2(b, p + 1);
                    for (int i = candidate(length); i >= 0 && i < encoded.length; i++) {
                        if (encoded[i].length == length && Arrays.equals(b, p + 3, p + 3 + length, encoded[i], 0, length)) {
                            found.add(descriptors.get(i));
                        }
                    }
                    p += 3 + length;
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> p += 5; // Integer, Float, refs, NameAndType, dynamic
                case 5, 6 -> { // Long and Double take two slots
                    p += 9;
                    index++;
                }
                case 7, 8, 16, 19, 20 -> p += 3; // Class, String, MethodType, Module, Package
                case 15 -> p += 4; // MethodHandle
                default -> throw new IOException("not a class file (constant pool tag " + tag + " at entry " + index
                        + ")");
            }
        }
        return found;
    }

    private static int u2(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static int u4(byte[] b, int at) {
        return u2(b, at) << 16 | u2(b, at + 2);
    }

    /** The first descriptor of this encoded length, or -1: most pool entries are skipped on length alone. */
    private int candidate(int length) {
        for (int i = 0; i < encoded.length; i++) {
            if (encoded[i].length == length) {
                return i;
            }
        }
        return -1;
    }
}
