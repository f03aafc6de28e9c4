package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.compiler.model.ModelGraphs;
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

    @Mixin
    ModelOptions model;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write the artifacts to")
    Path out;

    @Override
    public Integer call() throws IOException {
        try (PluginRegistry plugins = Toolkit.plugins(common.pluginsDir)) {
            ModelGraphs graphs = model.graphs(plugins);
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
