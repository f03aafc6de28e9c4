package org.onnxtoolkit.runtime.cli;

import picocli.CommandLine.Option;

/**
 * {@code --label K}: the class a class-conditional model ({@code train --conditional}) draws, as an index or a
 * class name. Given for an unconditional model it is a usage error.
 */
final class LabelOption {
    static final String NAME = "--label";

    @Option(names = NAME, paramLabel = "K", description = "class-conditional models: the class to draw, its index"
            + " (0, 1, ...) or its name (default: 0)")
    String label;

    /**
     * The class index to feed {@code decoder}: the one given, 0 when none is given for a conditional decoder, -1 for
     * an unconditional decoder.
     *
     * @throws UsageException when the label is given for an unconditional decoder or is none of its classes
     */
    int index(DecoderModel decoder) {
        if (label == null) {
            return decoder.conditional() ? 0 : -1;
        }
        return decoder.labelIndex(label, NAME, false);
    }
}
