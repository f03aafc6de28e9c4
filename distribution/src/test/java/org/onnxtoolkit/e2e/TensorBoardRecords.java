package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads TensorBoard event files as the format specifies, independently of the toolkit's writer: TFRecords
 * ({@code uint64 length, uint32 masked CRC32C of the length, data, uint32 masked CRC32C of the data}, little
 * endian; CRC-32C computed here bit by bit) holding {@code tensorflow.Event} protos, whose
 * {@code Summary.Value}s carry a tag and a {@code simple_value}. Every check is an assertion.
 */
final class TensorBoardRecords {
    /** One event: its step, wall time, file_version (null unless the first) and scalars by tag. */
    record Event(long step, double wallTime, String fileVersion, Map<String, Float> scalars) {
    }

    private TensorBoardRecords() {
    }

    static List<Event> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.hasRemaining()) {
            int at = b.position();
            long length = b.getLong();
            assertEquals(masked(bytes, at, 8), b.getInt(), file + ": the length CRC of the record at byte " + at);
            byte[] data = new byte[Math.toIntExact(length)];
            b.get(data);
            assertEquals(masked(data, 0, data.length), b.getInt(), file + ": the data CRC of the record at byte " + at);
            events.add(decode(data));
        }
        return events;
    }

    /** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), masked as TFRecord does. */
    static int masked(byte[] b, int off, int len) {
        int crc = 0xFFFFFFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc >>> 1) ^ (0x82F63B78 & -(crc & 1));
            }
        }
        return Integer.rotateRight(~crc, 15) + 0xa282ead8;
    }

    private static Event decode(byte[] event) {
        ByteBuffer b = ByteBuffer.wrap(event).order(ByteOrder.LITTLE_ENDIAN);
        double wall = Double.NaN;
        long step = 0;
        String version = null;
        Map<String, Float> values = new LinkedHashMap<>();
        while (b.hasRemaining()) {
            long key = varint(b);
            if (key == ((1 << 3) | 1)) {
                wall = b.getDouble();
            } else if (key == (2 << 3)) {
                step = varint(b);
            } else if (key == ((3 << 3) | 2)) {
                version = new String(bytes(b), StandardCharsets.UTF_8);
            } else if (key == ((5 << 3) | 2)) {
                ByteBuffer summary = ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN);
                while (summary.hasRemaining()) {
                    assertEquals((1 << 3) | 2, varint(summary), "Summary.value");
                    ByteBuffer value = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
                    assertEquals((1 << 3) | 2, varint(value), "Summary.Value.tag");
                    String tag = new String(bytes(value), StandardCharsets.UTF_8);
                    assertEquals((2 << 3) | 5, varint(value), "Summary.Value.simple_value");
                    values.put(tag, value.getFloat());
                    assertEquals(0, value.remaining(), "nothing else in a Summary.Value");
                }
            } else {
                throw new AssertionError("unexpected field key " + key + " in an Event");
            }
        }
        return new Event(step, wall, version, values);
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[Math.toIntExact(varint(b))];
        b.get(out);
        return out;
    }
}
