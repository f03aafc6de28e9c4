package org.onnxtoolkit.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The values a sweep varies: each {@code --grid KEY=V1,V2,...} names a flag of {@code ./toolkit train} (without
 * its dashes) and the values it takes; the sweep trains every combination. Values are separated by commas, or
 * by semicolons when one of them holds a comma ({@code --grid "hidden=512,256;256"}).
 *
 * @param axes the varied flags in the order given, each with at least one value; keys unique
 */
public record SweepGrid(List<Axis> axes) {
    /** Flags a sweep sets itself, or that would make its runs collide: never varied. */
    static final Set<String> RESERVED = Set.of("out", "resume", "allow-data-change", "help", "version", "h", "V");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*");

    /**
     * One varied flag.
     *
     * @param key    the long flag's name without {@code --}, e.g. {@code lr}
     * @param values its values, at least one, none blank, no repeats
     */
    public record Axis(String key, List<String> values) {
        public Axis {
            Objects.requireNonNull(key, "key");
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("--grid " + key + " has no value");
            }
            if (values.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("--grid " + key + " has an empty value");
            }
            if (values.stream().distinct().count() != values.size()) {
                throw new IllegalArgumentException("--grid " + key + " repeats a value: " + values);
            }
        }
    }

    public SweepGrid {
        axes = List.copyOf(axes);
        if (axes.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one --grid KEY=V1,V2,...");
        }
        if (axes.stream().map(Axis::key).distinct().count() != axes.size()) {
            throw new IllegalArgumentException("--grid names the same key twice");
        }
    }

    /**
     * Parses the {@code --grid} texts.
     *
     * @throws IllegalArgumentException with one line saying what is wrong with which text
     */
    public static SweepGrid parse(List<String> texts) {
        List<Axis> axes = new ArrayList<>();
        for (String text : texts) {
            int eq = text.indexOf('=');
            if (eq <= 0 || eq == text.length() - 1) {
                throw new IllegalArgumentException("--grid " + text + ": expected KEY=V1,V2,... (for example"
                        + " --grid lr=0.001,0.003)");
            }
            String key = text.substring(0, eq).strip();
            if (key.startsWith("--")) {
                key = key.substring(2);
            }
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("--grid " + text + ": KEY must be the name of a train flag"
                        + " without dashes, such as lr, latent or batch-size");
            }
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("--grid " + key + ": the sweep sets --" + key
                        + " of its runs itself; it cannot be varied");
            }
            String rest = text.substring(eq + 1);
            String separator = rest.contains(";") ? ";" : ",";
            List<String> values = new ArrayList<>();
            for (String v : rest.split(Pattern.quote(separator), -1)) {
                values.add(v.strip());
            }
            axes.add(new Axis(key, values));
        }
        return new SweepGrid(axes);
    }

    /** Every combination, the first axis varying slowest; each maps key to value in the axes' order. */
    public List<Map<String, String>> combinations() {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (Axis axis : axes) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : out) {
                for (String v : axis.values()) {
                    Map<String, String> m = new LinkedHashMap<>(partial);
                    m.put(axis.key(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out.stream().map(m -> (Map<String, String>) java.util.Collections.unmodifiableMap(m)).toList();
    }

    /** The keys in order. */
    public List<String> keys() {
        return axes.stream().map(Axis::key).toList();
    }

    /**
     * The run folder's name of combination number {@code index} (0-based): its number, then each key=value,
     * characters other than letters, digits, {@code . - = _} replaced by {@code _}; e.g. {@code 01-lr=0.001}.
     */
    public static String runName(int index, int count, Map<String, String> values) {
        int digits = Math.max(2, Integer.toString(count).length());
        StringBuilder name = new StringBuilder(String.format(java.util.Locale.ROOT, "%0" + digits + "d", index + 1));
        for (Map.Entry<String, String> e : values.entrySet()) {
            name.append('-').append(e.getKey()).append('=').append(e.getValue().replaceAll("[^A-Za-z0-9.=_-]", "_"));
        }
        return name.toString();
    }
}
