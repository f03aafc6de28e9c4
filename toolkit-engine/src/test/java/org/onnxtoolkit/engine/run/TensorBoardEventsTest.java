package org.onnxtoolkit.engine.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Event files against the format's specification, read back by an independent decoder: TFRecord framing
 * (length, masked CRC32C of the length, data, masked CRC32C of the data) and the protobuf wire format of
 * {@code tensorflow.Event} and {@code Summary.Value}.
 */
class TensorBoardEventsTest {
    /** CRC-32C (Castagnoli), bit by bit, reflected polynomial 0x82F63B78: independent of java.util.zip. */
    static int crc32c(byte[] b, int off, int len) {
        int crc = 0xFFFFFFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc >>> 1) ^ (0x82F63B78 & -(crc & 1));
            }
        }
        return ~crc;
    }

    static int masked(byte[] b, int off, int len) {
        int c = crc32c(b, off, len);
        return Integer.rotateRight(c, 15) + 0xa282ead8;
    }

    @Test
    void crc32cMatchesTheStandardCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, crc32c(check, 0, 9));
        assertEquals(masked(check, 0, 9), TensorBoardEvents.maskedCrc32c(check, 0, 9));
    }

    /** A decoded scalar event: step, wall time, and tag to value. */
    record Decoded(double wallTime, long step, String fileVersion, Map<String, Float> values) {
    }

    static Decoded decode(byte[] event) {
        ByteBuffer b = ByteBuffer.wrap(event).order(ByteOrder.LITTLE_ENDIAN);
        double wall = Double.NaN;
        long step = 0;
        String version = null;
        Map<String, Float> values = new LinkedHashMap<>();
        while (b.hasRemaining()) {
            int key = (int) varint(b);
            switch (key) {
                case (1 << 3) | 1 -> wall = b.getDouble();
                case (2 << 3) -> step = varint(b);
                case (3 << 3) | 2 -> version = new String(bytes(b), StandardCharsets.UTF_8);
                case (5 << 3) | 2 -> {
                    ByteBuffer summary = ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN);
                    while (summary.hasRemaining()) {
                        assertEquals((1 << 3) | 2, varint(summary), "Summary.value");
                        ByteBuffer value = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
                        assertEquals((1 << 3) | 2, varint(value), "Value.tag");
                        String tag = new String(bytes(value), StandardCharsets.UTF_8);
                        assertEquals((2 << 3) | 5, varint(value), "Value.simple_value");
                        values.put(tag, value.getFloat());
                        assertEquals(0, value.remaining());
                    }
                }
                default -> throw new AssertionError("unexpected field key " + key);
            }
        }
        return new Decoded(wall, step, version, values);
    }

    /** The data of each record, after checking its framing. */
    static List<byte[]> records(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
        while (b.hasRemaining()) {
            int at = b.position();
            long length = b.getLong();
            assertEquals(masked(file, at, 8), b.getInt(), "length CRC of the record at " + at);
            byte[] data = new byte[(int) length];
            b.get(data);
            assertEquals(masked(data, 0, data.length), b.getInt(), "data CRC of the record at " + at);
            out.add(data);
        }
        return out;
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
        byte[] out = new byte[(int) varint(b)];
        b.get(out);
        return out;
    }

    @Test
    void recordsAndEventsReadBackField() {
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("train/loss", 542.740479);
        scalars.put("train/kl_weight", 0.5);
        byte[] file = concat(TensorBoardEvents.record(TensorBoardEvents.fileVersionEvent(1764790000.25)),
                TensorBoardEvents.record(TensorBoardEvents.scalarsEvent(1764790001.5, 300, scalars)));
        List<byte[]> data = records(file);
        assertEquals(2, data.size());
        Decoded first = decode(data.get(0));
        assertEquals("brain.Event:2", first.fileVersion());
        assertEquals(1764790000.25, first.wallTime());
        assertEquals(0, first.step());
        Decoded second = decode(data.get(1));
        assertEquals(300, second.step(), "a step over 127 takes a two-byte varint");
        assertEquals(1764790001.5, second.wallTime());
        assertEquals(Map.of("train/loss", 542.740479f, "train/kl_weight", 0.5f), second.values());
        // The length field is the data's length: 8 + 4 + length + 4 bytes per record.
        assertEquals(16 + data.get(0).length + 16 + data.get(1).length, file.length);
    }

    @Test
    void readingStopsAtARecordACrashCutShortOrDamaged() {
        byte[] one = TensorBoardEvents.record(TensorBoardEvents.fileVersionEvent(1));
        byte[] two = TensorBoardEvents.record(TensorBoardEvents.scalarsEvent(2, 7, Map.of("a", 1.0)));
        byte[] whole = concat(one, two);
        assertEquals(List.of(0L, 7L), TensorBoardEvents.read(whole).stream().map(TensorBoardEvents.Record::step).toList());
        for (int cut = one.length; cut < whole.length; cut++) {
            assertEquals(1, TensorBoardEvents.read(Arrays.copyOf(whole, cut)).size(), "cut at " + cut);
        }
        byte[] damaged = whole.clone();
        damaged[one.length + 14] ^= 1;
        assertEquals(1, TensorBoardEvents.read(damaged).size(), "a data CRC that does not match ends the file");
        assertArrayEquals(TensorBoardEvents.fileVersionEvent(1), TensorBoardEvents.read(whole).get(0).data());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
