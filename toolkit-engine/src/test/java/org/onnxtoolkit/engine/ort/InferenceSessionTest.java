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
            Map<String, Tensor> out = s.run(Map.of("x", X));
            assertEquals(List.of("y", "ysum"), List.copyOf(out.keySet()));
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
            assertEquals("unknown input 'z'; expected one of [x]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.run(Map.of()));
            assertEquals("missing input 'x'; expected all of [x] but got []", e.getMessage());
        }
    }

    @Test
    void wrongShapeGivesOrtExceptionWithContext() {
        try (InferenceSession s = InferenceSession.open(TinyModels.affineInferenceModel(), SessionConfig.cpu())) {
            OrtException e = assertThrows(OrtException.class, () -> s.run(Map.of("x", Tensor.zeros(2, 4))));
            assertTrue(e.getMessage().startsWith("Run with inputs [x: [2, 4]]: Got invalid dimensions for input: x"),
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
