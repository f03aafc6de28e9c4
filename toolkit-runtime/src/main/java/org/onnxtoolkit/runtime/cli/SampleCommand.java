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
        footer = {"", "Example:", "  ./toolkit sample --model runs/<run>/decoder.onnx --n 64 --seed 7 \\", "      --out samples.png"})
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

    @Mixin
    DeviceOption device;

    @Mixin
    PngOutputOption output;

    @Override
    public Integer call() throws IOException {
        int n = count.checked(4096);
        Path out = output.checkedTarget();
        DecoderModel decoder = DecoderModel.read(model);
        decoder.requireFits(n, "--n");
        float[] z = new float[n * decoder.latentSize()];
        Seeds.gaussians(z, Seeds.stream(seed, Seeds.Purpose.SAMPLES));
        SessionConfig config = SessionConfig.cpu().withDevice(device.checked());
        float[] images = decoder.decode(Tensor.of(z, n, decoder.latentSize()), config);
        var shape = decoder.imageShape();
        int columns = (int) Math.ceil(Math.sqrt(n));
        ImageGrid.write(out, ImageBatch.ofFloats(images, n, shape.channels(), shape.height(), shape.width()),
                new GridLayout(columns, shape.height() <= 32 ? 2 : 1, 2));
        spec.commandLine().getOut().println("wrote " + n + " samples to " + out);
        return ToolkitCli.OK;
    }
}
