package org.onnxtoolkit.runtime.cli;

import java.util.List;
import java.util.Map;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.api.spi.RecommendedTraining;
import org.onnxtoolkit.engine.training.TrainingException;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import org.onnxtoolkit.runtime.plugins.UnknownPluginException;

/**
 * Plugin look-ups whose failures are usage errors (exit code 2): an unknown id, options or a shape the plugin
 * refuses; and the one place a dataset is opened, whose failures say whose fault they are. Looking a plugin up starts it; a plugin that cannot start throws
 * {@link org.onnxtoolkit.runtime.plugins.PluginStartException}, a runtime failure (exit code 1) whose one line
 * names the jar and the class, which passes through.
 */
final class Lookup {
    private Lookup() {
    }

    static Architecture architecture(PluginRegistry r, String id) {
        try {
            return r.architecture(id);
        } catch (UnknownPluginException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static Dataset dataset(PluginRegistry r, String id) {
        try {
            return r.dataset(id);
        } catch (UnknownPluginException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static Objective objective(PluginRegistry r, String id) {
        try {
            return r.objective(id);
        } catch (UnknownPluginException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static PluginOptions options(String owner, List<OptionSpec> specs, Map<String, String> given) {
        try {
            return PluginOptions.of(owner, specs, given);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static LatentModel create(Architecture a, PluginOptions options, ImageShape shape) {
        try {
            return a.create(options, shape);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /**
     * The dataset options given ({@code -D}, {@code --crop}, ...), checked against those the dataset declares
     * before it opens anything: an undeclared one is a usage error naming the declared ones.
     */
    static PluginOptions datasetOptions(Dataset d, Map<String, String> given) {
        return options("dataset " + d.id(), d.options(), given);
    }

    /**
     * Opens a dataset. A {@link DatasetException} blames the request (exit 2) or the content of the files (exit 1),
     * as its cause says; an {@link IllegalArgumentException} is an option the dataset's {@link PluginOptions}
     * refused (exit 2).
     */
    static DatasetSplits open(Dataset d, DatasetOptions request) {
        try {
            return d.open(request);
        } catch (DatasetException e) {
            throw datasetFailure(e);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /**
     * A dataset that cannot be opened: the user's request ({@link DatasetException.Cause#USAGE}, exit 2) or the
     * content of its files ({@link DatasetException.Cause#DATA}, exit 1).
     */
    static RuntimeException datasetFailure(DatasetException e) {
        return e.cause() == DatasetException.Cause.DATA ? new TrainingException(e.getMessage(), e)
                : new UsageException(e.getMessage(), e);
    }

    /**
     * The training the model recommends ({@link RecommendedTraining#NONE} for null). A recommendation that cannot
     * be made is the architecture's mistake, not the user's: a runtime failure (exit 1) naming it.
     */
    static RecommendedTraining recommendedTraining(Architecture a, LatentModel model) {
        try {
            RecommendedTraining r = model.recommendedTraining();
            return r != null ? r : RecommendedTraining.NONE;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("architecture " + a.id() + " cannot recommend its training settings ("
                    + e.getMessage() + "); fix its recommendedTraining()", e);
        }
    }
}
