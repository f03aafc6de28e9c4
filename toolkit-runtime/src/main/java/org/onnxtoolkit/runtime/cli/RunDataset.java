package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetException;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunRecord;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;

/** The dataset a run was trained on, opened again from its {@code run.json} (for reconstruct and evaluate). */
final class RunDataset {
    private RunDataset() {
    }

    /**
     * The settings recorded in the run's {@code run.json}; the folder has been opened, so the file is a regular
     * file if it exists.
     *
     * @param command the command's name, for the messages
     * @throws UsageException if the folder has no run.json (an export: it does not name the dataset)
     * @throws IOException    if run.json is damaged or lacks the dataset
     */
    static RunConfig config(Path run, String command) throws IOException {
        RunDirectory folder = RunDirectory.at(run);
        Path file = folder.runJson();
        if (!RunFolder.present(file)) {
            throw new UsageException(run + " has no " + RunDirectory.RUN_JSON + "; " + command + " needs the run folder"
                    + " itself (its run.json names the dataset), not an export");
        }
        RunRecord record = folder.readRecord();
        RunConfig config = record == null ? null : record.config();
        if (config == null || config.dataset() == null) {
            throw new IOException(file + " is damaged: it names no " + (config == null ? "config" : "config.dataset")
                    + "; " + command + " needs the dataset the run was trained on");
        }
        return config;
    }

    /**
     * Opens the run's dataset with its recorded options, at the models' image shape; decoding shows progress
     * on {@code out}.
     *
     * @throws UsageException if the dataset says the recorded options or paths are wrong
     * @throws IOException    if its files are wrong
     */
    static DatasetSplits open(CommonOptions common, RunConfig config, ImageShape shape, PrintWriter out)
            throws IOException {
        try (PluginRegistry plugins = Toolkit.plugins(common.pluginsDir)) {
            Dataset dataset = Lookup.dataset(plugins, config.dataset());
            try {
                return dataset.open(new DatasetOptions(config.dataDir() == null ? null : Path.of(config.dataDir()), shape,
                        config.seed(), config.datasetOptions(), new ConsoleDatasetProgress(out)));
            } catch (DatasetException e) {
                // The dataset says whose fault it is: the recorded options and paths (exit 2), or its files (exit 1).
                if (e.cause() == DatasetException.Cause.DATA) {
                    throw new IOException(e.getMessage(), e);
                }
                throw new UsageException(e.getMessage(), e);
            }
        }
    }

    /** The first images of a split a run used: all, or its {@code --max-train}/{@code --max-test} limit. */
    static int limit(int size, int max) {
        return max == 0 ? size : Math.min(size, max);
    }
}
