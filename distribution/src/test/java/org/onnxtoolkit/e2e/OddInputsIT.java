package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files that are damaged, of another kind or shape, or missing what the commands need: each gives one sentence
 * naming the file (never a bare exception name such as {@code NullPointerException} or {@code id}) and the exit
 * code of the README: 2 for a path of the wrong kind or one that does not exist, 1 for what is inside a file.
 */
class OddInputsIT {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void trainOnce() {
        run = TinyRun.train(tmp.resolve("run"));
    }

    static Stream<Arguments> oddInputs() throws IOException {
        OnnxMl.ModelProto decoder = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(run.resolve("decoder.onnx")));
        byte[] bytes = decoder.toByteArray();
        Path empty = Files.write(tmp.resolve("empty.onnx"), new byte[0]);
        Path truncated = Files.write(tmp.resolve("truncated.onnx"), Arrays.copyOf(bytes, 3000));
        Path renamed = model("renamed.onnx", renameInput(decoder, "latent"));
        Path symbolic = model("symbolic.onnx", withInputDim(decoder, 1, null));
        Path huge = model("huge-latent.onnx", withInputDim(decoder, 1, 70_000_000L));
        Path noMetadata = model("no-metadata.onnx", decoder.toBuilder().clearMetadataProps().build());
        Path wrongChannels = model("wrong-channels.onnx", withOutputDim(decoder, 1, 3));
        Path badReshape = model("bad-reshape.onnx", withReshapeTo(decoder, 29));
        Path folderModel = Files.createDirectories(tmp.resolve("folder.onnx"));
        Path aFile = Files.writeString(tmp.resolve("a-file"), "x");
        Path emptyPicture = Files.write(tmp.resolve("empty.png"), new byte[0]);
        Path bomb = Files.write(tmp.resolve("bomb.png"), pngHeader(50_000, 50_000));
        String picture = run.resolve("samples-001.png").toString();
        String out = tmp.resolve("out.png").toString();

        ObjectNode record = (ObjectNode) new ObjectMapper().readTree(run.resolve("run.json").toFile());
        Path noConfig = runWith("no-config", "{}");
        ObjectNode withoutDataset = record.deepCopy();
        ((ObjectNode) withoutDataset.get("config")).remove("dataset");
        Path noDataset = runWith("no-dataset", withoutDataset.toString());
        Path arrayRecord = runWith("array", "[]");
        Path emptyRecord = runWith("empty-record", "");
        Path decoderFolder = Files.createDirectories(tmp.resolve("decoder-folder"));
        Files.copy(run.resolve("run.json"), decoderFolder.resolve("run.json"));
        Files.createDirectories(decoderFolder.resolve("decoder.onnx"));

        return Stream.of(
                Arguments.of(a("sample", "--model", empty, "--out", out), 1, empty + " is empty (0 bytes), not an ONNX model"),
                Arguments.of(a("sample", "--model", truncated, "--out", out), 1,
                        truncated + " is not an ONNX model (it cannot be parsed: while parsing a protocol message, the input"
                                + " ended unexpectedly in the middle of a field)"),
                Arguments.of(a("sample", "--model", renamed, "--out", out), 1, renamed + " is not a decoder exported by the"
                        + " toolkit (expected one input 'z' [N, latent] and one output 'image' [N, C, H, W], found inputs"
                        + " [latent] and outputs [image])"),
                Arguments.of(a("sample", "--model", run.resolve("encoder.onnx"), "--out", out), 1, run.resolve("encoder.onnx")
                        + " is not a decoder exported by the toolkit (expected one input 'z' [N, latent] and one output"
                        + " 'image' [N, C, H, W], found inputs [x] and outputs [mu, logvar])"),
                Arguments.of(a("sample", "--model", symbolic, "--out", out), 1, symbolic + ": expected input z [N, latent]"
                        + " and output image [N, C, H, W] with fixed sizes, found z [-1, -1] and image [-1, 1, 28, 28]"),
                Arguments.of(a("sample", "--model", huge, "--out", out), 2, "--n 64 images of [1, 28, 28] (latent size"
                        + " 70000000) need about"),
                Arguments.of(a("sample", "--model", wrongChannels, "--out", out), 1, wrongChannels + " is damaged: its graph"
                        + " declares image [N, 3, 28, 28] but it gave [64, 1, 28, 28] for 64 latent vectors"),
                Arguments.of(a("sample", "--model", badReshape, "--out", out), 1, "running " + badReshape + " failed:"
                        + " Non-zero status code returned while running Reshape node. Name:'decoder/Reshape' Status Message:"
                        + " size != 0"),
                Arguments.of(a("sample", "--model", noMetadata, "--out", out), 0, ""),
                Arguments.of(a("sample", "--model", folderModel, "--out", out), 2,
                        folderModel + " is a folder, not a regular file; give the path of a file"),
                Arguments.of(a("sample", "--model", run.resolve("decoder.onnx"), "--out", aFile.resolve("x.png")), 2,
                        "cannot write " + aFile.resolve("x.png") + ": " + aFile + " is a regular file, not a folder"),
                Arguments.of(a("reconstruct", "--run", noConfig, "--out", out), 1,
                        noConfig.resolve("run.json") + " is damaged: it has no config"),
                Arguments.of(a("reconstruct", "--run", noDataset, "--out", out), 1,
                        noDataset.resolve("run.json") + " is damaged: the dataset is missing"),
                Arguments.of(a("reconstruct", "--run", arrayRecord, "--out", out), 1,
                        arrayRecord.resolve("run.json") + " is damaged: it holds a JSON array, not a JSON object"),
                Arguments.of(a("export", "--run", arrayRecord, "--out", tmp.resolve("e1")), 1,
                        arrayRecord.resolve("run.json") + " is damaged: it holds a JSON array, not a JSON object"),
                Arguments.of(a("export", "--run", emptyRecord, "--out", tmp.resolve("e2")), 1,
                        emptyRecord.resolve("run.json") + " is damaged: it holds nothing, not a JSON object"),
                Arguments.of(a("reconstruct", "--run", tmp.resolve("missing"), "--out", out), 2,
                        "run folder " + tmp.resolve("missing") + " does not exist"),
                Arguments.of(a("serve", "--run", aFile), 2, "--run " + aFile + " is a regular file, not a folder"),
                Arguments.of(a("export", "--run", decoderFolder, "--out", tmp.resolve("e3")), 2,
                        decoderFolder.resolve("decoder.onnx") + " is a folder, not a regular file"),
                Arguments.of(a("interpolate", "--run", run, "--from", emptyPicture, "--to", picture, "--out", out), 1,
                        "--from " + emptyPicture + " is not a PNG or JPEG image we can read"),
                Arguments.of(a("interpolate", "--run", run, "--from", bomb, "--to", picture, "--out", out), 1,
                        "--from " + bomb + " is 50000 x 50000 pixels, more than the 100 megapixels the toolkit decodes"));
    }

    @ParameterizedTest
    @MethodSource("oddInputs")
    void oneSentenceNamingTheFile(String[] args, int exitCode, String message) {
        Cli.Result r = Cli.run(args);
        assertEquals(exitCode, r.exitCode(), r.toString());
        if (exitCode == 0) {
            assertEquals("", r.err());
            return;
        }
        assertTrue(r.err().startsWith("toolkit: " + message), () -> "expected 'toolkit: " + message + "...':\n" + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat ") || r.err().contains("/home/runner"),
                r.err());
        ExportServeIT.assertOneLine(r);
    }

    private static String[] a(Object... args) {
        return Arrays.stream(args).map(Object::toString).toArray(String[]::new);
    }

    private static Path model(String name, OnnxMl.ModelProto model) throws IOException {
        return Files.write(tmp.resolve(name), model.toByteArray());
    }

    /** A copy of the trained run whose run.json holds {@code text}. */
    private static Path runWith(String name, String text) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String f : new String[] {"decoder.onnx", "encoder.onnx"}) {
            Files.copy(run.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("run.json"), text);
        return dir;
    }

    private static OnnxMl.ModelProto renameInput(OnnxMl.ModelProto m, String name) {
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        String old = g.getInput(0).getName();
        g.setInput(0, g.getInput(0).toBuilder().setName(name));
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto.Builder n = g.getNode(i).toBuilder();
            for (int j = 0; j < n.getInputCount(); j++) {
                if (n.getInput(j).equals(old)) {
                    n.setInput(j, name);
                }
            }
            g.setNode(i, n);
        }
        return m.toBuilder().setGraph(g).build();
    }

    /** The decoder with dimension {@code axis} of its input set to {@code value} (null: a symbolic dimension). */
    private static OnnxMl.ModelProto withInputDim(OnnxMl.ModelProto m, int axis, Long value) {
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        g.setInput(0, withDim(g.getInput(0), axis, value));
        return m.toBuilder().setGraph(g).build();
    }

    private static OnnxMl.ModelProto withOutputDim(OnnxMl.ModelProto m, int axis, long value) {
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        g.setOutput(0, withDim(g.getOutput(0), axis, value));
        return m.toBuilder().setGraph(g).build();
    }

    private static OnnxMl.ValueInfoProto withDim(OnnxMl.ValueInfoProto v, int axis, Long value) {
        OnnxMl.ValueInfoProto.Builder b = v.toBuilder();
        OnnxMl.TensorShapeProto.Dimension.Builder d = b.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(axis);
        if (value == null) {
            d.setDimParam("L");
        } else {
            d.setDimValue(value);
        }
        return b.build();
    }

    /** The decoder with its final Reshape asking for {@code size x size} pictures, which its data cannot fill. */
    private static OnnxMl.ModelProto withReshapeTo(OnnxMl.ModelProto m, long size) {
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals("decoder/shape")) {
                OnnxMl.TensorProto t = g.getInitializer(i);
                ByteBuffer raw = ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(-1).putLong(1)
                        .putLong(size).putLong(size);
                g.setInitializer(i, t.toBuilder().clearInt64Data().setRawData(com.google.protobuf.ByteString.copyFrom(
                        raw.array())));
                return m.toBuilder().setGraph(g).build();
            }
        }
        throw new AssertionError("the decoder has no decoder/shape initializer");
    }

    /** A PNG whose header declares {@code w x h} grey pixels, with a token of image data. */
    private static byte[] pngHeader(int w, int h) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[w + 1]);
        deflater.finish();
        byte[] data = new byte[1024];
        int n = deflater.deflate(data);
        chunk(png, "IDAT", Arrays.copyOf(data, n));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
