package org.onnxtoolkit.api.graph;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ONNX attributes of one node: an immutable map, sorted by name so that serialisation is
 * deterministic. Values are {@code Long} (ONNX INT), {@code Float} (FLOAT), {@code long[]} (INTS),
 * {@code float[]} (FLOATS) or {@code String} (STRING).
 */
public final class Attributes {
    /** No attributes. */
    public static final Attributes NONE = new Attributes(new TreeMap<>());

    private final TreeMap<String, Object> values;

    private Attributes(TreeMap<String, Object> values) {
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The raw value (a defensive copy for arrays), or null when absent. */
    public Object get(String name) {
        Object v = values.get(name);
        if (v instanceof long[] a) {
            return a.clone();
        }
        if (v instanceof float[] a) {
            return a.clone();
        }
        return v;
    }

    public long getInt(String name, long defaultValue) {
        Object v = values.get(name);
        return v == null ? defaultValue : (Long) v;
    }

    public float getFloat(String name, float defaultValue) {
        Object v = values.get(name);
        return v == null ? defaultValue : (Float) v;
    }

    public long[] getInts(String name) {
        Object v = values.get(name);
        return v == null ? null : ((long[]) v).clone();
    }

    /** An unmodifiable view, in name order. Arrays in it must not be modified. */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(k).append('=');
            if (v instanceof long[] a) {
                sb.append(java.util.Arrays.toString(a));
            } else if (v instanceof float[] a) {
                sb.append(java.util.Arrays.toString(a));
            } else {
                sb.append(v);
            }
        });
        return sb.append('}').toString();
    }

    /** Collects attributes; not thread-safe. */
    public static final class Builder {
        private final TreeMap<String, Object> values = new TreeMap<>();

        public Builder put(String name, long value) {
            values.put(name, value);
            return this;
        }

        public Builder put(String name, float value) {
            values.put(name, value);
            return this;
        }

        public Builder put(String name, long[] value) {
            values.put(name, value.clone());
            return this;
        }

        public Builder put(String name, float[] value) {
            values.put(name, value.clone());
            return this;
        }

        public Builder put(String name, String value) {
            values.put(name, value);
            return this;
        }

        public Attributes build() {
            return values.isEmpty() ? NONE : new Attributes(new TreeMap<>(values));
        }
    }
}
