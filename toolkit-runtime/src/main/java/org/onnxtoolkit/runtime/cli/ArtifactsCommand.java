package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code toolkit artifacts}: compiles the ONNX Runtime training artifacts of a configuration. Its help lists
 * the pre-built configurations the installed toolkit ships, read from its {@code artifacts/} folder when the
 * help is shown.
 */
@Command(name = "artifacts", header = "Compile ONNX Runtime training artifacts, or inspect a set.",
        mixinStandardHelpOptions = true,
        description = "Compile the training artifacts (training, eval and optimizer models, manifest) of an architecture"
                + " or of an ONNX model (--model), or show what a set of artifacts takes (--inspect).",
        footer = {"", "Examples:", "  ./toolkit artifacts --arch mlp-vae --out artifacts/mlp-vae",
                "  ./toolkit artifacts --arch mlp-vae --hidden 512,256 --latent 2 --out /tmp/mlp-2d",
                "  ./toolkit artifacts --arch conv-vae --preset vanilla --out /tmp/conv-vanilla",
                "  ./toolkit artifacts --model net.onnx --loss cross-entropy --target label --out net-artifacts",
                "  ./toolkit artifacts --inspect net-artifacts",
                "", "In the source tree, scripts/regenerate-artifacts.sh regenerates the pre-built folders."})
final class ArtifactsCommand implements Callable<Integer> {
    /** The help section that lists the pre-built configurations, shown before the footer. */
    static final String SECTION_PREBUILT = "prebuilt";

    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions model;

    @Mixin
    ImportOptions imports;

    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "folder to write the artifacts to (required but with --inspect)")
    Path out;

    /** Takes the spec and adds the pre-built listing to the help, rendered only when the help is printed. */
    @CommandLine.Spec
    void spec(CommandLine.Model.CommandSpec commandSpec) {
        this.spec = commandSpec;
        CommandLine.Model.UsageMessageSpec usage = commandSpec.usageMessage();
        usage.sectionMap().put(SECTION_PREBUILT, help -> String.join(System.lineSeparator(), prebuiltListing())
                + System.lineSeparator());
        List<String> keys = new ArrayList<>(usage.sectionKeys());
        keys.add(keys.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER), SECTION_PREBUILT);
        usage.sectionKeys(keys);
    }

    /**
     * The help lines that name the pre-built configurations of the installed toolkit, one per folder, with its
     * configuration; {@code train} uses a folder when the configuration it trains matches.
     */
    static List<String> prebuiltListing() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        String home = System.getProperty(Toolkit.HOME_PROPERTY);
        if (home == null) {
            return lines;
        }
        Path root = Path.of(home).resolve("artifacts");
        List<ArtifactResolver.Prebuilt> prebuilt;
        try {
            prebuilt = ArtifactResolver.prebuilt(root);
        } catch (IOException e) {
            lines.add("Pre-built configurations: cannot list " + root + ": " + Errors.oneLine(e));
            return lines;
        }
        if (prebuilt.isEmpty()) {
            lines.add("Pre-built configurations: none in " + root + "; train compiles on first use.");
            return lines;
        }
        lines.add("Pre-built configurations in " + root + ":");
        lines.add("train uses one when it trains exactly that configuration; others are compiled on first use and");
        lines.add("cached in " + ArtifactResolver.defaultCacheRoot() + ".");
        int width = prebuilt.stream().mapToInt(p -> p.directory().getFileName().toString().length()).max().orElse(0);
        for (ArtifactResolver.Prebuilt p : prebuilt) {
            Map<String, String> c = p.manifest().configuration();
            List<String> settings = new ArrayList<>();
            c.forEach((k, v) -> {
                if (!k.equals("architecture")) {
                    settings.add(k + "=" + v);
                }
            });
            lines.add(String.format("  %-" + width + "s  %s %s", p.directory().getFileName(),
                    c.getOrDefault("architecture", "?"), String.join(" ", settings)));
        }
        return lines;
    }

    @Override
    public Integer call() throws IOException {
        if (imports.inspect != null) {
            return ImportedArtifacts.inspect(imports.inspect, spec.commandLine().getOut());
        }
        if (imports.model != null) {
            return ImportedArtifacts.write(imports, out, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        if (out == null) {
            throw new UsageException("missing --out DIR, the folder to write the artifacts to");
        }
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
