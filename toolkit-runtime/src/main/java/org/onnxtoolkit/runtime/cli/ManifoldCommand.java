package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.runtime.report.GridLayout;
import org.onnxtoolkit.runtime.report.ImageBatch;
import org.onnxtoolkit.runtime.report.ImageGrid;
import org.onnxtoolkit.runtime.report.LatentManifold;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code toolkit manifold}: the decoder's images over a plane of the latent space. */
@Command(name = "manifold", header = "Draw a plane through the latent space of a run.",
        mixinStandardHelpOptions = true,
        description = {"Decode an N x N grid over two latent dimensions into a PNG; the other dimensions are 0 (the"
                + " prior's mean). Coordinates are standard-normal quantiles of probabilities 0.05..0.95, x to the"
                + " right, y upwards. For a 2-D latent with the default --dims this is the run's manifold.png."},
        footer = {"", "Example:", "  ./toolkit manifold --run runs/<run> --dims 3,7 --steps 15 --out plane.png"})
final class ManifoldCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunFolderOption runFolder;

    @Option(names = "--dims", paramLabel = "I,J", split = ",", defaultValue = "0,1",
            description = "the latent dimensions along x and y, counted from 0 (default: ${DEFAULT-VALUE})")
    List<Integer> dims;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20",
            description = "points per axis, 2 to 64 (default: ${DEFAULT-VALUE})")
    int steps;

    @Mixin
    LabelOption label;

    @Mixin
    PngOutputOption output;

    @Override
    public Integer call() throws IOException {
        if (steps < 2 || steps > 64) {
            throw new UsageException("--steps must be between 2 and 64, got " + steps);
        }
        if (dims.size() != 2) {
            throw new UsageException("--dims takes two latent dimensions I,J, got " + dims.size());
        }
        Path run = runFolder.dir;
        Path out = output.checkedTarget();
        RunFolder folder = RunFolder.open(run, false);
        int latent = folder.decoder().latentSize();
        int i = dims.get(0);
        int j = dims.get(1);
        if (latent < 2) {
            throw new UsageException("a manifold needs at least 2 latent dimensions; this decoder has " + latent);
        }
        if (i < 0 || j < 0 || i >= latent || j >= latent || i == j) {
            throw new UsageException("--dims must be two different dimensions between 0 and " + (latent - 1) + ", got "
                    + i + "," + j);
        }
        float[] z = LatentManifold.gridPoints(steps, latent, i, j);
        int labelIndex = label.index(folder.decoder());
        float[] images = folder.decode(z, steps * steps, labelIndex);
        ImageShape shape = folder.decoder().imageShape();
        // The layout of the run's own manifold.png, so that both pictures are the same for a 2-D latent.
        ImageGrid.write(out, ImageBatch.ofFloats(images, steps * steps, shape.channels(), shape.height(), shape.width()),
                new GridLayout(steps, 1, 0));
        spec.commandLine().getOut().println("wrote the " + steps + "x" + steps + " manifold over dimensions " + i + " and "
                + j + (labelIndex >= 0 ? " of class " + labelIndex + " (" + folder.decoder().classes().get(labelIndex) + ")"
                : "") + " to " + out);
        return ToolkitCli.OK;
    }
}
