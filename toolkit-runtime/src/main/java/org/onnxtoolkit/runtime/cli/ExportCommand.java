package org.onnxtoolkit.runtime.cli;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.runtime.web.LocalPaths;
import org.onnxtoolkit.runtime.web.ModelDescription;
import org.onnxtoolkit.runtime.web.WebPage;
import org.onnxtoolkit.runtime.web.WebRuntime;
import org.onnxtoolkit.runtime.web.WebSite;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code toolkit export}: a run's models and their description, optionally with a page that runs them. */
@Command(name = "export", header = "Copy a run's models (and a page that runs them) to a folder.",
        mixinStandardHelpOptions = true,
        description = {"Copy a run's decoder.onnx and encoder.onnx to a folder with model.json (latent size, image shape,"
                + " provenance); with --web also a static page that decodes in the browser (onnxruntime-web, bundled).",
                "Serve the page with ./toolkit serve --run OUT, or put the folder on any static web server."},
        footer = {"", "Example:", "  ./toolkit export --run runs/<run> --out site --web"})
final class ExportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunFolderOption runFolder;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the folder to write (new or empty)")
    Path out;

    @Option(names = "--web", description = "also write the page: index.html, app.js, style.css, onnxruntime-web/")
    boolean web;

    @Override
    public Integer call() throws IOException {
        if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
            throw new UsageException("--out " + out + " already exists" + (Files.isDirectory(out) ? " and is not empty" : "")
                    + "; choose a new folder");
        }
        Path run = runFolder.dir;
        WebSite site = site(RunFolder.open(run, true), web);
        site.writeTo(out);
        spec.commandLine().getOut().println("exported " + run + " to " + out + ": " + String.join(", ", site.files().keySet()
                .stream().filter(f -> !f.contains("/")).toList()) + (web ? ", " + WebRuntime.FOLDER + "/" : ""));
        if (web) {
            spec.commandLine().getOut().println("open it with: ./toolkit serve --run " + out);
        }
        return ToolkitCli.OK;
    }

    /**
     * The files of an export of {@code folder}: its models and {@code model.json}, plus with {@code page} the page
     * and the vendored onnxruntime-web.
     *
     * @throws WebRuntime.NotBundledException with {@code page}, when the toolkit was built without the runtime
     */
    static WebSite site(RunFolder folder, boolean page) throws IOException {
        WebSite.Builder site = WebSite.builder();
        if (page) {
            WebRuntime runtime = WebRuntime.locate(Toolkit.home());
            WebPage.addTo(site);
            runtime.addTo(site);
        }
        site.add(RunDirectory.DECODER, withoutLocalPaths(folder.decoder().bytes()));
        if (folder.encoderFile() != null) {
            site.add(RunDirectory.ENCODER, withoutLocalPaths(folder.encoderBytes()));
        }
        site.add(ModelDescription.FILE, folder.description().toBytes());
        return site.build();
    }

    /**
     * The model with absolute paths in its {@code metadata_props} (a dataset's note naming a skipped file, say)
     * reduced to names, like {@code model.json}'s; the very same bytes when there are none, which is the usual case.
     */
    static byte[] withoutLocalPaths(byte[] model) throws IOException {
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(model);
        boolean changed = false;
        OnnxMl.ModelProto.Builder b = proto.toBuilder().clearMetadataProps();
        for (OnnxMl.StringStringEntryProto p : proto.getMetadataPropsList()) {
            String key = LocalPaths.strip(p.getKey());
            String value = LocalPaths.strip(p.getValue());
            changed |= !key.equals(p.getKey()) || !value.equals(p.getValue());
            b.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value));
        }
        return changed ? b.build().toByteArray() : model;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
