package org.onnxtoolkit.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Toolkit homes for tests of the web commands that do not need a working onnxruntime-web: one whose build
 * recorded that it could not bundle it, and one with placeholder files (the server serves bytes, whatever they
 * are). Tests that need the real runtime use the assembled distribution and skip without it.
 */
final class Homes {
    private Homes() {
    }

    static Path real() {
        return Path.of(System.getProperty("toolkit.home"));
    }

    static boolean realBundlesWebRuntime() {
        return Files.isRegularFile(real().resolve("web/onnxruntime-web/ort.wasm.min.js"));
    }

    /** A home whose build could not bundle onnxruntime-web, for the given reason. */
    static Path withoutWebRuntime(Path dir, String reason) throws IOException {
        Files.createDirectories(dir.resolve("web"));
        Files.writeString(dir.resolve("web/NOT-BUNDLED"), reason + "\n", StandardCharsets.UTF_8);
        return dir;
    }

    /** The real home when it bundles onnxruntime-web, else a home with placeholder runtime files. */
    static Path servable(Path dir) throws IOException {
        if (realBundlesWebRuntime()) {
            return real();
        }
        Path rt = dir.resolve("web/onnxruntime-web");
        Files.createDirectories(rt);
        Files.writeString(rt.resolve("ort.wasm.min.js"), "/* placeholder */\n");
        Files.writeString(rt.resolve("ort-wasm-simd-threaded.mjs"), "export default {};\n");
        Files.write(rt.resolve("ort-wasm-simd-threaded.wasm"), new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        Files.writeString(rt.resolve("package.json"), "{\"name\":\"onnxruntime-web\",\"version\":\"0.0.0-placeholder\"}\n");
        return dir;
    }

    /** Runs {@code action} in-process with {@code toolkit.home} set to {@code home}. */
    static <T> T with(Path home, Callable<T> action) throws Exception {
        String old = System.getProperty("toolkit.home");
        System.setProperty("toolkit.home", home.toString());
        try {
            return action.call();
        } finally {
            System.setProperty("toolkit.home", old);
        }
    }
}
