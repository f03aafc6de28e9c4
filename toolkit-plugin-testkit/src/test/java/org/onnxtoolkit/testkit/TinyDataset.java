package org.onnxtoolkit.testkit;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;

/** Seeded random labelled images of any shape; the tests switch on one flaw at a time. */
@PluginId("tiny-dataset")
@ApplicationScoped
public class TinyDataset implements Dataset {
    enum Flaw {
        NONE, UNSEEDED, FINGERPRINT_BY_TIME, LABEL_OUT_OF_RANGE, ACCEPTS_ANY_OPTION, IGNORES_SHAPE, WRITES_PAST_THE_IMAGE,
        NO_BOUNDS_CHECK, MULTI_LINE_NOTE, CONFINED_TO_ONE_THREAD
    }

    static final ImageShape DEFAULT_SHAPE = new ImageShape(1, 4, 4);
    static final List<String> CLASSES = List.of("dark", "mid", "bright");
    private final Flaw flaw;

    public TinyDataset() {
        this(Flaw.NONE);
    }

    TinyDataset(Flaw flaw) {
        this.flaw = flaw;
    }

    @Override
    public String description() {
        return "seeded random labelled images, for the test kit's own tests";
    }

    @Override
    public List<org.onnxtoolkit.api.spi.OptionSpec> options() {
        return List.of(new org.onnxtoolkit.api.spi.OptionSpec("train-size", "6", "images in the train split"),
                new org.onnxtoolkit.api.spi.OptionSpec("test-size", "3", "images in the test split"));
    }

    @Override
    public ImageShape nativeShape() {
        return null;
    }

    @Override
    public DatasetSplits open(DatasetOptions request) {
        int trainSize = 6;
        int testSize = 3;
        if (flaw != Flaw.ACCEPTS_ANY_OPTION) {
            PluginOptions options = request.optionsFor(this);
            trainSize = options.getPositiveInt("train-size");
            testSize = options.getPositiveInt("test-size");
        }
        ImageShape shape = request.shape() == null || flaw == Flaw.IGNORES_SHAPE ? DEFAULT_SHAPE : request.shape();
        long seed = flaw == Flaw.UNSEEDED ? System.nanoTime() : request.seed();
        String fingerprint = "tiny-" + request.seed() + "-" + shape + "-" + trainSize + "-" + testSize
                + (flaw == Flaw.FINGERPRINT_BY_TIME ? "-" + System.nanoTime() : "");
        List<String> notes = flaw == Flaw.MULTI_LINE_NOTE ? List.of("first line\nsecond line") : List.of();
        return new DatasetSplits(split(shape, trainSize, seed), split(shape, testSize, seed + 1), fingerprint, notes,
                CLASSES);
    }

    private Split split(ImageShape shape, int size, long seed) {
        byte[] pixels = new byte[size * shape.size()];
        new SplittableRandom(seed).nextBytes(pixels);
        return new Split(shape, size, pixels, flaw, Thread.currentThread());
    }

    private record Split(ImageShape shape, int size, byte[] pixels, Flaw flaw, Thread opener) implements ImageSplit {
        @Override
        public void copyImage(int index, byte[] target, int offset) {
            if (flaw == Flaw.CONFINED_TO_ONE_THREAD && Thread.currentThread() != opener) {
                java.util.Arrays.fill(target, offset, offset + shape.size(), (byte) 0);
                return;
            }
            if (flaw == Flaw.NO_BOUNDS_CHECK) {
                index = Math.floorMod(index, size);
            }
            Objects.checkIndex(index, size);
            System.arraycopy(pixels, index * shape.size(), target, offset, shape.size());
            if (flaw == Flaw.WRITES_PAST_THE_IMAGE && offset + shape.size() < target.length) {
                target[offset + shape.size()] = 0;
            }
        }

        @Override
        public int label(int index) {
            Objects.checkIndex(index, size);
            int label = Byte.toUnsignedInt(pixels[index * shape.size()]) % CLASSES.size();
            return flaw == Flaw.LABEL_OUT_OF_RANGE && index == size - 1 ? CLASSES.size() : label;
        }
    }
}
