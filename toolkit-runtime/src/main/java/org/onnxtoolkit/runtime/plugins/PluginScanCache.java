package org.onnxtoolkit.runtime.plugins;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import org.onnxtoolkit.api.spi.CacheFolder;
import org.onnxtoolkit.compiler.io.AtomicFiles;

/**
 * Remembers, per plugin jar content, which of its classes {@link ClassFileScan} found to mention a plugin or
 * bean-defining annotation, so that later starts need not inflate and parse every class of the jar. The
 * built-in datasets jar bundles about 1,200 classes of image libraries; scanning them took 160 ms of every
 * command's start in a fresh JVM (up to 250 ms while ONNX Runtime's natives load beside it), reading the
 * remembered list takes a few milliseconds.
 *
 * <p>The key is a SHA-256 over the scanned-for descriptors and, for every class entry in the jar's central
 * directory, its name, CRC-32, size and compressed size: read without inflating anything, and different for
 * any changed class, whatever the jar's path or time stamps. A remembered list is used only when it names
 * classes that the jar has. Entries live in {@code <cache>/plugin-scan/<key>.txt}, written through
 * {@link AtomicFiles}, the least recently used beyond {@value #MAX_ENTRIES} deleted ({@link CacheFolder}: each
 * rebuilt plugin jar adds one); a cache that cannot be read or written costs only the scan. Thread-safe (no
 * mutable state; concurrent writers rename complete files).
 */
final class PluginScanCache {
    /** The first line of an entry; a change of what or how the loader scans changes it. */
    static final String FORMAT = "onnxtoolkit plugin scan 1";

    /** Entries kept at most (a few kilobytes each). */
    static final int MAX_ENTRIES = 200;

    private final CacheFolder folder;

    /** @param dir the folder of the entries (created when first written), or null for no cache */
    PluginScanCache(Path dir) {
        this.folder = dir == null ? null : new CacheFolder(dir, ".txt", MAX_ENTRIES, Long.MAX_VALUE);
    }

    /**
     * @param descriptors the type descriptors the scan looks for
     * @param classEntries the jar's class entries, as its central directory lists them
     * @return the key of this jar's scan: 64 hex digits
     */
    static String key(List<String> descriptors, List<JarEntry> classEntries) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        StringBuilder text = new StringBuilder(FORMAT).append('\n');
        for (String d : descriptors) {
            text.append(d).append('\n');
        }
        for (JarEntry e : classEntries) {
            text.append(e.getName()).append(' ').append(e.getCrc()).append(' ').append(e.getSize()).append(' ')
                    .append(e.getCompressedSize()).append('\n');
        }
        return HexFormat.of().formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * @param key the jar's {@link #key}
     * @param classNames the binary names of every class in the jar
     * @return the remembered candidates, or null when there is no entry or it is damaged or names a class the
     *     jar does not have
     */
    List<String> get(String key, Set<String> classNames) {
        if (folder == null) {
            return null;
        }
        try {
            Path entry = folder.entry(key);
            if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            List<String> lines = Files.readAllLines(entry, StandardCharsets.UTF_8);
            // FORMAT, the key again (a truncated or misplaced file fails here), the names, then "end".
            if (lines.size() < 3 || !lines.get(0).equals(FORMAT) || !lines.get(1).equals(key)
                    || !lines.get(lines.size() - 1).equals("end")) {
                return null;
            }
            List<String> candidates = new ArrayList<>(lines.subList(2, lines.size() - 1));
            if (!classNames.containsAll(candidates)) {
                return null;
            }
            CacheFolder.touch(entry);
            return candidates;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Remembers the candidates of the jar with this key, written like every file of the runtime
     * ({@link AtomicFiles}: a temporary file renamed only over a regular file); failures are ignored.
     */
    void put(String key, List<String> candidates) {
        if (folder == null) {
            return;
        }
        StringBuilder text = new StringBuilder(FORMAT).append('\n').append(key).append('\n');
        for (String c : candidates) {
            text.append(c).append('\n');
        }
        text.append("end\n");
        try {
            AtomicFiles.write(folder.entry(key), text.toString().getBytes(StandardCharsets.UTF_8));
            folder.trim();
        } catch (IOException | RuntimeException e) {
            // a cache that cannot be written (or a folder in the entry's place) costs only the next start's scan
        }
    }
}
