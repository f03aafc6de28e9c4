package org.onnxtoolkit.engine.run;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * TensorBoard event files, written by hand (no protobuf or TensorFlow dependency): a sequence of TFRecords,
 * each {@code uint64 length, uint32 masked_crc32c(length), data[length], uint32 masked_crc32c(data)} (all
 * little-endian; the mask is {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}), whose data is a serialized
 * {@code tensorflow.Event}: {@code wall_time} (field 1, double), {@code step} (2, int64), and either
 * {@code file_version} (3, string; the first record of a file, {@code "brain.Event:2"}) or {@code summary}
 * (5, a {@code Summary} of repeated {@code value} (1), each a {@code tag} (1, string) and a
 * {@code simple_value} (2, float)). Stateless and thread-safe.
 */
public final class TensorBoardEvents {
    /** The start of an event file's name; TensorBoard reads the files whose names contain "tfevents". */
    public static final String FILE_PREFIX = "events.out.tfevents.";
    /** The name of the event file a run writes into its {@code tb/} folder. */
    public static final String FILE_NAME = FILE_PREFIX + "toolkit";
    /** The {@code file_version} of the first event of a file. */
    public static final String FILE_VERSION = "brain.Event:2";
    private static final int MASK_DELTA = 0xa282ead8;

    private TensorBoardEvents() {
    }

    /** One record of an event file: its event's bytes and the {@code step} they hold (0 when absent). */
    public record Record(byte[] data, long step) {
        public Record {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }

    /** The event that starts a file: {@code wall_time}, {@code step} 0, {@code file_version}. */
    public static byte[] fileVersionEvent(double wallTime) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fixed64(out, 1, wallTime);
        varint(out, 2 << 3);
        varint(out, 0);
        bytes(out, 3, FILE_VERSION.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /**
     * An event with one scalar per entry of {@code values} (tag to value, in the map's order) at {@code step}.
     *
     * @param wallTime seconds since the epoch
     */
    public static byte[] scalarsEvent(double wallTime, long step, Map<String, Double> values) {
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        for (Map.Entry<String, Double> v : values.entrySet()) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            bytes(value, 1, v.getKey().getBytes(StandardCharsets.UTF_8));
            varint(value, (2 << 3) | 5);
            value.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(v.getValue().floatValue()).array());
            bytes(summary, 1, value.toByteArray());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fixed64(out, 1, wallTime);
        varint(out, 2 << 3);
        varint(out, step);
        bytes(out, 5, summary.toByteArray());
        return out.toByteArray();
    }

    /** {@code data} framed as one TFRecord. */
    public static byte[] record(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc32c(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc32c(data, 0, data.length));
        return b.array();
    }

    /** TFRecord's masked CRC32C of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static int maskedCrc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /**
     * The records of an event file's bytes, up to the first that is incomplete or whose checksums or event do
     * not read (what a write cut short by a crash leaves at the end).
     */
    public static List<Record> read(byte[] file) {
        List<Record> records = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 12) {
            int start = b.position();
            long length = b.getLong();
            if (b.getInt() != maskedCrc32c(file, start, 8) || length < 0 || length > b.remaining() - 4) {
                break;
            }
            byte[] data = new byte[(int) length];
            b.get(data);
            if (b.getInt() != maskedCrc32c(data, 0, data.length)) {
                break;
            }
            Long step = step(data);
            if (step == null) {
                break;
            }
            records.add(new Record(data, step));
        }
        return records;
    }

    /** The {@code step} (field 2) of a serialized event; 0 when absent, null when the bytes are no event. */
    static Long step(byte[] event) {
        ByteBuffer b = ByteBuffer.wrap(event).order(ByteOrder.LITTLE_ENDIAN);
        long step = 0;
        try {
            while (b.hasRemaining()) {
                long key = readVarint(b);
                int field = (int) (key >>> 3);
                switch ((int) (key & 7)) {
                    case 0 -> {
                        long v = readVarint(b);
                        if (field == 2) {
                            step = v;
                        }
                    }
                    case 1 -> b.position(b.position() + 8);
                    case 2 -> {
                        int length = Math.toIntExact(readVarint(b));
                        b.position(Math.addExact(b.position(), length));
                    }
                    case 5 -> b.position(b.position() + 4);
                    default -> {
                        return null;
                    }
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        return step;
    }

    private static long readVarint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void fixed64(ByteArrayOutputStream out, int field, double v) {
        varint(out, (field << 3) | 1);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
    }

    private static void bytes(ByteArrayOutputStream out, int field, byte[] data) {
        varint(out, (field << 3) | 2);
        varint(out, data.length);
        out.writeBytes(data);
    }
}
