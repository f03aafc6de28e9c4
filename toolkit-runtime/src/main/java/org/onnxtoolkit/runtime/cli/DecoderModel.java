package org.onnxtoolkit.runtime.cli;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.runtime.model.ModelGraphs;

/** An exported {@code decoder.onnx} read from disk, with its latent size and image shape checked. */
record DecoderModel(byte[] bytes, int latentSize, ImageShape imageShape) {

    static DecoderModel read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UsageException("model file " + file + " does not exist");
        }
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new UsageException(file + " is not an ONNX model (it cannot be parsed)");
        }
        OnnxMl.GraphProto g = model.getGraph();
        if (g.getInputCount() != 1 || g.getOutputCount() != 1 || !g.getInput(0).getName().equals(ModelGraphs.Z)
                || !g.getOutput(0).getName().equals(ModelGraphs.IMAGE)) {
            throw new UsageException(file + " is not a decoder exported by the toolkit (expected one input 'z' [N, latent]"
                    + " and one output 'image' [N, C, H, W])");
        }
        long[] in = dims(g.getInput(0));
        long[] out = dims(g.getOutput(0));
        if (in.length != 2 || in[1] <= 0 || out.length != 4 || out[1] <= 0 || out[2] <= 0 || out[3] <= 0) {
            throw new UsageException(file + ": expected input z [N, latent] and output image [N, C, H, W], found z "
                    + java.util.Arrays.toString(in) + " and image " + java.util.Arrays.toString(out));
        }
        return new DecoderModel(bytes, (int) in[1], new ImageShape((int) out[1], (int) out[2], (int) out[3]));
    }

    private static long[] dims(OnnxMl.ValueInfoProto v) {
        OnnxMl.TensorShapeProto s = v.getType().getTensorType().getShape();
        long[] d = new long[s.getDimCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.getDim(i).hasDimValue() ? s.getDim(i).getDimValue() : -1;
        }
        return d;
    }
}
