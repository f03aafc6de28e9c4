package org.onnxtoolkit.runtime.plugins;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
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

    /**
     * The descriptors, of those given, that occur as {@code CONSTANT_Utf8} entries of the class file's constant
     * pool. Reads the stream up to the end of the constant pool; does not close it.
     *
     * @throws IOException when the stream fails or is not a class file
     */
    Set<String> mentioned(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(classFile, 16 * 1024));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a class file (bad magic number)");
        }
        in.skipNBytes(4); // minor and major version
        int count = in.readUnsignedShort();
        Set<String> found = new HashSet<>();
        for (int index = 1; index < count; index++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> { // Utf8
                    int length = in.readUnsignedShort();
                    int match = candidate(length);
                    if (match < 0) {
                        in.skipNBytes(length);
                    } else {
                        byte[] bytes = in.readNBytes(length);
                        for (int i = match; i < encoded.length; i++) {
                            if (Arrays.equals(encoded[i], bytes)) {
                                found.add(descriptors.get(i));
                            }
                        }
                    }
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // Integer, Float, refs, NameAndType, dynamic
                case 5, 6 -> { // Long and Double take two slots
                    in.skipNBytes(8);
                    index++;
                }
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2); // Class, String, MethodType, Module, Package
                case 15 -> in.skipNBytes(3); // MethodHandle
                default -> throw new IOException("not a class file (constant pool tag " + tag + " at entry " + index
                        + ")");
            }
        }
        return found;
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
