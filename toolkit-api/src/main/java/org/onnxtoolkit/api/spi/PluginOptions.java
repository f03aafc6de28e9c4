package org.onnxtoolkit.api.spi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Option values given to a plugin, already merged with the plugin's defaults: the one parser of architecture,
 * objective and dataset options. Typed getters parse the text and fail with a one-line
 * {@link IllegalArgumentException} naming the owner, the option, the expected form and the value, for example
 * {@code dataset shapes: option train-size must be a positive integer, got 'lots'}. Immutable.
 */
public final class PluginOptions {
    private final String owner;
    private final SortedMap<String, String> values;
    private final SortedSet<String> given;

    private PluginOptions(String owner, SortedMap<String, String> values, SortedSet<String> given) {
        this.owner = owner;
        this.values = values;
        this.given = given;
    }

    /**
     * Merges {@code given} over the defaults of {@code specs}.
     *
     * @param owner who the options belong to, for messages: the plugin id ({@code mlp-vae}), or
     *              {@code dataset ID} for datasets ({@link DatasetOptions#optionsFor})
     * @throws IllegalArgumentException if {@code given} names options that are not in {@code specs}; the message
     *                                  names them and every option there is
     */
    public static PluginOptions of(String owner, List<OptionSpec> specs, Map<String, String> given) {
        SortedMap<String, String> merged = new TreeMap<>();
        for (OptionSpec s : specs) {
            merged.put(s.name(), s.defaultValue());
        }
        SortedSet<String> unknown = new TreeSet<>(given.keySet());
        unknown.removeAll(merged.keySet());
        if (!unknown.isEmpty()) {
            List<String> quoted = unknown.stream().map(k -> "'" + k + "'").toList();
            throw new IllegalArgumentException(owner + " has no option" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", quoted) + (merged.isEmpty() ? " (it takes no options)"
                    : " (options: " + String.join(", ", merged.keySet()) + ")"));
        }
        merged.putAll(given);
        return new PluginOptions(owner, merged, Collections.unmodifiableSortedSet(new TreeSet<>(given.keySet())));
    }

    /** Every option with its value, sorted by name. */
    public SortedMap<String, String> asMap() {
        return Collections.unmodifiableSortedMap(values);
    }

    /** Whether the user gave {@code name} (rather than its default applying). */
    public boolean isGiven(String name) {
        get(name);
        return given.contains(name);
    }

    /** The names the user gave, sorted. */
    public Set<String> given() {
        return given;
    }

    /** The text of {@code name}, as given or its default ({@code ""} when it has none). */
    public String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(owner + " has no option '" + name + "'");
        }
        return v;
    }

    /** A positive integer. */
    public int getPositiveInt(String name) {
        return getInt(name, 1, Integer.MAX_VALUE, "a positive integer");
    }

    /** A whole number in {@code [min, max]}. */
    public int getInt(String name, int min, int max) {
        return getInt(name, min, max, "a whole number in [" + min + ", " + max + "]");
    }

    private int getInt(String name, int min, int max, String expected) {
        String v = get(name);
        try {
            long i = Long.parseLong(v.trim());
            if (i >= min && i <= max) {
                return (int) i;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(name, expected, v);
    }

    /** A finite number {@code >= 0}. */
    public double getNonNegativeDouble(String name) {
        String v = get(name);
        double d = parseDouble(v);
        if (d >= 0 && Double.isFinite(d)) {
            return d;
        }
        throw invalid(name, "a number >= 0", v);
    }

    /** A number strictly between 0 and 1 ({@code 0.1}). */
    public double getFraction(String name) {
        String v = get(name);
        double d = parseDouble(v);
        if (d > 0 && d < 1) {
            return d;
        }
        throw invalid(name, "a number between 0 and 1 (exclusive), like 0.1", v);
    }

    /** {@code true} or {@code false}, in any case. */
    public boolean getBoolean(String name) {
        String v = get(name);
        String t = v.trim();
        if (t.equalsIgnoreCase("true")) {
            return true;
        }
        if (t.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(name, "true or false", v);
    }

    /** A comma-separated list of positive integers, possibly empty ({@code 512,256}). */
    public List<Integer> getPositiveIntList(String name) {
        String v = get(name).trim();
        List<Integer> out = new ArrayList<>();
        if (v.isEmpty()) {
            return out;
        }
        for (String part : v.split(",")) {
            try {
                int i = Integer.parseInt(part.trim());
                if (i <= 0) {
                    throw new NumberFormatException();
                }
                out.add(i);
            } catch (NumberFormatException e) {
                throw invalid(name, "a comma-separated list of positive integers (like 512,256)", v);
            }
        }
        return out;
    }

    /** One of {@code allowed}, in any case; returns the allowed spelling. */
    public String getChoice(String name, String... allowed) {
        String v = get(name);
        String t = v.trim();
        for (String a : allowed) {
            if (a.equalsIgnoreCase(t)) {
                return a;
            }
        }
        throw invalid(name, "one of " + String.join(", ", Arrays.asList(allowed)), v);
    }

    private IllegalArgumentException invalid(String name, String expected, String value) {
        return new IllegalArgumentException(owner + ": option " + name + " must be " + expected + ", got '" + value
                + "'");
    }

    private static double parseDouble(String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
