package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bad flag and bad file gives one line, the right exit code, and no stack trace. */
class CliErrorsIT {
    @TempDir
    static Path tmp;

    static Stream<Arguments> badInvocations() throws IOException {
        Path notOnnx = tmp.resolve("not.onnx");
        Files.writeString(notOnnx, "hello");
        Path full = tmp.resolve("full");
        Files.createDirectories(full);
        Files.writeString(full.resolve("x"), "x");
        return Stream.of(
                Arguments.of(new String[] {"train", "--epochs", "0"}, 2, "--epochs must be at least 1"),
                Arguments.of(new String[] {"train", "--batch-size", "x"}, 2, "--batch-size"),
                Arguments.of(new String[] {"train", "--arch", "nope"}, 2, "unknown architecture 'nope'"),
                Arguments.of(new String[] {"train", "--dataset", "nope"}, 2, "unknown dataset 'nope'"),
                Arguments.of(new String[] {"train", "--objective", "nope"}, 2, "unknown objective 'nope'"),
                Arguments.of(new String[] {"train", "--dataset", "mnist"}, 2, "--data-dir"),
                Arguments.of(new String[] {"train", "--dataset", "mnist", "--data-dir", tmp.resolve("none").toString()}, 2,
                        "none"),
                Arguments.of(new String[] {"train", "--hidden", "400,abc"}, 2, "hidden"),
                Arguments.of(new String[] {"train", "--preset", "celeba64"}, 2, "mlp-vae has no option 'preset'"),
                Arguments.of(new String[] {"train", "--device", "tpu"}, 2, "tpu"),
                Arguments.of(new String[] {"train", "--out", full.toString()}, 2, "already exists"),
                Arguments.of(new String[] {"train", "--resume", tmp.resolve("none").toString()}, 1, "run.json is missing"),
                Arguments.of(new String[] {"train", "--plugins-dir", tmp.resolve("none").toString()}, 2, "not a folder"),
                Arguments.of(new String[] {"sample", "--model", tmp.resolve("missing.onnx").toString(), "--out", "x.png"}, 2,
                        "does not exist"),
                Arguments.of(new String[] {"sample", "--model", notOnnx.toString(), "--out", "x.png"}, 1,
                        "not an ONNX model"),
                Arguments.of(new String[] {"sample", "--out", "x.png"}, 2, "--model"),
                Arguments.of(new String[] {"reconstruct", "--run", tmp.toString(), "--out", "x.png"}, 2, "run.json"),
                Arguments.of(new String[] {"frobnicate"}, 2, "frobnicate"));
    }

    @ParameterizedTest
    @MethodSource("badInvocations")
    void oneClearLine(String[] args, int exitCode, String fragment) {
        Cli.Result r = Cli.run(args);
        assertEquals(exitCode, r.exitCode(), r.toString());
        assertTrue(r.err().contains(fragment), () -> "stderr lacks '" + fragment + "':\n" + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "one line (plus the --verbose hint):\n" + r.err());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run("train", "--resume", tmp.resolve("none").toString(), "--verbose");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "sample", "reconstruct", "plugins", "artifacts", "benchmark"})
    void everyCommandHasHelpWithAnExample(String command) {
        Cli.Result r = Cli.run(command, "--help");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("Example"), r.out());
        assertTrue(r.out().contains("./toolkit " + command), r.out());
    }
}
