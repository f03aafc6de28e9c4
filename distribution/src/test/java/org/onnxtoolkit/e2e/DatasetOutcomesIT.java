package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What {@code train} does with what a dataset plugin reports: the class names of a labelled dataset are
 * recorded in {@code run.json}, an unlabelled dataset records none, and a {@code DatasetException} becomes exit
 * 2 when it blames the request and exit 1 when it blames the files, with the plugin's one line either way.
 */
class DatasetOutcomesIT {
    @TempDir
    static Path plugins;

    @TempDir
    Path tmp;

    /** A labelled dataset (half the images empty, half a square) that fails on request, as a plugin jar. */
    private static final String LABELLED = """
            package demo;
            import java.util.List;
            import org.onnxtoolkit.api.spi.*;
            @org.onnxtoolkit.api.spi.PluginId("labelled-squares")
            @jakarta.enterprise.context.ApplicationScoped
            public class LabelledSquares implements Dataset {
                public String id() { return "labelled-squares"; }
                public ImageShape nativeShape() { return new ImageShape(1, 28, 28); }
                public List<OptionSpec> options() {
                    return List.of(new OptionSpec("mode", "", "bad-data or bad-request: how to fail"));
                }
                public DatasetSplits open(DatasetOptions o) throws DatasetException {
                    String mode = o.options().getOrDefault("mode", "");
                    if (mode.equals("bad-data")) {
                        throw DatasetException.badData("labelled-squares: squares.bin is truncated at byte 7;"
                                + " download it again");
                    }
                    if (mode.equals("bad-request")) {
                        throw new DatasetException("labelled-squares: mode bad-request is not a mode; use none");
                    }
                    return new DatasetSplits(split(96), split(32), "labelled-squares-1", List.of(),
                            List.of("empty", "square"));
                }
                static ImageSplit split(int n) {
                    return new ImageSplit() {
                        public ImageShape shape() { return new ImageShape(1, 28, 28); }
                        public int size() { return n; }
                        public int label(int i) { return i % 2; }
                        public void copyImage(int i, byte[] target, int offset) {
                            for (int p = 0; p < 784; p++) {
                                int x = p % 28, y = p / 28;
                                boolean on = i % 2 == 1 && x > 4 + i % 5 && x < 20 && y > 6 && y < 22;
                                target[offset + p] = (byte) (on ? 255 : 0);
                            }
                        }
                    };
                }
            }
            """;

    @BeforeAll
    static void pluginJar() throws IOException {
        PluginJars.write(plugins.resolve("labelled-squares.jar"), "demo.LabelledSquares", LABELLED);
    }

    @Test
    void theClassesOfALabelledDatasetAreRecordedInRunJson() {
        Path run = tmp.resolve("labelled");
        Cli.Result r = Cli.run("train", "--plugins-dir", plugins.toString(), "--dataset", "labelled-squares", "--epochs",
                "1", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode dataset = RunFolders.readJson(run.resolve("run.json")).get("dataset");
        assertEquals(List.of("empty", "square"), List.of(dataset.get("classes").get(0).asText(),
                dataset.get("classes").get(1).asText()));
        assertEquals(2, dataset.get("classes").size());
        assertEquals(96, dataset.get("trainImages").asInt());
        assertEquals(32, dataset.get("testImages").asInt());
        assertEquals("1x28x28", dataset.get("imageShape").asText());

        Path unlabelled = TinyRun.train(tmp.resolve("shapes"));
        assertEquals(0, RunFolders.readJson(unlabelled.resolve("run.json")).get("dataset").get("classes").size());
    }

    @ParameterizedTest
    @CsvSource({
            "bad-request, 2, 'labelled-squares: mode bad-request is not a mode; use none'",
            "bad-data, 1, 'labelled-squares: squares.bin is truncated at byte 7; download it again'"})
    void aDatasetFailureGetsTheExitCodeOfWhoseFaultItIs(String mode, int exitCode, String line) {
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--plugins-dir", plugins.toString(), "--dataset", "labelled-squares", "-D",
                "mode=" + mode, "--epochs", "1", "--out", run.toString());
        assertEquals(exitCode, r.exitCode(), r.toString());
        assertEquals("toolkit: " + line, r.err().lines().findFirst().orElse(""), r.toString());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(run), "nothing is written for a dataset that cannot be opened");
        assertTrue(r.err().strip().lines().count() <= 2, r.err());
    }
}
