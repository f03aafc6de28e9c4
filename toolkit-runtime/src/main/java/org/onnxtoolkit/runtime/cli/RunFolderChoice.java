package org.onnxtoolkit.runtime.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code train}'s options about the run folder: a new one, or one to continue. */
final class RunFolderChoice {
    @Option(names = "--out", paramLabel = "DIR", description = "run folder (default: a new folder under runs/)")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR where it stopped, with its stored settings;"
            + " only --epochs, --device, --threads, --verbose, --plugins-dir and --allow-data-change may be given with it")
    Path resume;

    @Option(names = "--allow-data-change", description = "with --resume: continue even though the data changed since"
            + " the run started (the change is recorded in run.json)")
    boolean allowDataChange;
}
