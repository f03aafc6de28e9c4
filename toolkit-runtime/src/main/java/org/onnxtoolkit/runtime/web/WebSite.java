package org.onnxtoolkit.runtime.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.onnxtoolkit.compiler.io.AtomicFiles;

/**
 * A fixed set of files that make up a static site, keyed by relative path ({@code index.html},
 * {@code onnxruntime-web/ort.wasm.min.js}): what {@code toolkit export --web} writes to a folder and what
 * {@code toolkit serve} answers requests from. Since only listed paths exist, a request can never reach any
 * other file on the machine.
 *
 * <p>Immutable and thread-safe (file contents are read on each request).
 */
public final class WebSite {
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");

    /** The content of one file: bytes in memory or a file on disk. */
    public sealed interface Content permits Bytes, FileContent {
        /** @return the size in bytes */
        long size() throws IOException;

        /** Copies the content to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Content held in memory (generated files, page resources). */
    public record Bytes(byte[] data) implements Content {
        public Bytes {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(data);
        }
    }

    /** Content read from a file when needed (the large WebAssembly binary, models). */
    public record FileContent(Path file) implements Content {
        public FileContent {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public long size() throws IOException {
            return Files.size(file);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            Files.copy(file, out);
        }
    }

    private final SortedMap<String, Content> files;

    private WebSite(SortedMap<String, Content> files) {
        this.files = Collections.unmodifiableSortedMap(files);
    }

    /** @return a builder of a site */
    public static Builder builder() {
        return new Builder();
    }

    /** @return every file, by relative path, in path order */
    public SortedMap<String, Content> files() {
        return files;
    }

    /** @return the content at {@code path} (relative, no leading slash), if the site has it */
    public Optional<Content> get(String path) {
        return Optional.ofNullable(files.get(path));
    }

    /**
     * Writes every file under {@code dir}, creating folders as needed; each file is written atomically.
     *
     * @throws IOException if a file cannot be written
     */
    public void writeTo(Path dir) throws IOException {
        for (var e : files.entrySet()) {
            Path target = dir.resolve(e.getKey());
            AtomicFiles.write(target, e.getValue()::writeTo);
        }
    }

    /** Collects the files of a {@link WebSite}. Not thread-safe. */
    public static final class Builder {
        private final SortedMap<String, Content> files = new TreeMap<>();

        private Builder() {
        }

        /**
         * Adds a file.
         *
         * @param path relative path with {@code /} separators: letters, digits, {@code . _ -}; no {@code ..}
         * @throws IllegalArgumentException if the path is not of that form or is already taken
         */
        public Builder add(String path, Content content) {
            Objects.requireNonNull(content, "content");
            if (!SAFE_PATH.matcher(path).matches() || path.contains("..")) {
                throw new IllegalArgumentException("site path '" + path + "' must be relative and consist of letters,"
                        + " digits, '.', '_', '-' and '/' without '..'");
            }
            if (files.putIfAbsent(path, content) != null) {
                throw new IllegalArgumentException("site path '" + path + "' was added twice");
            }
            return this;
        }

        /** Adds an in-memory file. */
        public Builder add(String path, byte[] data) {
            return add(path, new Bytes(data));
        }

        /** Adds a file on disk, read when served or written. */
        public Builder add(String path, Path file) {
            return add(path, new FileContent(file));
        }

        /** Adds a classpath resource of {@code owner}, read now. */
        public Builder addResource(String path, Class<?> owner, String resource) throws IOException {
            try (InputStream in = owner.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new NoSuchFileException("classpath resource " + resource + " of " + owner.getName());
                }
                return add(path, in.readAllBytes());
            }
        }

        /** @return the site */
        public WebSite build() {
            return new WebSite(new TreeMap<>(files));
        }
    }
}
