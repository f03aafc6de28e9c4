package org.onnxtoolkit.plugins.datasets;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.onnxtoolkit.api.spi.DatasetException;

/** Checks and parses dataset options ({@code --dataset-option key=value}) with one-line error messages. */
final class OptionValues {
    private OptionValues() {
    }

    /** Rejects any option not in {@code known}, naming the options the dataset does accept. */
    static void requireOnly(String datasetId, Map<String, String> options, Set<String> known)
            throws DatasetException {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new DatasetException("dataset " + datasetId + " has no option" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown) + "; expected "
                    + (known.isEmpty() ? "no options" : "one of " + new TreeSet<>(known)));
        }
    }

    /** The value of {@code key} as an integer in {@code [1, max]}, or {@code defaultValue} when absent. */
    static int positiveInt(String datasetId, Map<String, String> options, String key, int defaultValue, int max)
            throws DatasetException {
        String text = options.get(key);
        if (text == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            value = Long.MIN_VALUE;
        }
        if (value < 1 || value > max) {
            throw new DatasetException("dataset " + datasetId + ": option " + key + " must be a whole number in [1, "
                    + max + "], got '" + text + "'");
        }
        return (int) value;
    }

    /** The value of {@code key} as {@code true} or {@code false} (any case), or {@code defaultValue} when absent. */
    static boolean bool(String datasetId, Map<String, String> options, String key, boolean defaultValue)
            throws DatasetException {
        String text = options.get(key);
        if (text == null) {
            return defaultValue;
        }
        String value = text.strip();
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new DatasetException("dataset " + datasetId + ": option " + key + " must be true or false, got '" + text
                + "'");
    }

    /** The value of {@code key} as a number strictly between 0 and 1, or {@code defaultValue} when absent. */
    static double fraction(String datasetId, Map<String, String> options, String key, double defaultValue)
            throws DatasetException {
        String text = options.get(key);
        if (text == null) {
            return defaultValue;
        }
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value > 0 && value < 1)) {
            throw new DatasetException("dataset " + datasetId + ": option " + key
                    + " must be a number between 0 and 1 (exclusive), like 0.1, got '" + text + "'");
        }
        return value;
    }
}
