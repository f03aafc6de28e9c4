package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.runtime.artifacts.TrainingArtifacts;
import org.onnxtoolkit.runtime.model.ArtifactResolver;
import org.onnxtoolkit.runtime.model.ModelGraphs;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code toolkit artifacts}: compiles the ONNX Runtime training artifacts of a configuration. */
@Command(name = "artifacts", mixinStandardHelpOptions = true,
        description = "Compile the training artifacts (training, eval and optimizer models, manifest) of an architecture.",
        footer = {"", "Examples:", "  ./toolkit artifacts --arch mlp-vae --out artifacts/mlp-vae",
                "  ./toolkit artifacts --arch mlp-vae --hidden 512,256 --latent 2 --out /tmp/mlp-2d"})
final class ArtifactsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "ID", description = "architecture plugin")
    String arch;

    @Option(names = "--dataset", paramLabel = "ID", defaultValue = TrainCommand.DEFAULT_DATASET,
            description = "dataset whose image shape to compile for (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--objective", paramLabel = "ID", description = "objective plugin (default: the architecture's, else bce-kl)")
    String objective;

    @Option(names = "--latent", paramLabel = "N", description = "latent dimensions")
    Integer latent;

    @Option(names = "--hidden", paramLabel = "N,N", description = "hidden layer sizes")
    String hidden;

    @Option(names = "--preset", paramLabel = "NAME", description = "architecture preset")
    String preset;

    @Option(names = {"-O", "--arch-option"}, paramLabel = "KEY=VALUE", description = "any architecture option")
    Map<String, String> archOptions = new LinkedHashMap<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write the artifacts to")
    Path out;

    @Override
    public Integer call() throws IOException {
        Map<String, String> given = new TreeMap<>(archOptions);
        if (latent != null) {
            given.put("latent", latent.toString());
        }
        if (hidden != null) {
            given.put("hidden", hidden);
        }
        if (preset != null) {
            given.put("preset", preset);
        }
        try (PluginRegistry plugins = Toolkit.plugins(common.pluginsDir)) {
            Architecture a = Lookup.architecture(plugins, arch);
            PluginOptions opts = Lookup.options(a.id(), a.options(), given);
            ImageShape shape = a.preferredImageShape(opts);
            if (shape == null) {
                Dataset d = Lookup.dataset(plugins, dataset);
                shape = d.nativeShape() != null ? d.nativeShape() : new ImageShape(1, 28, 28);
            }
            LatentModel model = Lookup.create(a, opts, shape);
            String objectiveId = objective != null ? objective
                    : model.recommendedTraining().getOrDefault("objective", TrainCommand.DEFAULT_OBJECTIVE);
            Objective o = Lookup.objective(plugins, objectiveId);
            ModelGraphs graphs = new ModelGraphs(model, o, Lookup.options(o.id(), o.options(), Map.of()));
            TrainingArtifacts artifacts;
            try {
                artifacts = ArtifactResolver.compile(graphs);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            artifacts.writeTo(out);
            spec.commandLine().getOut().println("wrote training artifacts for " + graphs.configuration() + " to " + out
                    + " (fingerprint " + artifacts.manifest().fingerprint() + ")");
            return ToolkitCli.OK;
        }
    }
}
