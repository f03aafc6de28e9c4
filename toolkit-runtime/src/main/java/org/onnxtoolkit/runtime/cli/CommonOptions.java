package org.onnxtoolkit.runtime.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command accepts. */
final class CommonOptions {
    @Option(names = "--verbose", description = "print stack traces and details of what was loaded")
    boolean verbose;

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "an extra folder of plugin jars, loaded after the built-in plugins")
    Path pluginsDir;
}
