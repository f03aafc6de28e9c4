package org.onnxtoolkit.engine.training;

import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;

/** Turns 8-bit images of a split into float batches in [0, 1]. Not thread-safe: reuses its buffers. */
final class Batches {
    private final ImageSplit split;
    private final ImageShape shape;
    private final byte[] pixels;

    Batches(ImageSplit split) {
        this.split = split;
        this.shape = split.shape();
        this.pixels = new byte[shape.size()];
    }

    /** Images {@code order[from .. from+count)} as a {@code [count, C, H, W]} row-major float array. */
    float[] batch(int[] order, int from, int count) {
        int size = shape.size();
        float[] out = new float[count * size];
        for (int i = 0; i < count; i++) {
            split.copyImage(order[from + i], pixels, 0);
            int base = i * size;
            for (int j = 0; j < size; j++) {
                out[base + j] = (pixels[j] & 0xFF) * (1f / 255f);
            }
        }
        return out;
    }

    /** The class labels of images {@code order[from .. from+count)}, as a class-conditional model's input wants them. */
    long[] labels(int[] order, int from, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = split.label(order[from + i]);
        }
        return out;
    }

    long[] shape(int count) {
        return new long[] {count, shape.channels(), shape.height(), shape.width()};
    }
}
