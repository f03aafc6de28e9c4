package org.onnxtoolkit.runtime.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.Plugin;
import org.onnxtoolkit.runtime.plugins.PluginInfo;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code toolkit plugins}: lists every plugin found, with its kind, version and jar, from the jars' metadata
 * alone (no plugin code runs, so a misbehaving plugin cannot break the listing). Given ids, it starts those
 * plugins and shows their descriptions and options.
 */
@Command(name = "plugins", header = "List the plugins found, or describe one with its options.",
        mixinStandardHelpOptions = true,
        description = {"List the plugins found: id, kind, version and jar. Listing runs no plugin code.",
                "Given ids, start those plugins and show their descriptions and options."},
        footer = {"", "Examples:", "  ./toolkit plugins", "  ./toolkit plugins --plugins-dir ~/my-plugins",
                "  ./toolkit plugins conv-vae shapes"})
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "ID", arity = "0..*",
            description = "show the description and options of these plugins (this starts them)")
    List<String> ids = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (PluginRegistry plugins = Toolkit.plugins(common.pluginsDir)) {
            List<PluginInfo> all = plugins.plugins();
            if (ids.isEmpty()) {
                table(out, all, true, common.verbose);
                out.println();
                out.println("Descriptions and options: ./toolkit plugins ID (starts that plugin).");
                return ToolkitCli.OK;
            }
            List<PluginInfo> chosen = new ArrayList<>();
            for (String id : ids) {
                List<PluginInfo> matching = all.stream().filter(p -> p.id().equals(id)).toList();
                if (matching.isEmpty()) {
                    throw new UsageException("no plugin has the id '" + id + "' (ids: "
                            + String.join(", ", new TreeSet<>(all.stream().map(PluginInfo::id).toList())) + ")");
                }
                matching.stream().filter(p -> !chosen.contains(p)).forEach(chosen::add);
            }
            for (PluginInfo info : chosen) {
                Plugin plugin = plugins.plugin(info.kind(), info.id());
                table(out, List.of(info), false, true);
                if (!plugin.description().isBlank()) {
                    out.println("    " + plugin.description().strip());
                }
                switch (info.kind()) {
                    case ARCHITECTURE -> options(out, "options (train -O name=value, or the flags of the same name):",
                            ((Architecture) plugin).options());
                    case DATASET -> options(out, "options (train -D name=value, or the flags of the same name):",
                            ((Dataset) plugin).options());
                    case OBJECTIVE -> options(out, "options (always their defaults: no flag sets them yet):",
                            ((Objective) plugin).options());
                }
                out.println();
            }
            return ToolkitCli.OK;
        }
    }

    /** The listing: one line per plugin, under a header line; with {@code classes}, its class on the next line. */
    private static void table(PrintWriter out, List<PluginInfo> plugins, boolean header, boolean classes) {
        int idw = 2;
        int verw = 7;
        for (PluginInfo p : plugins) {
            idw = Math.max(idw, p.id().length());
            verw = Math.max(verw, p.version().length());
        }
        String fmt = "%-" + idw + "s  %-12s  %-" + verw + "s  %s%n";
        if (header) {
            out.printf(fmt, "ID", "KIND", "VERSION", "JAR");
        }
        for (PluginInfo p : plugins) {
            out.printf(fmt, p.id(), p.kind().displayName(), p.version(), p.jar());
            if (classes) {
                out.println("    class " + p.className());
            }
        }
    }

    private static void options(PrintWriter out, String title, List<OptionSpec> options) {
        if (options.isEmpty()) {
            out.println("    no options");
            return;
        }
        out.println("    " + title);
        int namew = options.stream().mapToInt(o -> o.name().length()).max().orElse(0);
        int defw = options.stream().mapToInt(o -> display(o.defaultValue()).length()).max().orElse(0);
        for (OptionSpec o : options) {
            out.printf("      %-" + namew + "s  %-" + defw + "s  %s%n", o.name(), display(o.defaultValue()),
                    o.description() == null ? "" : o.description());
        }
    }

    private static String display(String defaultValue) {
        return defaultValue == null || defaultValue.isEmpty() ? "(none)" : defaultValue;
    }
}
