package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code train --spark}'s mistakes: one line, the right exit code, nothing written. The tests' class path has no
 * Spark (as {@code lib/}), which is itself one of the cases: {@code --spark} outside the launcher's Spark class
 * path says so (exit 1) before the run folder is made.
 */
class SparkTrainErrorsIT {
    @TempDir
    static Path tmp;

    static Stream<Arguments> badInvocations() {
        return Stream.of(
                Arguments.of(new String[] {"--spark", "locall[2]"}, 2, "--spark locall[2]: not a Spark master"),
                Arguments.of(new String[] {"--spark", "spark//head:7077"}, 2, "not a Spark master"),
                Arguments.of(new String[] {"--spark", "local[2]", "--workers", "0"}, 2, "--workers must be at least 1"),
                Arguments.of(new String[] {"--spark", "local[2]", "--sync-every", "0"}, 2,
                        "--sync-every must be at least 1"),
                Arguments.of(new String[] {"--spark", "local[2]", "--workers", "two"}, 2, "--workers"),
                Arguments.of(new String[] {"--spark", "local[2]", "--device", "cuda"}, 2,
                        "--device cuda cannot be combined with it"),
                Arguments.of(new String[] {"--workers", "2"}, 2, "give --spark MASTER too"),
                Arguments.of(new String[] {"--sync-every", "4"}, 2, "give --spark MASTER too"),
                Arguments.of(new String[] {"--spark", "local[2]"}, 1, "--spark needs Apache Spark on the class path"));
    }

    @ParameterizedTest
    @MethodSource("badInvocations")
    void oneClearLineAndNothingWritten(String[] flags, int exitCode, String fragment) {
        Path out = tmp.resolve("run-" + String.join("_", flags).replaceAll("[^A-Za-z0-9_-]", ""));
        String[] args = Stream.concat(Stream.of("train", "--epochs", "1", "-D", "train-size=64", "-D", "test-size=16",
                "--out", out.toString()), Stream.of(flags)).toArray(String[]::new);
        Cli.Result r = Cli.run(args);
        assertEquals(exitCode, r.exitCode(), r.toString());
        assertTrue(r.err().contains(fragment), () -> "stderr lacks '" + fragment + "':\n" + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "one line (plus the --verbose hint):\n" + r.err());
        assertFalse(Files.exists(out), "the run folder was made");
    }
}
