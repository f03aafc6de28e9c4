package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.runtime.report.GridLayout;
import org.onnxtoolkit.runtime.report.ImageBatch;
import org.onnxtoolkit.runtime.report.ReconstructionGrid;
import org.onnxtoolkit.engine.run.RunConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code toolkit reconstruct}: test images of a finished run beside their reconstructions. */
@Command(name = "reconstruct", defaultValueProvider = ReconstructCommand.DefaultCount.class, header = "Show a run's test images beside their reconstructions.",
        mixinStandardHelpOptions = true,
        description = "Encode the first N test images of a run's dataset and decode their means (encoder.onnx, decoder.onnx).",
        footer = {"", "Example:", "  ./toolkit reconstruct --run runs/<run> --n 16 --out recon.png"})
final class ReconstructCommand implements Callable<Integer> {
    /** {@code --n} when not given: 32 pictures, each beside its reconstruction. */
    static final class DefaultCount extends ImageCountOption.Default {
        DefaultCount() {
            super(32);
        }
    }

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunFolderOption runFolder;

    @Mixin
    ImageCountOption count;

    @Mixin
    PngOutputOption output;

    @Override
    public Integer call() throws IOException {
        int n = count.checked(1024);
        Path run = runFolder.dir;
        Path out = output.checkedTarget();
        RunFolder folder = RunFolder.open(run, true);
        RunConfig config = RunDataset.config(run, "reconstruct");
        DecoderModel decoder = folder.decoder();
        ImageShape shape = decoder.imageShape();
        DatasetSplits splits = RunDataset.open(common, config, shape, spec.commandLine().getOut());
        int shown = Math.min(n, splits.test().size());
        byte[] originals = new byte[shown * shape.size()];
        for (int i = 0; i < shown; i++) {
            splits.test().copyImage(i, originals, i * shape.size());
        }
        float[] x = new float[originals.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (originals[i] & 0xFF) / 255f;
        }
        // A class-conditional model encodes and decodes each image with its own label from the dataset.
        Tensor labels = null;
        if (decoder.conditional()) {
            long[] values = new long[shown];
            for (int i = 0; i < shown; i++) {
                values[i] = splits.test().label(i);
            }
            labels = Tensor.of(values, shown);
        }
        float[] mu = folder.encodeMeans(x, labels, shown);
        float[] recon = decoder.decode(Tensor.of(mu, shown, decoder.latentSize()), labels, SessionConfig.cpu());
        ReconstructionGrid.write(out, ImageBatch.ofUint8(originals, shown, shape.channels(), shape.height(), shape.width()),
                ImageBatch.ofFloats(recon, shown, shape.channels(), shape.height(), shape.width()),
                new GridLayout(8, shape.height() <= 32 ? 2 : 1, 2));
        spec.commandLine().getOut().println("wrote " + shown + " reconstructions to " + out);
        return ToolkitCli.OK;
    }
}
