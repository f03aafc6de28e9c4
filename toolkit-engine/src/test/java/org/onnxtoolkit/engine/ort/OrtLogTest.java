package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.compiler.testutil.TinyModels;

/**
 * ORT's log messages go to {@link OrtLog} (kept, echoed only when asked), not to ORT's default stderr sink; real
 * failures still come back as exception messages. That nothing reaches the process's stderr is checked end to end,
 * in a JVM of its own ({@code OrtLoggingIT}).
 */
class OrtLogTest {
    @AfterEach
    void quiet() {
        OrtLog.echo(false);
        OrtLog.echoTo(System.err);
    }

    @Test
    void warningsAreKeptAndEchoedOnlyOnRequest() {
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        OrtLog.echoTo(new PrintStream(echoed, true, StandardCharsets.UTF_8));
        openWrongShapeModel();
        OrtLog.Entry warning = lastMergeWarning();
        assertEquals(OrtLog.WARNING, warning.severity());
        assertTrue(warning.location().contains("MergeShapeInfo"), warning.toString());
        assertTrue(warning.message().contains("Falling back to lenient merge"), warning.message());
        assertEquals("", echoed.toString(StandardCharsets.UTF_8), "nothing echoed without --verbose");

        OrtLog.echo(true);
        openWrongShapeModel();
        String line = echoed.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("onnxruntime [W] ") && line.contains("MergeShapeInfo: Error merging shape info"), line);
    }

    @Test
    void failuresStillCarryOrtsText() {
        byte[] notAModel = "definitely not protobuf".getBytes(StandardCharsets.UTF_8);
        OrtException e = assertThrows(OrtException.class, () -> InferenceSession.open(notAModel, SessionConfig.cpu()));
        assertTrue(e.getMessage().startsWith("CreateSessionFromArray("), e.getMessage());
        assertTrue(e.shortOrtMessage().length() > 10 && !e.getMessage().contains("gave no message"), e.getMessage());
    }

    @Test
    void theKeptMessagesAreBounded() {
        for (int i = 0; i < OrtLog.KEPT + 10; i++) {
            OrtLog.record(OrtLog.INFO, "test", "", "message " + i);
        }
        List<OrtLog.Entry> recent = OrtLog.recent();
        assertEquals(OrtLog.KEPT, recent.size());
        assertEquals("message " + (OrtLog.KEPT + 9), recent.get(recent.size() - 1).message());
    }

    private static void openWrongShapeModel() {
        try (InferenceSession s = InferenceSession.open(TinyModels.affineInferenceModelWithWrongOutputShape(),
                SessionConfig.cpu())) {
            // The model runs despite the warning: the log line was only a remark.
            float[] y = s.run(Map.of("x", Tensor.of(new float[] {1, 1, 1}, 1, 3))).get("y").toFloatArray();
            assertArrayEquals(new float[] {1.5f, 2.5f, 3.5f}, y);
        }
    }

    private static OrtLog.Entry lastMergeWarning() {
        List<OrtLog.Entry> recent = OrtLog.recent();
        for (int i = recent.size() - 1; i >= 0; i--) {
            if (recent.get(i).message().contains("Error merging shape info")) {
                return recent.get(i);
            }
        }
        throw new AssertionError("ORT's MergeShapeInfo warning did not reach OrtLog: " + recent);
    }
}
