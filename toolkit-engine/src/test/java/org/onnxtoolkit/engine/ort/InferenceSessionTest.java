package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.testutil.TinyModels;

class InferenceSessionTest {

    private static final Tensor X = Tensor.of(new float[] {1, 2, 3, -1, 0, 1}, 2, 3);

    @Test
    void runsModelFromBytesWithOutputsInGraphOrder() {
        try (InferenceSession s = InferenceSession.open(TinyModels.affineInferenceModel(), SessionConfig.cpu())) {
            assertEquals(List.of("x"), s.inputNames());
            assertEquals(List.of("y", "ysum"), s.outputNames());
            Outputs out = s.run(Map.of("x", X));
            assertEquals(List.of("y", "ysum"), out.names());
            // y = x * [1, 2, 3] + 0.5
            float[] y = {1.5f, 4.5f, 9.5f, -0.5f, 0.5f, 3.5f};
            assertEquals(Tensor.of(y, 2, 3), out.get("y"));
            assertEquals(19f, out.get("ysum").item(), 1e-6f);
            assertArrayEquals(new long[0], out.get("ysum").shape());
        }
    }

    @Test
    void runsModelFromFile(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("affine.onnx");
        Files.write(model, TinyModels.affineInferenceModel());
        try (InferenceSession s = InferenceSession.open(model, SessionConfig.cpu().withIntraOpThreads(1))) {
            assertEquals(19f, s.run(Map.of("x", X)).get("ysum").item(), 1e-6f);
        }
        OrtException e = assertThrows(OrtException.class,
                () -> InferenceSession.open(dir.resolve("missing.onnx"), SessionConfig.cpu()));
        assertTrue(e.getMessage().startsWith("CreateSession(" + dir.resolve("missing.onnx") + "): "), e.getMessage());
    }

    @Test
    void rejectsUnknownAndMissingInputsByName() {
        try (InferenceSession s = InferenceSession.open(TinyModels.affineInferenceModel(), SessionConfig.cpu())) {
            Map<String, Tensor> unknown = new LinkedHashMap<>();
            unknown.put("x", X);
            unknown.put("z", X);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(unknown));
            assertEquals("Run: unknown input 'z'; expected one of [x]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.run(Map.of()));
            assertEquals("Run: missing input 'x'; expected all of [x] but got []", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.run(Map.of("x", X)).get("yy"));
            assertEquals("unknown output 'yy'; expected one of [y, ysum]", e.getMessage());
        }
    }

    @Test
    void wrongShapeGivesOrtExceptionWithContext() {
        try (InferenceSession s = InferenceSession.open(TinyModels.affineInferenceModel(), SessionConfig.cpu())) {
            OrtException e = assertThrows(OrtException.class, () -> s.run(Map.of("x", Tensor.zeros(2, 4))));
            assertTrue(e.getMessage().startsWith("Run with inputs [x: float32[2, 4]]: Got invalid dimensions for input: x"),
                    e.getMessage());
        }
    }

    @Test
    void everyElementTypeGoesInAndComesBack() {
        try (InferenceSession s = InferenceSession.open(TinyModels.typedInferenceModel(), SessionConfig.cpu())) {
            assertEquals(List.of("f", "l", "i", "u", "b"), s.inputNames());
            Map<String, Tensor> in = Map.of(
                    "f", Tensor.of(new float[] {0.5f, -1.5f, 2f, 0f}, 4),
                    "l", Tensor.of(new long[] {3_000_000_000L, -2, 0, Long.MAX_VALUE / 4}, 4),
                    "i", Tensor.of(new int[] {7, -8, Integer.MAX_VALUE / 2, 0}, 4),
                    "u", Tensor.ofUint8(new byte[] {0, 1, (byte) 200, (byte) 255}, 4),
                    "b", Tensor.of(new boolean[] {true, false, false, true}, 4));
            Outputs out = s.run(in);
            assertEquals(List.of("l2", "i2", "u_out", "not_b", "sum"), out.names());
            assertEquals(Tensor.of(new long[] {6_000_000_000L, -4, 0, Long.MAX_VALUE / 2 - 1}, 4), out.get("l2"));
            assertEquals(Tensor.of(new int[] {14, -16, Integer.MAX_VALUE - 1, 0}, 4), out.get("i2"));
            assertEquals(Tensor.ofUint8(new byte[] {0, 1, (byte) 200, (byte) 255}, 4), out.get("u_out"));
            assertArrayEquals(new boolean[] {false, true, true, false}, out.get("not_b").toBooleanArray());
            assertEquals(ElementType.BOOL, out.get("not_b").type());
            float[] sum = out.get("sum").toFloatArray();
            assertEquals(0.5f + 3e9f + 7 + 0 + 1, sum[0], 1e3f);
            assertEquals(-1.5f - 2 - 8 + 1 + 0, sum[1], 1e-6f);
            assertEquals(2f + 0 + Integer.MAX_VALUE / 2 + 200 + 0, sum[2], 64f);
            assertEquals(0f + Long.MAX_VALUE / 4 + 0 + 255 + 1, sum[3], 1e12f);
        }
    }

    @Test
    void aTensorOfAnotherElementTypeIsRefusedNamingTheInput() {
        try (InferenceSession s = InferenceSession.open(TinyModels.typedInferenceModel(), SessionConfig.cpu())) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("f", Tensor.zeros(4));
            in.put("l", Tensor.zeros(4));
            in.put("i", Tensor.zeros(ElementType.INT32, 4));
            in.put("u", Tensor.zeros(ElementType.UINT8, 4));
            in.put("b", Tensor.zeros(ElementType.BOOL, 4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(in));
            assertEquals("Run: input 'l' is float32 but the model declares int64; create it with"
                    + " Tensor.of(long[], shape)", e.getMessage());
            in.put("l", Tensor.zeros(ElementType.INT64, 4));
            in.put("b", Tensor.zeros(ElementType.UINT8, 4));
            e = assertThrows(IllegalArgumentException.class, () -> s.run(in));
            assertEquals("Run: input 'b' is uint8 but the model declares bool; create it with"
                    + " Tensor.of(boolean[], shape)", e.getMessage());
            in.put("b", Tensor.zeros(ElementType.BOOL, 4));
            assertEquals(Tensor.zeros(4), s.run(in).get("sum"));
        }
    }

    @Test
    void elementTypesATensorCannotCarryAreNamed() {
        try (InferenceSession s = InferenceSession.open(TinyModels.float16Model(false), SessionConfig.cpu())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> s.run(Map.of("f", Tensor.zeros(3))));
            assertEquals("output 'f16' has element type float16, which a Tensor cannot carry (float32, int64, int32,"
                    + " uint8 and bool can)", e.getMessage());
        }
        try (InferenceSession s = InferenceSession.open(TinyModels.float16Model(true), SessionConfig.cpu())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.run(Map.of("f", Tensor.zeros(3))));
            assertEquals("Run: input 'f' is float32 but the model declares float16, which a Tensor cannot carry",
                    e.getMessage());
        }
    }

    @Test
    void invalidModelBytesFailToOpen() {
        OrtException e = assertThrows(OrtException.class,
                () -> InferenceSession.open(new byte[] {1, 2, 3}, SessionConfig.cpu()));
        assertTrue(e.getMessage().startsWith("CreateSessionFromArray(3 bytes): "), e.getMessage());
    }

    @Test
    void useAfterCloseThrowsAndCloseIsIdempotent() {
        InferenceSession s = InferenceSession.open(TinyModels.affineInferenceModel(), SessionConfig.cpu());
        s.close();
        s.close();
        assertTrue(s.isClosed());
        for (Runnable call : List.<Runnable>of(s::inputNames, s::outputNames, () -> s.run(Map.of("x", X)))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertEquals("InferenceSession is closed", e.getMessage());
        }
    }
}
