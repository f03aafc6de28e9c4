package org.onnxtoolkit.runtime.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes the absolute paths of this machine from what leaves it: {@code model.json} (served by {@code toolkit serve}
 * to any page that can reach it, put on web servers by users) and the metadata of an exported decoder. A run
 * records where its data was ({@code config.dataDir}, {@code /home/ana/photos}) and datasets mention files in their
 * notes; a path says who the user is and how the machine is organised, and nothing that reads the export needs it.
 *
 * <p>Each absolute path ({@code /...}, {@code ~/...}, {@code file:/...}, {@code C:\...}, {@code \\server\...}) is
 * replaced by its last element, the file or folder name: {@code /home/ana/photos} becomes {@code photos}. A value
 * that is a whole path keeps its spaces ({@code /home/ana/My Photos} becomes {@code My Photos}); inside longer text a
 * path ends at whitespace, quotes, brackets, commas and semicolons. Relative paths are kept.
 *
 * <p>Stateless and thread-safe.
 */
public final class LocalPaths {
    /** Characters that end a path inside longer text. */
    private static final String END = "\\s\"'<>|,;()\\[\\]{}";
    /** An absolute path not preceded by a character that would make it part of a word, a URL or a relative path. */
    private static final Pattern ABSOLUTE = Pattern.compile(
            "(?<![\\w.~:/\\\\-])(?:file:(?://)?)?(?:~?/|[A-Za-z]:[\\\\/]|\\\\\\\\)[^" + END + "]+");
    private static final Pattern WHOLE = Pattern.compile("(?:file:(?://)?)?(?:~?/|[A-Za-z]:[\\\\/]|\\\\\\\\).*",
            Pattern.DOTALL);

    private LocalPaths() {
    }

    /**
     * @return {@code text} with every absolute path replaced by its last element
     */
    public static String strip(String text) {
        String t = text.strip();
        if (WHOLE.matcher(t).matches() && !t.contains("\n")) {
            return lastElement(t);
        }
        Matcher m = ABSOLUTE.matcher(text);
        return m.replaceAll(r -> Matcher.quoteReplacement(lastElement(r.group())));
    }

    /** @return a copy of {@code node} with every string, and every field name, passed through {@link #strip(String)} */
    public static JsonNode strip(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return JsonNodeFactory.instance.textNode(strip(node.asText()));
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> copy.add(strip(e)));
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(e -> copy.set(strip(e.getKey()), strip(e.getValue())));
            return copy;
        }
        return node.deepCopy();
    }

    /** @return a sorted copy of {@code map} with keys and values passed through {@link #strip(String)} */
    public static Map<String, String> strip(Map<String, String> map) {
        Map<String, String> copy = new TreeMap<>();
        map.forEach((k, v) -> copy.put(strip(k), strip(v)));
        return copy;
    }

    /** The last non-empty element of a path: {@code /home/ana/photos/} gives {@code photos}; {@code /} gives "". */
    private static String lastElement(String path) {
        String p = path.replaceFirst("^file:(//)?", "");
        int end = p.length();
        while (end > 0 && (p.charAt(end - 1) == '/' || p.charAt(end - 1) == '\\')) {
            end--;
        }
        int start = Math.max(p.lastIndexOf('/', end - 1), p.lastIndexOf('\\', end - 1)) + 1;
        String last = p.substring(start, end);
        return last.equals("~") || last.matches("[A-Za-z]:") ? "" : last;
    }
}
