package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import org.onnxtoolkit.runtime.report.GridLayout;
import org.onnxtoolkit.runtime.report.ImageBatch;
import org.onnxtoolkit.runtime.report.ReconstructionGrid;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunRecord;
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
        RunConfig config = runConfig(run);
        DecoderModel decoder = folder.decoder();
        ImageShape shape = decoder.imageShape();
        DatasetSplits splits;
        try (PluginRegistry plugins = Toolkit.plugins(common.pluginsDir)) {
            Dataset dataset = Lookup.dataset(plugins, config.dataset());
            try {
                splits = dataset.open(new DatasetOptions(config.dataDir() == null ? null : Path.of(config.dataDir()), shape,
                        config.seed(), config.datasetOptions(), new ConsoleDatasetProgress(spec.commandLine().getOut())));
            } catch (DatasetException e) {
                // The dataset says whose fault it is: the recorded options and paths (exit 2), or its files (exit 1).
                if (e.cause() == DatasetException.Cause.DATA) {
                    throw new IOException(e.getMessage(), e);
                }
                throw new UsageException(e.getMessage(), e);
            }
        }
        int count = Math.min(n, splits.test().size());
        byte[] originals = new byte[count * shape.size()];
        for (int i = 0; i < count; i++) {
            splits.test().copyImage(i, originals, i * shape.size());
        }
        float[] x = new float[originals.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (originals[i] & 0xFF) / 255f;
        }
        float[] mu = folder.encodeMeans(x, count);
        float[] recon = decoder.decode(Tensor.of(mu, count, decoder.latentSize()), SessionConfig.cpu());
        ReconstructionGrid.write(out, ImageBatch.ofUint8(originals, count, shape.channels(), shape.height(), shape.width()),
                ImageBatch.ofFloats(recon, count, shape.channels(), shape.height(), shape.width()),
                new GridLayout(8, shape.height() <= 32 ? 2 : 1, 2));
        spec.commandLine().getOut().println("wrote " + count + " reconstructions to " + out);
        return ToolkitCli.OK;
    }

    /**
     * The settings recorded in the run's {@code run.json}; the folder has been opened, so the file is a regular file.
     *
     * @throws UsageException if the folder has no run.json (an export: it does not name the dataset)
     * @throws IOException    if run.json is damaged or lacks the dataset
     */
    private static RunConfig runConfig(Path run) throws IOException {
        RunDirectory folder = RunDirectory.at(run);
        Path file = folder.runJson();
        if (!RunFolder.present(file)) {
            throw new UsageException(run + " has no " + RunDirectory.RUN_JSON + "; reconstruct needs the run folder itself"
                    + " (its run.json names the dataset), not an export");
        }
        RunRecord record = folder.readRecord();
        RunConfig config = record == null ? null : record.config();
        if (config == null || config.dataset() == null) {
            throw new IOException(file + " is damaged: it names no " + (config == null ? "config" : "config.dataset")
                    + "; reconstruct needs the dataset the run was trained on");
        }
        return config;
    }
}
