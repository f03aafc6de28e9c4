package org.onnxtoolkit.runtime.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The copy of onnxruntime-web (CPU WebAssembly build) that the distribution build vendored into
 * {@code <toolkit home>/web/onnxruntime-web/}: the script {@value #SCRIPT} that defines the global {@code ort},
 * the module and binary it loads, and the package's {@code package.json}. The exported page loads them from
 * the folder {@value #FOLDER} next to {@code index.html}; nothing comes from a CDN.
 *
 * @param folder  the vendored folder
 * @param version the onnxruntime-web version, from its {@code package.json}
 */
public record WebRuntime(Path folder, String version) {
    /** The page's folder for the runtime, relative to {@code index.html}. */
    public static final String FOLDER = "onnxruntime-web";
    /** The script the page includes. */
    public static final String SCRIPT = "ort.wasm.min.js";
    /** Every file the page needs, in the vendored folder and in the exported one. */
    public static final List<String> FILES = List.of(SCRIPT, "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm",
            "package.json");
    /** Written by the build instead of the runtime, with the reason on one line. */
    static final String NOT_BUNDLED = "NOT-BUNDLED";

    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"");

    /**
     * Finds the vendored runtime of the toolkit installed at {@code home}.
     *
     * @throws NotBundledException when the build could not vendor it (no npm, offline) or it is incomplete;
     *                             the message is one line saying why and how to get it
     */
    public static WebRuntime locate(Path home) throws IOException {
        Path web = home.resolve("web");
        Path folder = web.resolve(FOLDER);
        for (String f : FILES) {
            if (!Files.isRegularFile(folder.resolve(f))) {
                Path note = web.resolve(NOT_BUNDLED);
                String why = Files.isRegularFile(note)
                        ? Files.readString(note, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("")
                        : folder.resolve(f) + " is missing";
                throw new NotBundledException("the web page needs onnxruntime-web, which this toolkit build does not"
                        + " bundle (" + why + "); install Node.js 18+ with npm and rebuild the toolkit"
                        + " (TOOLKIT_REBUILD=1 ./toolkit --help)");
            }
        }
        Matcher m = VERSION.matcher(Files.readString(folder.resolve("package.json"), StandardCharsets.UTF_8));
        return new WebRuntime(folder, m.find() ? m.group(1) : "unknown");
    }

    /** Adds the runtime's files to a site under {@value #FOLDER}/. */
    public void addTo(WebSite.Builder site) {
        for (String f : FILES) {
            site.add(FOLDER + "/" + f, folder.resolve(f));
        }
    }

    /** The toolkit was built without the web runtime. */
    public static final class NotBundledException extends IOException {
        private static final long serialVersionUID = 1L;

        public NotBundledException(String message) {
            super(message);
        }
    }
}
