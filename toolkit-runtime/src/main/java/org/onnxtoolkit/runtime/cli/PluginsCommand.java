package org.onnxtoolkit.runtime.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.onnxtoolkit.runtime.plugins.PluginInfo;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code toolkit plugins}: lists every plugin found, with its kind, version and jar. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List the plugins found: id, kind, version and jar.",
        footer = {"", "Examples:", "  ./toolkit plugins", "  ./toolkit plugins --plugins-dir ~/my-plugins"})
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (PluginRegistry plugins = Toolkit.plugins(common.pluginsDir)) {
            List<PluginInfo> all = plugins.plugins();
            int idw = Math.max(2, all.stream().mapToInt(p -> p.id().length()).max().orElse(2));
            int verw = Math.max(7, all.stream().mapToInt(p -> p.version().length()).max().orElse(7));
            String fmt = "%-" + idw + "s  %-12s  %-" + verw + "s  %s%n";
            out.printf(fmt, "ID", "KIND", "VERSION", "JAR");
            for (PluginInfo p : all) {
                out.printf(fmt, p.id(), p.kind().displayName(), p.version(), p.jar());
                if (common.verbose && !p.description().isEmpty()) {
                    out.println("    " + p.description());
                }
            }
            return ToolkitCli.OK;
        }
    }
}
