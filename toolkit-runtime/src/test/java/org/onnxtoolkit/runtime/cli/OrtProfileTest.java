package org.onnxtoolkit.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtProfileTest {

    private static String node(String name, String op, long micros) {
        return "{\"cat\":\"Node\",\"name\":\"" + name + "_kernel_time\",\"dur\":" + micros
                + ",\"args\":{\"op_name\":\"" + op + "\"}}";
    }

    private static String run(long micros) {
        return "{\"cat\":\"Session\",\"name\":\"model_run\",\"dur\":" + micros + "}";
    }

    @Test
    void sumsKernelsPerStepByPhaseAndOperator(@TempDir Path dir) throws IOException {
        // two steps: forward Gemm 300 us + loss Log 100 us, backward Gemm 500 us + ReluGrad 50 us, accumulation 20 us
        String step = String.join(",", node("encoder/fc1/Gemm", "Gemm", 300), node("objective/Softplus::Log", "Log", 100),
                node("grad::Gemm_3", "Gemm", 500), node("grad::ReluGrad", "ReluGrad", 50),
                node("encoder/fc1/weight::accumulate", "InPlaceAccumulatorV2", 20));
        Files.writeString(dir.resolve("training_2026-12-03_10-00-00.json"),
                "[{\"cat\":\"Session\",\"name\":\"session_initialization\",\"dur\":9000}," + step + "," + run(1000) + ","
                        + step + "," + run(1200) + "," + run(1100) + "]");
        Files.writeString(dir.resolve("other_2026-12-03_10-00-00.json"), "[" + node("x", "Gemm", 999999) + "]");
        OrtProfile p = OrtProfile.summarise(dir, "training", 2);
        assertEquals(0.400, p.perRunMs().get("forward"), 1e-9);
        assertEquals(0.570, p.perRunMs().get("backward"), 1e-9);
        assertEquals(0.0, p.perRunMs().get("optimizer"), 1e-9);
        assertEquals(List.of("Gemm", "Log", "ReluGrad", "InPlaceAccumulatorV2"), List.copyOf(p.byOpMs().keySet()));
        assertEquals(0.800, p.byOpMs().get("Gemm"), 1e-9);
        assertEquals(1.1, p.sessionMs(), 1e-9, "the mean session run");
        StringWriter text = new StringWriter();
        p.print(new PrintWriter(text, true), "training step");
        assertTrue(text.toString().contains("per training step, mean of 2 with warm-up): kernels 0.970 ms (forward and loss 0.400, backward 0.570)"), text.toString());
        assertTrue(text.toString().contains("Gemm"), text.toString());
    }

    @Test
    void refusesFilesThatAreNotOrtProfiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("training_a.json"), "{\"not\": \"an array\"}");
        IOException e = assertThrows(IOException.class, () -> OrtProfile.summarise(dir, "training", 1));
        assertTrue(e.getMessage().contains("is not an ONNX Runtime profile"), e.getMessage());
        Files.writeString(dir.resolve("training_a.json"), "[{\"cat\": \"Node\", \"name\": \"a_kernel_time\"");
        e = assertThrows(IOException.class, () -> OrtProfile.summarise(dir, "training", 1), "truncated JSON");
        assertTrue(e.getMessage().endsWith("; was it written by two sessions at once?"), e.getMessage());
        // what two sessions writing one file leave: the shorter one's events over the start of the longer one's
        Files.writeString(dir.resolve("training_a.json"), "cat\" : \"Node\",\"dur\" :5}\n]");
        e = assertThrows(IOException.class, () -> OrtProfile.summarise(dir, "training", 1));
        assertTrue(e.getMessage().startsWith(dir.resolve("training_a.json") + " is not ONNX Runtime's profile format"
                + " (not JSON: Unrecognized token 'cat'"), e.getMessage());
        Files.writeString(dir.resolve("training_a.json"), "[]");
        e = assertThrows(IOException.class, () -> OrtProfile.summarise(dir, "training", 1));
        assertTrue(e.getMessage().contains("with session runs"), e.getMessage());
    }

    @Test
    void tellsThePhaseFromTheNodeName() {
        assertEquals("backward", OrtProfile.phase("grad::Mul_3_kernel_time", "Mul"));
        assertEquals("backward", OrtProfile.phase("decoder/out/weight::accumulate_kernel_time", "InPlaceAccumulatorV2"));
        assertEquals("backward", OrtProfile.phase("fused x_kernel_time", "ReluGrad"));
        assertEquals("optimizer", OrtProfile.phase("adamw_kernel_time", "AdamWOptimizer"));
        assertEquals("forward", OrtProfile.phase("fused encoder/fc1/Gemm_kernel_time", "FusedGemm"));
    }
}
