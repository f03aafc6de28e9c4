package org.onnxtoolkit.compiler.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.checkpoint.CheckpointFixtures.RawTensor;
import org.onnxtoolkit.compiler.checkpoint.CheckpointFixtures.Spec;

class CheckpointWriterReaderTest {

    private static final NamedTensor W = new NamedTensor("encoder/fc1/weight", new long[] {2, 3},
            new float[] {1.5f, -2f, 3.25f, 4f, 5f, -6.125f});
    private static final NamedTensor B = new NamedTensor("encoder/fc1/bias", new long[] {3}, new float[] {7f, 8f, 9f});
    private static final NamedTensor RM = new NamedTensor("bn/running_mean", new long[] {2}, new float[] {0.5f, 0.25f});
    private static final NamedTensor S = new NamedTensor("scale", new long[] {}, new float[] {3f});

    private static CheckpointWriter writer() {
        return new CheckpointWriter().addTrainable(List.of(W, B, S)).addFrozen(RM)
                .addProperty("seed", 42L).addProperty("toolkit", "0.1.0").addProperty("lr", 1e-3f)
                .addProperty("epoch", 0L);
    }

    @Test
    void roundTripsParametersAndProperties() throws CheckpointFormatException {
        byte[] bytes = writer().toBytes();
        assertEquals("ODTC", new String(bytes, 4, 4, StandardCharsets.US_ASCII));
        CheckpointContents c = CheckpointReader.read(bytes, "mem");
        assertEquals(2, c.version());
        assertEquals(List.of(W, B, S), c.trainableParameters(), "order kept as given");
        assertEquals(List.of(RM), c.frozenParameters());
        assertEquals(List.of(), c.optimizerGroups());
        assertEquals(List.of("epoch", "seed"), List.copyOf(c.intProperties().keySet()), "sorted by name");
        assertEquals(Map.of("epoch", 0L, "seed", 42L), c.intProperties());
        assertEquals(Map.of("lr", 1e-3f), c.floatProperties());
        assertEquals(Map.of("toolkit", "0.1.0"), c.stringProperties());
        assertEquals(RM, c.parameter("bn/running_mean").orElseThrow());
    }

    @Test
    void frozenParamsVectorIsPresentEvenWhenEmpty() throws CheckpointFormatException {
        CheckpointContents c = CheckpointReader.read(new CheckpointWriter().addTrainable(W).toBytes(), "mem");
        assertEquals(List.of(), c.frozenParameters());
    }

    @Test
    void outputIsDeterministic() {
        byte[] a = writer().toBytes();
        byte[] b = new CheckpointWriter().addProperty("epoch", 0L).addProperty("lr", 1e-3f)
                .addProperty("toolkit", "0.1.0").addProperty("seed", 42L).addFrozen(RM)
                .addTrainable(List.of(W, B, S)).toBytes();
        assertArrayEquals(a, b);
    }

    @Test
    void rawDataIsLittleEndianAndAlignedTo16() {
        byte[] bytes = writer().toBytes();
        for (NamedTensor t : List.of(W, B, RM)) {
            ByteBuffer expected = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.data()) {
                expected.putFloat(v);
            }
            int at = indexOf(bytes, expected.array());
            assertTrue(at >= 0, t.name() + " data not found as little-endian floats");
            assertEquals(0, at % 16, t.name() + " raw_data at " + at + " is not 16-byte aligned");
        }
    }

    @Test
    void writerRejectsDuplicatesAndEmptyCheckpoints() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CheckpointWriter().addTrainable(W).addFrozen(W));
        assertEquals("duplicate parameter name 'encoder/fc1/weight'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new CheckpointWriter().addProperty("x", 1L).addProperty("x", "s"));
        assertEquals("duplicate property name 'x'", e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> new CheckpointWriter().toBytes());
        assertEquals("a checkpoint needs at least one parameter", s.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NamedTensor("t", new long[] {2, 2}, new float[3]));
        assertEquals("tensor 't' with dims [2, 2] needs 4 elements but data has 3", e.getMessage());
    }

    @Test
    void writeToIsAtomicAndReadableFromPath(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("nested/checkpoint");
        writer().writeTo(target);
        Files.write(dir.resolve("nested/other"), new byte[] {1});
        new CheckpointWriter().addTrainable(B).writeTo(target);
        assertArrayEquals(new CheckpointWriter().addTrainable(B).toBytes(), Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
        assertEquals(List.of(B), CheckpointReader.read(target).trainableParameters());
    }

    // ---- malformed files -------------------------------------------------------------------------------

    private static CheckpointFormatException rejects(byte[] bytes) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> CheckpointReader.read(bytes, "fixture.ckpt"));
        assertTrue(e.getMessage().startsWith("checkpoint fixture.ckpt: "), e.getMessage());
        return e;
    }

    @Test
    void fixtureBuilderMakesValidFiles() throws CheckpointFormatException {
        CheckpointContents c = CheckpointReader.read(CheckpointFixtures.build(Spec.valid()), "fixture");
        assertEquals(List.of(new NamedTensor("w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})),
                c.trainableParameters());
    }

    @Test
    void rejectsTooShortFile() {
        assertEquals("checkpoint fixture.ckpt: file too short: 7 bytes, a flatbuffer checkpoint needs at least 12",
                rejects(new byte[7]).getMessage());
    }

    @Test
    void rejectsWrongIdentifier() {
        byte[] bytes = writer().toBytes();
        bytes[4] = 'X';
        bytes[7] = 0;
        assertEquals("checkpoint fixture.ckpt: wrong file identifier: expected \"ODTC\" at bytes 4..7 but found "
                + "\"XDT\\x00\"", rejects(bytes).getMessage());
        assertTrue(rejects(CheckpointFixtures.build(Spec.valid().withIdentifier("ODTX"))).getMessage()
                .contains("expected \"ODTC\""));
    }

    @Test
    void rejectsUnsupportedVersions() {
        assertEquals("checkpoint fixture.ckpt: unsupported version 1: expected 2",
                rejects(CheckpointFixtures.build(Spec.valid().withVersion(1))).getMessage());
        assertTrue(rejects(CheckpointFixtures.build(Spec.valid().withVersion(3))).getMessage()
                .endsWith("unsupported version 3: expected 2"));
    }

    @Test
    void rejectsMissingModuleStateAndFrozenParams() {
        assertEquals("checkpoint fixture.ckpt: missing module_state",
                rejects(CheckpointFixtures.build(Spec.valid().withoutModuleState())).getMessage());
        assertEquals("checkpoint fixture.ckpt: missing frozen_params vector in module_state (ORT requires it, even "
                + "empty)", rejects(CheckpointFixtures.build(Spec.valid().withoutFrozenVector())).getMessage());
    }

    @Test
    void rejectsNonFloatTensor() {
        RawTensor ints = new RawTensor("w", new long[] {2}, 7, new byte[16], null);
        assertEquals("checkpoint fixture.ckpt: tensor 'w' (requires_grad_params[0]) has data_type 7: expected 1 "
                + "(FLOAT)", rejects(CheckpointFixtures.build(Spec.valid().withTensor(ints))).getMessage());
    }

    @Test
    void rejectsRawDataLengthMismatch() {
        RawTensor shortData = new RawTensor("w", new long[] {2, 3}, 1, new byte[20], null);
        assertEquals("checkpoint fixture.ckpt: tensor 'w' (requires_grad_params[0]) has 20 bytes of raw_data: "
                + "expected product(dims [2, 3]) * 4 = 24",
                rejects(CheckpointFixtures.build(Spec.valid().withTensor(shortData))).getMessage());
    }

    @Test
    void rejectsNegativeDims() {
        RawTensor negative = new RawTensor("w", new long[] {-1, 3}, 1, new byte[12], null);
        assertTrue(rejects(CheckpointFixtures.build(Spec.valid().withTensor(negative))).getMessage()
                .endsWith("tensor 'w' (requires_grad_params[0]) has a negative dimension: dims [-1, 3]"));
    }

    @Test
    void rejectsExternalData() {
        RawTensor external = new RawTensor("w", new long[] {1}, 1, new byte[4], 128L);
        assertTrue(rejects(CheckpointFixtures.build(Spec.valid().withTensor(external))).getMessage()
                .contains("stores its data externally (external_data_offset 128)"));
    }

    @Test
    void rejectsOffsetsOutOfBounds() {
        byte[] bytes = writer().toBytes();
        byte[] badRoot = bytes.clone();
        ByteBuffer.wrap(badRoot).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7fff0000);
        assertTrue(rejects(badRoot).getMessage().contains("offset out of bounds: root table points to"));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        rejects(truncated);
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() {
        byte[] valid = writer().toBytes();
        Random r = new Random(99);
        int rejected = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = valid.clone();
            int edits = 1 + r.nextInt(4);
            for (int k = 0; k < edits; k++) {
                bytes[r.nextInt(bytes.length)] = (byte) r.nextInt(256);
            }
            if (r.nextInt(4) == 0) {
                bytes = java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length));
            }
            try {
                CheckpointReader.read(bytes, "fuzz");
            } catch (CheckpointFormatException e) {
                rejected++;
                assertTrue(e.getMessage().startsWith("checkpoint fuzz: "));
            }
        }
        assertTrue(rejected > 500, "only " + rejected + " corruptions were detected");
    }

    @Test
    void readFromPathNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.ckpt");
        Files.write(file, new byte[3]);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointReader.read(file));
        assertTrue(e.getMessage().startsWith("checkpoint " + file + ": file too short"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
