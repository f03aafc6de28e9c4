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
}
