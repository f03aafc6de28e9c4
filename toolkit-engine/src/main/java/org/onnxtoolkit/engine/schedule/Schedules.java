package org.onnxtoolkit.engine.schedule;

/** Parsing and checks shared by the schedules. Stateless. */
final class Schedules {
    private Schedules() {
    }

    /** A whole number {@code >= 1} named {@code name} in the messages. */
    static int wholeNumber(String text, String name) {
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + text + "'");
        }
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
        return value;
    }

    /** A finite number named {@code name} in the messages. */
    static double number(String text, String name) {
        double value;
        try {
            value = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + text + "'");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number, got '" + text + "'");
        }
        return value;
    }

    static void requireSteps(long step, long stepsPerEpoch, long totalSteps) {
        if (step < 1 || stepsPerEpoch < 1 || totalSteps < 1) {
            throw new IllegalArgumentException("steps are counted from 1: step " + step + ", " + stepsPerEpoch
                    + " per epoch, " + totalSteps + " in all");
        }
    }

    /** A number as short as it reads back exactly ({@code 0.5}, not {@code 0.50000}). */
    static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
