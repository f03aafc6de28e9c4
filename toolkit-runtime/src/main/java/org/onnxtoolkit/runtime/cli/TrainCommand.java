package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.api.spi.RecommendedTraining;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.runtime.plugins.PluginInfo;
import org.onnxtoolkit.runtime.plugins.PluginLoader;
import org.onnxtoolkit.runtime.plugins.PluginObservers;
import org.onnxtoolkit.runtime.plugins.PluginKind;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import org.onnxtoolkit.runtime.plugins.PluginServices;
import org.onnxtoolkit.api.spi.ToolkitContext;
import org.onnxtoolkit.engine.training.ResumeChecks;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunLock;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunRecord;
import org.onnxtoolkit.engine.training.Trainer;
import org.onnxtoolkit.runtime.report.RunPictures;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code toolkit train}: trains a model and writes a run folder. */
@Command(name = "train", header = "Train a model on a dataset and write a run folder.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes metrics, pictures, checkpoints, decoder.onnx and encoder.onnx to a run folder."},
        footer = {"", "Examples:",
                "  # mlp-vae on the built-in shapes dataset",
                "  ./toolkit train",
                "  ./toolkit train --arch mlp-vae --dataset fashion-mnist --epochs 10",
                "  ./toolkit train --dataset mnist --data-dir ~/mnist --hidden 512,256 --latent 2",
                "  # the blog notebook's conv VAE on 64x64 RGB shapes",
                "  ./toolkit train --arch conv-vae",
                "  ./toolkit train --arch conv-vae --preset vanilla --dataset celeba \\",
                "      --data-dir ~/celeba",
                "  ./toolkit train --arch conv-vae --dataset image-folder --data-dir ~/photos \\",
                "      --image-size 64 --crop 160",
                "  ./toolkit train --resume runs/20261121-101500-mlp-vae-shapes",
                "  # a class-conditional VAE (sample --label K then draws class K)",
                "  ./toolkit train --dataset fashion-mnist --conditional --epochs 10",
                "", "Exit codes: 0 done, 1 a runtime failure or a damaged run folder, 2 a usage error, 130 interrupted."})
final class TrainCommand implements Callable<Integer> {
    static final String DEFAULT_ARCH = "mlp-vae";
    static final String DEFAULT_DATASET = "shapes";
    static final String DEFAULT_OBJECTIVE = "bce-kl";
    static final int DEFAULT_EPOCHS = 5;
    static final int DEFAULT_BATCH = 128;
    static final double DEFAULT_LR = 1e-3;
    static final double DEFAULT_KL_WEIGHT = 1.0;

    @Mixin
    CommonOptions common;

    @ArgGroup(validate = false, heading = "%nWhat to train:%n", order = 1)
    ModelOptions choice = new ModelOptions();


    CommandLine.Model.CommandSpec spec;

    /**
     * Picocli's injection point; also adds the help section that lists the plugins found, whose options this
     * command's {@code -O} and {@code -D} set.
     */
    @CommandLine.Spec
    void spec(CommandLine.Model.CommandSpec commandSpec) {
        this.spec = commandSpec;
        Map<String, CommandLine.IHelpSectionRenderer> sections = commandSpec.usageMessage().sectionMap();
        CommandLine.IHelpSectionRenderer footer = sections.get(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER);
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER,
                help -> (footer == null ? "" : footer.render(help)) + pluginsHelp(common == null ? null : common.pluginsDir));
    }

    @ArgGroup(validate = false, heading = "%nData:%n", order = 2)
    TrainDataOptions data = new TrainDataOptions();

    @ArgGroup(validate = false, heading = "%nTraining:%n", order = 3)
    TrainSettingsOptions training = new TrainSettingsOptions();

    @ArgGroup(validate = false, heading = "%nSchedules, early stop and step logs:%n", order = 4)
    ScheduleOptions scheduleOptions = new ScheduleOptions();

    @ArgGroup(validate = false, heading = "%nRun folder:%n", order = 5)
    RunFolderChoice folder = new RunFolderChoice();

    @Mixin
    DeviceOption device;

    @ArgGroup(validate = false, heading = "%nData-parallel training on Apache Spark:%n", order = 6)
    DataParallelOptions parallel = new DataParallelOptions();

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads; 0 = its default, one per"
            + " physical core (default: ${DEFAULT-VALUE})", defaultValue = "0")
    int threads;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (folder.allowDataChange && folder.resume == null) {
            throw new UsageException("--allow-data-change only applies to --resume");
        }
        RunRecord record = folder.resume != null ? resumedRecord(folder.resume) : null;
        RunConfig resumed = record != null ? resumedConfig(record) : null;
        Path runDir = folder.resume != null ? folder.resume : folder.out != null ? folder.out : defaultRunDir(choice.arch, choice.dataset);
        if (folder.resume == null) {
            checkFlags();
            if (Files.exists(runDir) && !isEmptyDir(runDir)) {
                throw new UsageException("run folder " + runDir + " already exists and is not empty; continue it with"
                        + " --resume " + runDir + " or choose another --out");
            }
        }
        parallel.check(resumed != null && !spec.commandLine().getParseResult().hasMatchedOption(DeviceOption.NAME)
                ? resumed.device() : device.text, DataParallelOptions.NAMES.stream().skip(1)
                .anyMatch(spec.commandLine().getParseResult()::hasMatchedOption));
        // Before any plugin, data set or run folder is touched: a GPU this machine cannot use ends here.
        SessionConfig sessionConfig = SessionConfig.cpu()
                .withIntraOpThreads(resumed != null ? resumed.threads() : threads)
                .withDevice(Devices.parseAndCheck(resumed != null ? resumed.device() : device.text));
        RunLock lock = null;
        try {
            ResumeChecks.CheckedState checked = null;
            if (folder.resume != null) {
                // The lock comes before reading state.json: a running trainer replaces it under our feet.
                lock = RunLock.acquire(runDir);
                checked = ResumeChecks.readState(runDir);
                if (checked != null && checked.state().batchesDone() > 0
                        && resumed.epochs() <= checked.state().completedEpochs()) {
                    throw new UsageException("--epochs " + resumed.epochs() + ": the run stopped in the middle of epoch "
                            + (checked.state().completedEpochs() + 1) + "; give --epochs "
                            + (checked.state().completedEpochs() + 1) + " or more");
                }
            }
            return train(out, runDir, resumed, record, checked, sessionConfig, lock);
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** Opens plugins and data and runs the trainer; a new run takes the folder's lock here, before writing. */
    private int train(PrintWriter out, Path runDir, RunConfig resumed, RunRecord record,
                      ResumeChecks.CheckedState checked, SessionConfig sessionConfig, RunLock resumeLock)
            throws IOException {
        RunLock newRunLock = null;
        ConsoleDatasetProgress progress = new ConsoleDatasetProgress(out);
        PluginServices services = new PluginServices(progress, new ToolkitContext(
                PluginLoader.defaultCacheDirectory(), ToolkitVersion.get(), common.verbose));
        try (PluginRegistry plugins = Toolkit.plugins(common.pluginsDir, services)) {
            String archId = resumed != null ? resumed.architecture() : choice.arch;
            String datasetId = resumed != null ? resumed.dataset() : choice.dataset;
            Architecture architecture = Lookup.architecture(plugins, archId);
            Dataset dataset = Lookup.dataset(plugins, datasetId);
            SortedMap<String, String> archGiven = resumed != null ? resumed.architectureOptions() : new TreeMap<>();
            SortedMap<String, String> dataGiven = resumed != null ? resumed.datasetOptions() : new TreeMap<>();
            if (resumed == null) {
                collectOptions(architecture, archGiven, dataGiven);
            }
            PluginOptions archOpts = Lookup.options(architecture.id(), architecture.options(), archGiven);
            Lookup.datasetOptions(dataset, dataGiven);
            String dataDirText = resumed != null ? resumed.dataDir() : data.dataDir == null ? null : data.dataDir.toString();
            long runSeed = resumed != null ? resumed.seed() : training.seed;
            DatasetSplits splits = Lookup.open(dataset, new DatasetOptions(dataDirText == null ? null : Path.of(dataDirText),
                    architecture.preferredImageShape(archOpts), runSeed, dataGiven, progress));
            boolean conditional = resumed != null ? resumed.conditional() : data.conditional.conditional;
            if (conditional && !splits.labelled()) {
                throw new UsageException(ConditionalOption.NAME + ": dataset " + dataset.id() + " has no class labels;"
                        + " use a labelled one (mnist, fashion-mnist, image-folder with class subfolders) or leave out "
                        + ConditionalOption.NAME);
            }
            LatentModel model = Lookup.create(architecture, archOpts, splits.train().shape());
            RunConfig config = resumed != null ? resumed
                    : newConfig(archGiven, dataGiven, dataDirText, Lookup.recommendedTraining(architecture, model));
            Objective objectivePlugin = Lookup.objective(plugins, config.objective());
            PluginOptions objOpts = Lookup.options(objectivePlugin.id(), objectivePlugin.options(), Map.of());
            ModelGraphs graphs;
            try {
                graphs = new ModelGraphs(model, objectivePlugin, objOpts, conditional ? splits.classes() : List.of());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            ArtifactResolver.Resolved resolved;
            try {
                resolved = Toolkit.artifactResolver().resolve(graphs);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            Map<String, String> provenance = provenance(plugins, config, splits, resolved);
            if (common.verbose) {
                out.println("artifacts: " + resolved.source().name().toLowerCase(java.util.Locale.ROOT) + " "
                        + resolved.directory());
            }
            if (resumeLock == null) {
                Files.createDirectories(runDir);
                newRunLock = RunLock.acquire(runDir);
                if (!isEmptyDir(runDir)) {
                    throw new UsageException("run folder " + runDir + " was filled by another process while this"
                            + " one prepared; continue it with --resume " + runDir + " or choose another --out");
                }
            }
            out.printf("training %s on %s (%s, %d train / %d test images) with %s for %d epochs -> %s%n",
                    architecture.id(), dataset.id(), splits.train().shape(), limit(splits.train().size(), config.maxTrainImages()),
                    limit(splits.test().size(), config.maxTestImages()), objectivePlugin.id(), config.epochs(), runDir);
            if (graphs.conditional()) {
                out.println("conditioned on " + splits.classes().size() + " classes: " + String.join(", ", splits.classes()));
            }
            for (String note : splits.notes()) {
                out.println(dataset.id() + ": " + note);
            }
            out.flush();
            AtomicBoolean stop = new AtomicBoolean();
            PrintWriter err = spec.commandLine().getErr();
            Interrupts.onInterrupt(() -> {
                stop.set(true);
                err.println("toolkit: stopping after this step; writing a checkpoint... (press Ctrl-C again to quit"
                        + " at once)");
                err.flush();
            }, () -> {
                err.println("toolkit: interrupted again: quitting at once; the last checkpoint in "
                        + RunDirectory.at(runDir).checkpoints() + " is intact (continue with --resume " + runDir + ")");
                err.flush();
            });
            Trainer.Builder builder = Trainer.builder(config, graphs, resolved.artifacts(), splits)
                    .provenance(provenance).session(sessionConfig).runDirectory(RunDirectory.at(runDir))
                    .output(new RunPictures()).observer(new ConsoleProgress(out)).observer(new PluginObservers(plugins))
                    .stopWhen(stop::get);
            try (DataParallel.Cluster cluster = parallel.start(config, resolved.artifacts(), splits, out, err)) {
                if (cluster != null) {
                    builder.rounds(cluster);
                }
                Trainer trainer = builder.build();
                Trainer.Result result = resumeLock == null ? trainer.start() : trainer.resume(record, checked, folder.allowDataChange);
                if (result.interrupted()) {
                    return ToolkitCli.INTERRUPTED;
                }
                if (result.last() != null) {
                    out.printf(java.util.Locale.ROOT, "done: %d epochs, test negative ELBO %.2f nats/image; run folder %s%n",
                            result.completedEpochs(), result.last().testNegElbo(), runDir);
                }
                return ToolkitCli.OK;
            }
        } finally {
            if (newRunLock != null) {
                newRunLock.close();
            }
        }
    }

    /** Rejects impossible values of the plain flags before any plugin is loaded. */
    private void checkFlags() {
        if (training.epochs != null && training.epochs < 1) {
            throw new UsageException("--epochs must be at least 1, got " + training.epochs);
        }
        if (training.batchSize != null && training.batchSize < 1) {
            throw new UsageException("--batch-size must be at least 1, got " + training.batchSize);
        }
        if (threads < 0) {
            throw new UsageException("--threads must be >= 0, got " + threads);
        }
        scheduleOptions.schedule();
    }

    /** The architecture and dataset options the flags ask for; {@code --image-size} goes where it is understood. */
    private void collectOptions(Architecture architecture, SortedMap<String, String> archOpts,
                                SortedMap<String, String> dataOpts) {
        archOpts.putAll(choice.architectureOptions());
        dataOpts.putAll(data.datasetOptions);
        if (data.crop != null) {
            dataOpts.put("crop", Integer.toString(data.crop));
        }
        if (data.skipCorrupt) {
            dataOpts.put("skip-corrupt", "true");
        }
        if (data.imageSize != null) {
            boolean archHasSize = architecture.options().stream().anyMatch(o -> o.name().equals("image-size"));
            (archHasSize ? archOpts : dataOpts).put("image-size", Integer.toString(data.imageSize));
        }
    }

    /** A new run's settings: each flag given, else the architecture's recommendation, else the toolkit's default. */
    private RunConfig newConfig(SortedMap<String, String> archOpts, SortedMap<String, String> dataOpts, String dataDirText,
                                RecommendedTraining recommended) {
        try {
            return new RunConfig(choice.arch, archOpts, choice.dataset, dataDirText, dataOpts,
                    choice.objective != null ? choice.objective : recommended.objectiveOr(DEFAULT_OBJECTIVE),
                    training.epochs != null ? training.epochs : recommended.epochsOr(DEFAULT_EPOCHS),
                    training.batchSize != null ? training.batchSize : recommended.batchSizeOr(DEFAULT_BATCH),
                    training.lr != null ? training.lr : recommended.learningRateOr(DEFAULT_LR),
                    training.klWeight != null ? training.klWeight : recommended.klWeightOr(DEFAULT_KL_WEIGHT),
                    training.seed, device.text, threads, data.maxTrain, data.maxTest, scheduleOptions.schedule(),
                    data.conditional.conditional);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /**
     * The help's last section: the ids of the plugins found, by kind, and where their options are listed. Only the
     * jars' metadata is read (as by {@code ./toolkit plugins}): no plugin code runs, so a plugin that misbehaves
     * when started cannot break {@code --help}, and third-party plugins are listed like the built-in ones. Their
     * options are code ({@code options()}), so they are shown by {@code ./toolkit plugins ID}, which starts the
     * named plugins. A plugins folder that cannot be read leaves a line saying why instead.
     */
    static String pluginsHelp(Path pluginsDir) {
        StringBuilder text = new StringBuilder(String.format("%nPlugins (./toolkit plugins ID shows one's description"
                + " and options):%n"));
        try (PluginRegistry plugins = Toolkit.plugins(pluginsDir)) {
            for (PluginKind kind : PluginKind.values()) {
                java.util.List<String> ids = plugins.plugins().stream().filter(p -> p.kind() == kind)
                        .map(PluginInfo::id).distinct().toList();
                text.append(wrapped(String.format("  %-15s", kind.displayName() + "s:"),
                        ids.isEmpty() ? java.util.List.of("(none)") : ids));
            }
        } catch (RuntimeException e) {
            text.append(String.format("  the plugins cannot be listed here (%s); ./toolkit plugins says more%n",
                    Errors.oneLine(e)));
        }
        return text.toString();
    }

    /** {@code words} after {@code head}, comma-separated, in lines of at most 80 columns indented like the first. */
    private static String wrapped(String head, java.util.List<String> words) {
        StringBuilder out = new StringBuilder(head);
        int column = head.length();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i) + (i + 1 < words.size() ? "," : "");
            if (column > head.length() && column + 1 + word.length() > 80) {
                out.append(System.lineSeparator()).append(" ".repeat(head.length()));
                column = head.length();
            } else if (column > head.length()) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        return out.append(System.lineSeparator()).toString();
    }

    /**
     * What {@code --resume} may change, by option name: how long the run goes on, where and how fast it runs,
     * and how the command reports. Every other option would change what the stored run means, so it is refused;
     * an allow-list keeps it so for options added later.
     */
    static final List<String> RESUME_MAY_CHANGE = java.util.stream.Stream.concat(Stream.of("--resume", "--epochs",
            DeviceOption.NAME, "--threads", "--verbose", "--plugins-dir", "--allow-data-change"),
            DataParallelOptions.NAMES.stream()).toList();

    /** The run record of the folder to resume, after checking that no flag asks to change it. */
    private RunRecord resumedRecord(Path dir) throws IOException {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        for (CommandLine.Model.OptionSpec given : pr.matchedOptions()) {
            if (!RESUME_MAY_CHANGE.contains(given.longestName())) {
                throw new UsageException("--resume continues a run with its stored settings; " + given.longestName()
                        + " cannot be changed (only " + String.join(", ", RESUME_MAY_CHANGE.subList(1, RESUME_MAY_CHANGE.size()))
                        + ")");
            }
        }
        return RunDirectory.at(dir).readRecord();
    }

    /** The stored settings, with those that {@link #RESUME_MAY_CHANGE} taken from the flags. */
    private RunConfig resumedConfig(RunRecord record) {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        RunConfig c = record.config();
        try {
            return new RunConfig(c.architecture(), c.architectureOptions(), c.dataset(), c.dataDir(), c.datasetOptions(),
                    c.objective(), training.epochs != null ? training.epochs : c.epochs(), c.batchSize(), c.learningRate(), c.klWeight(),
                    c.seed(), pr.hasMatchedOption(DeviceOption.NAME) ? device.text : c.device(),
                    pr.hasMatchedOption("--threads") ? threads : c.threads(), c.maxTrainImages(), c.maxTestImages(),
                    c.schedule(), c.conditional());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private static Map<String, String> provenance(PluginRegistry plugins, RunConfig config, DatasetSplits splits,
                                                  ArtifactResolver.Resolved resolved) {
        Map<String, String> p = new TreeMap<>();
        p.put("version", ToolkitVersion.get());
        p.put("dataset_fingerprint", splits.fingerprint());
        for (int i = 0; i < splits.notes().size(); i++) {
            p.put("dataset_note." + (i + 1), splits.notes().get(i));
        }
        p.put("artifacts_fingerprint", resolved.artifacts().manifest().fingerprint());
        for (PluginInfo info : plugins.plugins()) {
            if (info.id().equals(config.architecture()) || info.id().equals(config.dataset())
                    || info.id().equals(config.objective())) {
                p.put("plugin." + info.kind().displayName() + "." + info.id(), info.version() + " ("
                        + info.jar().getFileName() + ")");
            }
        }
        return p;
    }

    private static Path defaultRunDir(String arch, String dataset) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("runs", stamp + "-" + arch + "-" + dataset);
    }

    /** Whether {@code dir} is a folder with nothing in it but a run lock (left by a start that failed early). */
    private static boolean isEmptyDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.allMatch(f -> f.getFileName().toString().equals(RunLock.FILE));
        }
    }

    private static int limit(int size, int max) {
        return max > 0 ? Math.min(size, max) : size;
    }
}
