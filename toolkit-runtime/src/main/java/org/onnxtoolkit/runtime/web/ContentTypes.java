package org.onnxtoolkit.runtime.web;

import java.util.Locale;
import java.util.Map;

/**
 * The {@code Content-Type} of a file served by {@link StaticServer}, from its extension. Browsers insist on
 * two of them: {@code application/wasm} (or {@code WebAssembly.instantiateStreaming} refuses the module) and a
 * JavaScript type for {@code .mjs} (or {@code import()} refuses it).
 */
public final class ContentTypes {
    /** For extensions not listed. */
    public static final String DEFAULT = "application/octet-stream";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json; charset=utf-8"),
            Map.entry("map", "application/json; charset=utf-8"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("onnx", "application/octet-stream"),
            Map.entry("png", "image/png"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("txt", "text/plain; charset=utf-8"));

    private ContentTypes() {
    }

    /** The content type for a file name or path (case-insensitive extension); {@link #DEFAULT} when unknown. */
    public static String of(String fileName) {
        int slash = fileName.lastIndexOf('/');
        int dot = fileName.lastIndexOf('.');
        if (dot <= slash + 1) {
            return DEFAULT;
        }
        return BY_EXTENSION.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
