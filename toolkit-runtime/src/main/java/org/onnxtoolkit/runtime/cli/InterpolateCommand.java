package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.compiler.io.FileKind;
import org.onnxtoolkit.runtime.images.ImageInput;
import org.onnxtoolkit.runtime.report.GridLayout;
import org.onnxtoolkit.runtime.report.ImageBatch;
import org.onnxtoolkit.runtime.report.ImageGrid;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code toolkit interpolate}: decodes the straight line between the latent means of two pictures. */
@Command(name = "interpolate", header = "Walk the latent line between two pictures.",
        mixinStandardHelpOptions = true,
        description = {"Encode two pictures (PNG or JPEG) with a run's encoder.onnx, interpolate linearly between"
                + " their means mu in N steps (both ends included) and decode each point into a one-row PNG.",
                "Pictures are decoded, centre-cropped to the model's aspect ratio and resized as image-folder datasets"
                + " prepare training images (EXIF orientation applied, antialiased bilinear resize); colour becomes grey"
                + " (luma) for grey models, grey becomes RGB for colour models."},
        footer = {"", "Example:", "  ./toolkit interpolate --run runs/<run> --from a.png --to b.jpg --steps 10 --out line.png"})
final class InterpolateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunFolderOption runFolder;

    @Option(names = "--from", required = true, paramLabel = "IMG", description = "the first picture (PNG or JPEG)")
    Path from;

    @Option(names = "--to", required = true, paramLabel = "IMG", description = "the last picture (PNG or JPEG)")
    Path to;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "8",
            description = "images in the row, both ends included, 2 to 64 (default: ${DEFAULT-VALUE})")
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
        Path run = runFolder.dir;
        Path out = output.checkedTarget();
        RunFolder folder = RunFolder.open(run, true);
        ImageShape shape = folder.decoder().imageShape();
        int latent = folder.decoder().latentSize();
        float[] x = new float[2 * shape.size()];
        System.arraycopy(picture("--from", from, shape), 0, x, 0, shape.size());
        System.arraycopy(picture("--to", to, shape), 0, x, shape.size(), shape.size());
        // A class-conditional model encodes both pictures as the chosen class and decodes the line as it.
        int labelIndex = label.index(folder.decoder());
        float[] mu = folder.encodeMeans(x, labelIndex < 0 ? null : RunFolder.labels(labelIndex, 2), 2);
        float[] z = line(mu, latent, steps);
        float[] images = folder.decode(z, steps, labelIndex);
        ImageGrid.write(out, ImageBatch.ofFloats(images, steps, shape.channels(), shape.height(), shape.width()),
                new GridLayout(steps, shape.height() <= 32 ? 2 : 1, 2));
        spec.commandLine().getOut().println("wrote " + steps + " images from " + from + " to " + to + " to " + out);
        return ToolkitCli.OK;
    }

    /**
     * The points {@code a + t (b - a)} for {@code t = k / (steps - 1)}, {@code k = 0..steps-1}, where {@code a} and
     * {@code b} are the two rows of {@code ends [2, latent]}; the ends are exact.
     *
     * @return {@code [steps, latent]}
     */
    static float[] line(float[] ends, int latent, int steps) {
        float[] z = new float[steps * latent];
        for (int k = 0; k < steps; k++) {
            double t = (double) k / (steps - 1);
            for (int d = 0; d < latent; d++) {
                double a = ends[d];
                double b = ends[latent + d];
                z[k * latent + d] = k == steps - 1 ? ends[latent + d] : (float) (a + t * (b - a));
            }
        }
        return z;
    }

    private static float[] picture(String option, Path file, ImageShape shape) throws IOException {
        FileKind kind = FileKind.of(file, true);
        if (kind == FileKind.MISSING) {
            throw new UsageException(option + " " + file + " does not exist");
        }
        if (kind != FileKind.REGULAR) {
            throw new UsageException(option + " " + file + " is " + kind.description() + ", not a picture file");
        }
        try {
            return ImageInput.read(file, shape);
        } catch (ImageInput.NotAnImageException e) {
            // What is inside the file is wrong, not the command line: exit 1.
            throw new IOException(option + " " + e.getMessage(), e);
        }
    }
}
