package org.onnxtoolkit.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How the command line reads to its users: a one-line header per command, the same words for the options
 * several commands share, {@code train --help} in groups, and what {@code --resume} may change. Parsing only
 * (no plugin, dataset or native library is loaded) except where a command must run to show its check.
 */
class CommandLineStructureTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CommandLine cli = ToolkitCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));

    @Test
    void nativesStartLoadingBeforeParsingOnlyForSessionCommandsWithoutHelp() {
        assertTrue(ToolkitCli.startsSessions(new String[] {"train", "--epochs", "1"}));
        assertTrue(ToolkitCli.startsSessions(new String[] {"sample", "--model", "d.onnx"}));
        assertFalse(ToolkitCli.startsSessions(new String[] {}));
        assertFalse(ToolkitCli.startsSessions(new String[] {"plugins"}));
        assertFalse(ToolkitCli.startsSessions(new String[] {"--verbose", "train"}), "parsed first, then loaded");
        assertFalse(ToolkitCli.startsSessions(new String[] {"train", "--help"}));
        assertFalse(ToolkitCli.startsSessions(new String[] {"benchmark", "-h"}));
        assertFalse(ToolkitCli.startsSessions(new String[] {"serve", "--version"}));
        // Every command that opens sessions is a command of the toolkit.
        for (String name : List.of("train", "sample", "reconstruct", "interpolate", "manifold", "evaluate", "serve",
                "export", "benchmark")) {
            assertTrue(cli.getSubcommands().containsKey(name), name);
            assertTrue(ToolkitCli.startsSessions(new String[] {name}), name);
        }
    }

    @Test
    void mainBuildsOnlyTheCommandItRunsButHelpAndUnknownNamesSeeThemAll() {
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        assertEquals(Set.of("train"), ToolkitCli.commandLine(o, e, "train").getSubcommands().keySet());
        assertEquals(Set.of("plugins"), ToolkitCli.commandLine(o, e, "plugins").getSubcommands().keySet());
        Set<String> all = cli.getSubcommands().keySet();
        assertEquals(ToolkitCli.COMMANDS.size(), all.size());
        for (String first : new String[] {null, "help", "--help", "trian", "--version"}) {
            assertEquals(all, ToolkitCli.commandLine(o, e, first).getSubcommands().keySet(), String.valueOf(first));
        }
        // A command built alone parses and reports as in the full command line.
        assertEquals(2, ToolkitCli.commandLine(o, e, "train").execute("train", "--epochs", "zero"));
        assertTrue(err.toString().contains("toolkit: Invalid value for option '--epochs'"), err.toString());
        assertEquals(2, ToolkitCli.commandLine(o, e, "trian").execute("trian"));
        assertTrue(err.toString().contains("toolkit: Unmatched argument at index 0: 'trian'"), err.toString());
    }

    @Test
    void everyCommandHasAOneLineHeader() {
        for (Map.Entry<String, CommandLine> c : cli.getSubcommands().entrySet()) {
            if (c.getKey().equals("help")) {
                continue;
            }
            String[] header = c.getValue().getCommandSpec().usageMessage().header();
            assertEquals(1, header.length, c.getKey());
            assertTrue(header[0].endsWith(".") && header[0].length() <= 70, c.getKey() + ": " + header[0]);
        }
    }

    @Test
    void sharedOptionsReadTheSameInEveryCommand() {
        for (String option : List.of("--run", "--device", "--n")) {
            Set<String> descriptions = new HashSet<>();
            List<String> commands = new ArrayList<>();
            for (Map.Entry<String, CommandLine> c : cli.getSubcommands().entrySet()) {
                OptionSpec o = c.getValue().getCommandSpec().findOption(option);
                if (o != null) {
                    // The words, not the default: --n defaults to 64 in sample and 32 in reconstruct.
                    descriptions.add(String.join(" ", o.description()).replaceAll("\\(default: [^)]*\\)", "")
                            + " " + o.paramLabel());
                    commands.add(c.getKey());
                }
            }
            assertEquals(1, descriptions.size(), option + " in " + commands + ": " + descriptions);
            assertTrue(commands.size() >= 2, option + " is shared: " + commands);
        }
        OptionSpec pngOut = cli.getSubcommands().get("sample").getCommandSpec().findOption("--out");
        for (String command : List.of("reconstruct", "interpolate", "manifold")) {
            OptionSpec o = cli.getSubcommands().get(command).getCommandSpec().findOption("--out");
            assertEquals(List.of(pngOut.description()), List.of(o.description()), command);
        }
    }

    @Test
    void imageCountDefaultsDifferPerCommandAndAreShownInTheHelp() {
        assertEquals(64, parsed("sample", "--model", "d.onnx", "--out", "s.png").count.n);
        assertEquals(32, parsedReconstruct().count.n);
        assertTrue(cli.getSubcommands().get("sample").getUsageMessage().contains("number of images (default: 64)"));
        assertTrue(cli.getSubcommands().get("reconstruct").getUsageMessage().contains("number of images (default: 32)"));
        assertEquals(9, parsed("sample", "--model", "d.onnx", "--out", "s.png", "--n", "9").count.checked(4096));
    }

    @Test
    void aCountOutOfRangeIsAUsageError() {
        int code = cli.execute("sample", "--model", "d.onnx", "--out", "s.png", "--n", "0");
        assertEquals(ToolkitCli.USAGE, code);
        assertEquals("toolkit: --n must be between 1 and 4096, got 0", err.toString().strip());
    }

    @Test
    void benchmarkPeakIsRefusedOnAGpuBeforeAnythingLoads() {
        int code = cli.execute("benchmark", "--peak", "--device", "cuda:0");
        assertEquals(ToolkitCli.USAGE, code);
        assertEquals("toolkit: --peak measures with inputs in host memory, so on cuda:0 it would time the copies, not"
                + " the kernels; use --profile DIR for per-operator times on a GPU", err.toString().strip());
    }

    @Test
    void trainHelpGroupsEveryOptionUnderAHeading() {
        CommandSpec train = cli.getSubcommands().get("train").getCommandSpec();
        List<String> headings = train.argGroups().stream().map(ArgGroupSpec::heading).toList();
        assertEquals(List.of("%nWhat to train:%n", "%nData:%n", "%nTraining:%n", "%nSchedules, early stop and step logs:%n",
                "%nRun folder:%n", "%nData-parallel training on Apache Spark:%n"), headings);
        Set<String> grouped = new HashSet<>();
        for (ArgGroupSpec g : train.argGroups()) {
            for (OptionSpec o : g.options()) {
                assertTrue(grouped.add(o.longestName()), o.longestName() + " is in one group only");
            }
        }
        // What is not in a group is what every run has: where it runs, how it reports, help and version.
        Set<String> general = new HashSet<>();
        for (OptionSpec o : train.options()) {
            if (o.group() == null) {
                general.add(o.longestName());
            }
        }
        assertEquals(Set.of("--verbose", "--plugins-dir", "--device", "--threads", "--help", "--version"), general);
        String help = cli.getSubcommands().get("train").getUsageMessage();
        assertTrue(help.indexOf("Training:") < help.indexOf("      --epochs=N")
                && help.indexOf("Data:") < help.indexOf("      --crop=N"),
                help);
    }

    @Test
    void resumeRefusesEveryOptionOutsideItsAllowList(@TempDir Path dir) {
        for (String[] flag : List.of(new String[] {"--lr", "0.1"}, new String[] {"--max-test", "5"},
                new String[] {"--dataset", "mnist"}, new String[] {"-O", "latent=3"}, new String[] {"--out", "x"})) {
            err.getBuffer().setLength(0);
            int code = cli.execute("train", "--resume", dir.toString(), flag[0], flag[1]);
            assertEquals(ToolkitCli.USAGE, code, String.join(" ", flag));
            assertTrue(err.toString().startsWith("toolkit: --resume continues a run with its stored settings; "),
                    err.toString());
            assertTrue(err.toString().contains(" cannot be changed (only --epochs, --device, --threads, --verbose,"
                    + " --plugins-dir, --allow-data-change, --spark, --workers, --sync-every, --spark-conf)"), err.toString());
        }
    }

    @Test
    void resumeAcceptsTheOptionsItMayChange(@TempDir Path dir) {
        // The folder has no run in it, so the command stops at reading run.json: after the option check passed.
        int code = cli.execute("train", "--resume", dir.toString(), "--epochs", "3", "--threads", "1", "--device",
                "cpu", "--allow-data-change");
        assertFalse(err.toString().contains("cannot be changed"), err.toString());
        assertTrue(code == ToolkitCli.USAGE || code == ToolkitCli.FAILURE, err.toString());
    }

    @Test
    void enumValuesIgnoreCase() {
        CommandLine.ParseResult r = cli.parseArgs("benchmark", "--kernels", "standard_onnx");
        assertTrue(r.subcommand().hasMatchedOption("--kernels"));
    }

    private SampleCommand parsed(String... args) {
        cli.parseArgs(args);
        return (SampleCommand) cli.getSubcommands().get("sample").getCommand();
    }

    private ReconstructCommand parsedReconstruct() {
        cli.parseArgs("reconstruct", "--run", "r", "--out", "r.png");
        return (ReconstructCommand) cli.getSubcommands().get("reconstruct").getCommand();
    }
}
