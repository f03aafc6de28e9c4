package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.runtime.report.GridLayout;
import org.onnxtoolkit.runtime.report.ImageBatch;
import org.onnxtoolkit.runtime.report.ImageGrid;
import org.onnxtoolkit.engine.training.Seeds;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code toolkit sample}: decodes random latent vectors with an exported decoder into a PNG grid. */
@Command(name = "sample", defaultValueProvider = SampleCommand.DefaultCount.class, header = "Draw random images with a decoder.onnx.",
        mixinStandardHelpOptions = true,
        description = "Decode N standard-normal latent vectors with a decoder.onnx into a PNG grid.",
        footer = {"", "Examples:", "  ./toolkit sample --model runs/<run>/decoder.onnx --n 64 --seed 7 \\", "      --out samples.png",
                "  # a class-conditional model (train --conditional): class 3, or one row per class",
                "  ./toolkit sample --model runs/<run>/decoder.onnx --label 3 --out class3.png",
                "  ./toolkit sample --model runs/<run>/decoder.onnx --label all --out classes.png"})
final class SampleCommand implements Callable<Integer> {
    /** {@code --n} when not given: an 8 by 8 grid. */
    static final class DefaultCount extends ImageCountOption.Default {
        DefaultCount() {
            super(64);
        }
    }

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE.onnx", description = "an exported decoder.onnx")
    Path model;

    @Mixin
    ImageCountOption count;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed of the latent vectors (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = LabelOption.NAME, paramLabel = "K|all", description = "class-conditional decoders (train"
            + " --conditional), required there: the class to draw, its index (0, 1, ...) or name; all: one row per class,"
            + " each of ceil(sqrt(N)) images, the same latent vectors in every row")
    String label;

    @Mixin
    DeviceOption device;

    @Mixin
    PngOutputOption output;

    @Override
    public Integer call() throws IOException {
        int n = count.checked(4096);
        Path out = output.checkedTarget();
        DecoderModel decoder = DecoderModel.read(model);
        int columns = (int) Math.ceil(Math.sqrt(n));
        boolean all = label != null && label.trim().equalsIgnoreCase("all") && !decoder.classes().contains(label);
        if (label == null && decoder.conditional()) {
            throw new UsageException(model + " is class-conditional (" + decoder.classes().size() + " classes: "
                    + String.join(", ", decoder.classes()) + "); give " + LabelOption.NAME + " K (0 to "
                    + (decoder.classes().size() - 1) + ") or " + LabelOption.NAME + " all");
        }
        if (all && !decoder.conditional()) {
            decoder.labelIndex(label, LabelOption.NAME, true); // the one-line refusal of --label for this decoder
        }
        int latent = decoder.latentSize();
        int total;
        float[] z;
        long[] labels = null;
        if (all) {
            // One row per class; column c has the same latent vector in every row, so a column shows one z as
            // each class.
            int classes = decoder.classes().size();
            total = classes * columns;
            decoder.requireFits(total, "--n");
            float[] row = new float[columns * latent];
            Seeds.gaussians(row, Seeds.stream(seed, Seeds.Purpose.SAMPLES));
            z = new float[total * latent];
            labels = new long[total];
            for (int r = 0; r < classes; r++) {
                System.arraycopy(row, 0, z, r * row.length, row.length);
                java.util.Arrays.fill(labels, r * columns, (r + 1) * columns, r);
            }
        } else {
            total = n;
            decoder.requireFits(n, "--n");
            z = new float[n * latent];
            Seeds.gaussians(z, Seeds.stream(seed, Seeds.Purpose.SAMPLES));
            if (label != null) {
                labels = new long[n];
                java.util.Arrays.fill(labels, decoder.labelIndex(label, LabelOption.NAME, true));
            }
        }
        SessionConfig config = SessionConfig.cpu().withDevice(device.checked());
        float[] images = decoder.decode(Tensor.of(z, total, latent), labels == null ? null : Tensor.of(labels, total),
                config);
        var shape = decoder.imageShape();
        ImageGrid.write(out, ImageBatch.ofFloats(images, total, shape.channels(), shape.height(), shape.width()),
                new GridLayout(columns, shape.height() <= 32 ? 2 : 1, 2));
        java.io.PrintWriter console = spec.commandLine().getOut();
        if (all) {
            console.println("wrote " + decoder.classes().size() + " rows of " + columns + " samples, one row per class,"
                    + " to " + out + ":");
            for (int r = 0; r < decoder.classes().size(); r++) {
                console.println("  row " + (r + 1) + ": label " + r + " (" + decoder.classes().get(r) + ")");
            }
        } else if (labels != null) {
            int k = (int) labels[0];
            console.println("wrote " + n + " samples of class " + k + " (" + decoder.classes().get(k) + ") to " + out);
        } else {
            console.println("wrote " + n + " samples to " + out);
        }
        return ToolkitCli.OK;
    }
}
