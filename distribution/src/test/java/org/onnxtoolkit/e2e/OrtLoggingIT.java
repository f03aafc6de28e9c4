package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's own log lines ({@code [W:onnxruntime:, graph.cc:122 MergeShapeInfo] ...}, {@code [E:onnxruntime:
 * ...] Non-zero status code ...}) never reach stderr unless asked for with {@code --verbose}; stderr holds exactly
 * the toolkit's line. Each command runs in a JVM of its own, so everything the process writes is seen, native code
 * included.
 */
class OrtLoggingIT {
    @TempDir
    static Path tmp;
    static Path run;
    static Path warns;
    static Path fails;

    @BeforeAll
    static void models() throws IOException {
        run = TinyRun.train(tmp.resolve("run"));
        OnnxMl.ModelProto decoder = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(run.resolve("decoder.onnx")));
        // A wrong shape recorded for an inner value: ORT warns "Error merging shape info ... Falling back to lenient
        // merge" when it loads the model, and the model works.
        OnnxMl.GraphProto.Builder g = decoder.getGraph().toBuilder();
        String inner = g.getNode(0).getOutput(0);
        g.addValueInfo(OnnxMl.ValueInfoProto.newBuilder().setName(inner).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(OnnxMl.TensorShapeProto.newBuilder()
                                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(999))))));
        warns = Files.write(tmp.resolve("warns.onnx"), decoder.toBuilder().setGraph(g).build().toByteArray());
        // A Reshape its data cannot fill: ORT warns at load and logs an error line when the run fails.
        OnnxMl.GraphProto.Builder h = decoder.getGraph().toBuilder();
        for (int i = 0; i < h.getInitializerCount(); i++) {
            if (h.getInitializer(i).getName().equals("decoder/shape")) {
                ByteBuffer raw = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).putLong(1).putLong(29)
                        .putLong(29);
                h.setInitializer(i, h.getInitializer(i).toBuilder().clearInt64Data()
                        .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array())));
            }
        }
        fails = Files.write(tmp.resolve("fails.onnx"), decoder.toBuilder().setGraph(h).build().toByteArray());
    }

    @Test
    void aWarningOfOrtDoesNotReachStderr() throws Exception {
        Path out = tmp.resolve("warns.png");
        Cli.Result r = Cli.runInNewJvm(tmp, "sample", "--model", warns.toString(), "--n", "4", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), "ORT's MergeShapeInfo warning must not reach stderr");
        assertEquals("wrote 4 samples to " + out + "\n", r.out());

        Cli.Result verbose = Cli.runInNewJvm(tmp, "sample", "--model", warns.toString(), "--n", "4", "--out",
                out.toString(), "--verbose");
        assertEquals(0, verbose.exitCode(), verbose.toString());
        assertTrue(verbose.err().startsWith("onnxruntime [W] graph.cc:") && verbose.err().contains("MergeShapeInfo: Error"
                + " merging shape info for output"), "--verbose shows ORT's lines:\n" + verbose.err());
    }

    @Test
    void anOrtErrorReachesStderrOnlyAsOurLine() throws Exception {
        Cli.Result r = Cli.runInNewJvm(tmp, "sample", "--model", fails.toString(), "--n", "4", "--out",
                tmp.resolve("fails.png").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("toolkit: running " + fails + " failed: Non-zero status code returned while running Reshape node."
                + " Name:'decoder/Reshape' Status Message: size != 0 && (input_shape_size % size) == 0 was false. The input"
                + " tensor cannot be reshaped to the requested shape. Input shape:{4,784}, requested shape:{-1,1,29,29}\n"
                + "(run with --verbose for details)\n", r.err());
    }

    @Test
    void trainingWritesNothingToStderr() throws Exception {
        Cli.Result r = Cli.runInNewJvm(tmp, "train", "--out", tmp.resolve("quiet").toString(), "--epochs", "1",
                "--max-train", "256", "--max-test", "64", "-D", "train-size=300", "-D", "test-size=100");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err());
    }
}
