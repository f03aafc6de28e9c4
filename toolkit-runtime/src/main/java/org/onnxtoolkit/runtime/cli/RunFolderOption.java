package org.onnxtoolkit.runtime.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --run DIR}: the run folder a command reads, shared by {@code reconstruct}, {@code interpolate},
 * {@code manifold}, {@code export} and {@code serve}. Each command checks that the folder holds what it needs
 * and says what is missing.
 */
final class RunFolderOption {
    @Option(names = "--run", required = true, paramLabel = "DIR",
            description = "a run folder written by train (serve also takes a folder written by export)")
    Path dir;
}
