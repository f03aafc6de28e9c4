package org.onnxtoolkit.api.spi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Option values given to a plugin, already merged with the plugin's defaults. Typed getters parse the
 * text and fail with a one-line {@link IllegalArgumentException} naming the option and the expected form.
 * Immutable.
 */
public final class PluginOptions {
    private final String owner;
    private final SortedMap<String, String> values;

    private PluginOptions(String owner, SortedMap<String, String> values) {
        this.owner = owner;
        this.values = values;
    }

    /**
     * Merges {@code given} over the defaults of {@code specs}.
     *
     * @param owner the plugin id, for messages
     * @throws IllegalArgumentException if {@code given} names an option that is not in {@code specs}
     */
    public static PluginOptions of(String owner, List<OptionSpec> specs, Map<String, String> given) {
        SortedMap<String, String> merged = new TreeMap<>();
        for (OptionSpec s : specs) {
            merged.put(s.name(), s.defaultValue());
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!merged.containsKey(e.getKey())) {
                throw new IllegalArgumentException(owner + " has no option '" + e.getKey() + "' (options: "
                        + String.join(", ", merged.keySet()) + ")");
            }
            merged.put(e.getKey(), e.getValue());
        }
        return new PluginOptions(owner, merged);
    }

    /** Every option with its value, sorted by name. */
    public SortedMap<String, String> asMap() {
        return Collections.unmodifiableSortedMap(values);
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(owner + " has no option '" + name + "'");
        }
        return v;
    }

    /** A positive integer. */
    public int getPositiveInt(String name) {
        String v = get(name);
        try {
            int i = Integer.parseInt(v.trim());
            if (i > 0) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(owner + ": option " + name + " must be a positive integer, got '" + v + "'");
    }

    /** A finite number {@code >= 0}. */
    public double getNonNegativeDouble(String name) {
        String v = get(name);
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(owner + ": option " + name + " must be a number >= 0, got '" + v + "'");
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
                throw new IllegalArgumentException(owner + ": option " + name
                        + " must be a comma-separated list of positive integers (like 512,256), got '" + v + "'");
            }
        }
        return out;
    }

    /** One of {@code allowed}. */
    public String getChoice(String name, String... allowed) {
        String v = get(name).trim();
        if (!Arrays.asList(allowed).contains(v)) {
            throw new IllegalArgumentException(owner + ": option " + name + " must be one of "
                    + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
