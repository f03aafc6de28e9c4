package org.onnxtoolkit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

/** Runs a check that must fail, and returns its message after checking that it is one line. */
final class Failures {
    private Failures() {
    }

    static String message(Executable check, String... fragments) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, check);
        String m = e.getMessage();
        assertEquals(1, m.lines().count(), "one line: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + f + "' missing from: " + m);
        }
        return m;
    }
}
