package org.onnxtoolkit.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.runtime.plugins.PluginLoadException;
import org.onnxtoolkit.runtime.plugins.PluginLoader;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import org.onnxtoolkit.runtime.plugins.PluginServices;

/**
 * Where the installed toolkit lives: {@code toolkit.home} (set by the launcher) holds {@code plugins/} with
 * the built-in plugin jars and {@code artifacts/} with pre-built training artifacts.
 */
final class Toolkit {
    static final String HOME_PROPERTY = "toolkit.home";

    private Toolkit() {
    }

    static Path home() {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null) {
            throw new IllegalStateException("system property " + HOME_PROPERTY + " is not set; start the toolkit with"
                    + " the ./toolkit launcher");
        }
        return Path.of(home);
    }

    /** Loads the built-in plugins and those of {@code extraDir} (may be null). The caller closes the registry. */
    static PluginRegistry plugins(Path extraDir) {
        return plugins(extraDir, PluginLoader.defaultServices());
    }

    /**
     * As {@link #plugins(Path)}, offering the plugins {@code services} for injection (the command's console
     * progress, its verbosity).
     */
    static PluginRegistry plugins(Path extraDir, PluginServices services) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(home().resolve("plugins"));
        if (extraDir != null) {
            if (!Files.isDirectory(extraDir)) {
                throw new UsageException("--plugins-dir " + extraDir + " is not a folder");
            }
            dirs.add(extraDir);
        }
        try {
            return PluginLoader.load(dirs, services);
        } catch (PluginLoadException e) {
            throw new PluginFailure(e);
        }
    }

    /** A plugin jar could not be loaded: a runtime failure whose message names the jar. */
    static final class PluginFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PluginFailure(PluginLoadException cause) {
            super(cause.getMessage(), cause);
        }
    }

    static ArtifactResolver artifactResolver() {
        return new ArtifactResolver(List.of(home().resolve("artifacts")), ArtifactResolver.defaultCacheRoot());
    }
}
