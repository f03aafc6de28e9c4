package org.onnxtoolkit.runtime.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import picocli.CommandLine.Option;

/**
 * The options that choose a model: the architecture and its options, the dataset and the objective. Shared
 * by {@code train}, {@code artifacts} and {@code benchmark}; the last two open no dataset and use only its
 * native image shape, when the architecture names none.
 */
final class ModelOptions {
    /** The image shape when neither the architecture nor the dataset names one (the shapes dataset's default). */
    static final ImageShape FALLBACK_SHAPE = new ImageShape(1, 28, 28);

    @Option(names = "--arch", paramLabel = "ID", defaultValue = TrainCommand.DEFAULT_ARCH,
            description = "architecture plugin (default: ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--dataset", paramLabel = "ID", defaultValue = TrainCommand.DEFAULT_DATASET,
            description = "dataset plugin (default: ${DEFAULT-VALUE})")
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

    /** The architecture options the flags give: {@code -O key=value} plus {@code --latent}, {@code --hidden}, {@code --preset}. */
    SortedMap<String, String> architectureOptions() {
        SortedMap<String, String> given = new TreeMap<>(archOptions);
        if (latent != null) {
            given.put("latent", latent.toString());
        }
        if (hidden != null) {
            given.put("hidden", hidden);
        }
        if (preset != null) {
            given.put("preset", preset);
        }
        return given;
    }

    /** The model and objective graphs these options describe; the registry must stay open while they are used. */
    ModelGraphs graphs(PluginRegistry plugins) {
        Architecture a = Lookup.architecture(plugins, arch);
        PluginOptions opts = Lookup.options(a.id(), a.options(), architectureOptions());
        ImageShape shape = a.preferredImageShape(opts);
        if (shape == null) {
            Dataset d = Lookup.dataset(plugins, dataset);
            shape = d.nativeShape() != null ? d.nativeShape() : FALLBACK_SHAPE;
        }
        LatentModel model = Lookup.create(a, opts, shape);
        Objective o = Lookup.objective(plugins, objective != null ? objective
                : Lookup.recommendedTraining(a, model).objectiveOr(TrainCommand.DEFAULT_OBJECTIVE));
        return new ModelGraphs(model, o, Lookup.options(o.id(), o.options(), Map.of()));
    }
}
