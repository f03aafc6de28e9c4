package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * decoder.onnx outside Java: onnxruntime-node 1.30 (npm) decodes the same latent vectors as the toolkit's own
 * ONNX Runtime 1.24 session, to within {@value #TOLERANCE} per pixel (pixels in [0, 1]), for a grey MLP decoder and
 * a colour convolutional one (ConvTranspose, batch norm), and a class-conditional decoder with two inputs,
 * {@code z} and {@code label} (int64).
 */
class NodeParityIT {
    /** Both run the same CPU kernels in float32; measured differences are ~1e-7. */
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path tmp;

    @Test
    void onnxruntimeNodeGivesTheImagesOfTheJavaDecode() throws IOException {
        NodePeers.assumeInstalled();
        check(TinyRun.train(tmp.resolve("mlp")), 20, "[32,1,28,28]");
    }

    @Test
    void alsoForAColourConvolutionalDecoder() throws IOException {
        NodePeers.assumeInstalled();
        Path run = TinyRun.trainWith(tmp.resolve("conv"), "--arch", "conv-vae", "-O", "image-size=32", "-O", "channels=8,16",
                "-O", "latent=8", "--epochs", "1", "--max-train", "256", "--max-test", "64", "-D", "train-size=300", "-D",
                "test-size=100", "--batch-size", "32");
        check(run, 8, "[32,3,32,32]");
    }

    @Test
    void aClassConditionalDecoderTakesZAndAnInt64Label() throws IOException {
        NodePeers.assumeInstalled();
        Path run = TinyRun.trainConditional(tmp.resolve("conditional"), 40, 1);
        int n = 30;
        float[] z = TinyRun.latents(n, 20, 7);
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % TinyRun.CLASSES.size();
        }
        Path zFile = tmp.resolve("conditional-z.bin");
        Files.write(zFile, floats(z));
        Path labelFile = tmp.resolve("conditional-labels.bin");
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(labels);
        Files.write(labelFile, b.array());
        Path outFile = tmp.resolve("conditional-images.bin");
        NodePeers.Result r = NodePeers.node("decode.mjs", 120, run.resolve("decoder.onnx").toString(), zFile.toString(),
                Integer.toString(n), outFile.toString(), labelFile.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("\"inputs\":[\"z\",\"label\"]") && r.output().contains("\"dims\":[30,3,16,16]"),
                r.output());
        float[] node = floats(Files.readAllBytes(outFile));
        float[] java = TinyRun.javaDecode(run.resolve("decoder.onnx"), z, labels);
        double diff = TinyRun.maxAbsDifference(java, node);
        System.out.printf("conditional: onnxruntime-node vs Java decode: max |difference| %.3g over %d values (%s)%n",
                diff, java.length, r.output().strip());
        assertTrue(diff <= TOLERANCE, "onnxruntime-node vs Java: max difference " + diff);
        // The label is really an input: the same z as another class gives other pixels.
        long[] shifted = labels.clone();
        for (int i = 0; i < n; i++) {
            shifted[i] = (labels[i] + 1) % TinyRun.CLASSES.size();
        }
        double labelEffect = TinyRun.maxAbsDifference(java, TinyRun.javaDecode(run.resolve("decoder.onnx"), z, shifted));
        assertTrue(labelEffect > 0.01, "changing the label changed no pixel by more than " + labelEffect);
    }

    private void check(Path run, int latent, String dims) throws IOException {
        int n = 32;
        float[] z = TinyRun.latents(n, latent, 7);
        Path zFile = run.resolveSibling(run.getFileName() + "-z.bin");
        Files.write(zFile, floats(z));
        Path outFile = run.resolveSibling(run.getFileName() + "-images.bin");
        NodePeers.Result r = NodePeers.node("decode.mjs", 120, run.resolve("decoder.onnx").toString(), zFile.toString(),
                Integer.toString(n), outFile.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("\"dims\":" + dims), r.output());
        float[] node = floats(Files.readAllBytes(outFile));
        float[] java = TinyRun.javaDecode(run.resolve("decoder.onnx"), z, n);
        double diff = TinyRun.maxAbsDifference(java, node);
        System.out.printf("%s: onnxruntime-node vs Java decode: max |difference| %.3g over %d values (%s)%n",
                run.getFileName(), diff, java.length, r.output().strip());
        assertTrue(diff <= TOLERANCE, "onnxruntime-node vs Java: max difference " + diff);
    }

    static byte[] floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
