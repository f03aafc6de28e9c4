package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.onnxtoolkit.runtime.web.StaticServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code toolkit serve}: the page of {@code export --web} for a run, on this machine only, until Ctrl-C. */
@Command(name = "serve", header = "Serve a run's web page on this machine.",
        mixinStandardHelpOptions = true,
        description = {"Serve the page of 'export --web' for a run (or for a folder written by export) on"
                + " http://127.0.0.1:PORT/, reachable from this machine only; Ctrl-C stops it."},
        footer = {"", "Example:", "  ./toolkit serve --run runs/<run> --port 8080"})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunFolderOption runFolder;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080",
            description = "the port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Override
    public Integer call() throws IOException {
        if (port < 0 || port > 65535) {
            throw new UsageException("--port must be between 0 and 65535, got " + port);
        }
        Path run = runFolder.dir;
        var site = ExportCommand.site(RunFolder.open(run, false), true);
        CountDownLatch stop = new CountDownLatch(1);
        PrintWriter out = spec.commandLine().getOut();
        try (StaticServer server = StaticServer.start(site, port)) {
            Interrupts.onInterrupt(stop::countDown);
            out.println("serving " + run + " at " + server.uri() + " (Ctrl-C stops)");
            out.flush();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        out.println("stopped");
        out.flush();
        return ToolkitCli.OK;
    }
}
