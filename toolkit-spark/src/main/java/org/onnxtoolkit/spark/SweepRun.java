package org.onnxtoolkit.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One training of a sweep: its run folder's name under the sweep folder, the values the grid gave it, and the
 * flags of {@code ./toolkit train} it runs with (without {@code --out}, which the task adds). Sent to executors
 * inside Spark tasks, hence serializable; immutable.
 *
 * @param index  0-based position in the sweep (also the Spark partition that trains it)
 * @param name   the run folder's name, a plain file name
 * @param values the varied flags' values, in the grid's order
 * @param flags  the train flags: the sweep's common flags, then the varied ones
 */
public record SweepRun(int index, String name, LinkedHashMap<String, String> values, ArrayList<String> flags)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public SweepRun {
        Objects.requireNonNull(name, "name");
        values = new LinkedHashMap<>(values);
        flags = new ArrayList<>(flags);
        if (index < 0) {
            throw new IllegalArgumentException("index " + index + " < 0");
        }
        if (name.isBlank() || name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("run name '" + name + "' is not a plain folder name");
        }
    }

    /** The runs of {@code grid}: the common train flags, then {@code --KEY VALUE} per varied flag. */
    public static List<SweepRun> of(SweepGrid grid, List<String> commonFlags) {
        List<Map<String, String>> combinations = grid.combinations();
        List<SweepRun> runs = new ArrayList<>();
        for (int i = 0; i < combinations.size(); i++) {
            Map<String, String> values = combinations.get(i);
            ArrayList<String> flags = new ArrayList<>(commonFlags);
            values.forEach((k, v) -> {
                flags.add("--" + k);
                flags.add(v);
            });
            runs.add(new SweepRun(i, SweepGrid.runName(i, combinations.size(), values), new LinkedHashMap<>(values),
                    flags));
        }
        return runs;
    }
}
