package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --conditional} end to end through the CLI: a class-conditional mlp-vae trained on an image folder
 * with class subfolders, then {@code sample --label K} for each class and {@code --label all}, {@code manifold} and
 * {@code interpolate} with {@code --label}, {@code reconstruct} and {@code evaluate} with the dataset's labels,
 * {@code export} ({@code model.json} lists the classes), {@code --resume} of a conditional run; and the refusals, each one line with exit code 2.
 */
class ConditionalIT {
    @TempDir
    static Path tmp;
    static Path run;
    static Path plain;

    @BeforeAll
    static void train() throws IOException {
        // One epoch, then --resume for the second: the resumed run rebuilds the conditional graphs from run.json.
        run = TinyRun.trainConditional(tmp.resolve("conditional"), 40, 1);
        Cli.Result resumed = Cli.run("train", "--resume", run.toString(), "--epochs", "2");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("conditioned on 3 classes: box, column, row"), resumed.out());
        assertTrue(resumed.out().contains("epoch 2/2"), resumed.out());
        plain = TinyRun.train(tmp.resolve("plain"));
    }

    private static Cli.Result ok(String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    /** One line on stderr naming {@code fragment}, exit code 2, no stack trace. */
    private static void refused(String fragment, String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains(fragment), () -> "stderr lacks '" + fragment + "':\n" + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "one line (plus the --verbose hint):\n" + r.err());
    }

    @Test
    void theRunRecordsTheConditionAndTheModelsTakeTheLabel() throws IOException {
        JsonNode record = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertTrue(record.at("/config/conditional").asBoolean(), record.toString());
        assertEquals("3", record.at("/modelConfiguration/conditional.classes").asText(), record.toString());
        assertEquals("[\"box\",\"column\",\"row\"]", record.at("/dataset/classes").toString());
        assertFalse(new ObjectMapper().readTree(plain.resolve("run.json").toFile()).at("/config/conditional").asBoolean());
        // Conditional and unconditional artifacts are different models: different fingerprints.
        assertNotEquals(record.at("/artifactsFingerprint").asText(), new ObjectMapper()
                .readTree(plain.resolve("run.json").toFile()).at("/artifactsFingerprint").asText());
    }

    @Test
    void sampleDrawsEachClassAndOneRowPerClass() throws IOException {
        List<Pixels> pictures = new java.util.ArrayList<>();
        for (int k = 0; k < 3; k++) {
            Path png = tmp.resolve("class" + k + ".png");
            Cli.Result r = ok("sample", "--model", run.resolve("decoder.onnx").toString(), "--label", Integer.toString(k),
                    "--n", "16", "--out", png.toString());
            assertTrue(r.out().contains("of class " + k + " (" + TinyRun.CLASSES.get(k) + ")"), r.out());
            pictures.add(Pixels.read(png));
        }
        // The same latent vectors (same seed) as another class give another picture.
        assertNotEquals(0, pictures.get(0).differingPixels(pictures.get(1)));
        assertNotEquals(0, pictures.get(1).differingPixels(pictures.get(2)));
        // A class by name is that class.
        Path byName = tmp.resolve("row.png");
        ok("sample", "--model", run.resolve("decoder.onnx").toString(), "--label", "row", "--n", "16", "--out",
                byName.toString());
        assertEquals(0, Pixels.read(byName).differingPixels(pictures.get(2)));

        Path all = tmp.resolve("all.png");
        Cli.Result r = ok("sample", "--model", run.resolve("decoder.onnx").toString(), "--label", "all", "--n", "16",
                "--out", all.toString());
        assertTrue(r.out().contains("3 rows of 4 samples, one row per class"), r.out());
        assertTrue(r.out().contains("row 3: label 2 (row)"), r.out());
        Pixels grid = Pixels.read(all);
        // 16x16 tiles at scale 2 with 2-pixel padding: 4 columns, 3 rows.
        assertEquals(4 * 32 + 5 * 2, grid.width());
        assertEquals(3 * 32 + 4 * 2, grid.height());
    }

    @Test
    void manifoldInterpolateReconstructEvaluateAndExportWorkOnAConditionalRun() throws IOException {
        ok("manifold", "--run", run.toString(), "--label", "1", "--steps", "4", "--out", tmp.resolve("m1.png").toString());
        ok("manifold", "--run", run.toString(), "--steps", "4", "--out", tmp.resolve("m0.png").toString());
        assertNotEquals(0, Pixels.read(tmp.resolve("m1.png")).differingPixels(Pixels.read(tmp.resolve("m0.png"))));
        Path a = tmp.resolve("conditional-data/row/000.png");
        Path b = tmp.resolve("conditional-data/row/001.png");
        Cli.Result line = ok("interpolate", "--run", run.toString(), "--from", a.toString(), "--to", b.toString(),
                "--label", "row", "--steps", "4", "--out", tmp.resolve("line.png").toString());
        assertTrue(Files.size(tmp.resolve("line.png")) > 0, line.toString());
        ok("reconstruct", "--run", run.toString(), "--n", "8", "--out", tmp.resolve("recon.png").toString());
        Cli.Result evaluation = ok("evaluate", "--run", run.toString(), "--importance-samples", "4");
        assertTrue(evaluation.out().contains("negative ELBO"), evaluation.out());

        Path site = tmp.resolve("site");
        ok("export", "--run", run.toString(), "--out", site.toString());
        JsonNode model = new ObjectMapper().readTree(site.resolve("model.json").toFile());
        assertEquals("[\"box\",\"column\",\"row\"]", model.get("classes").toString());
        assertEquals("label", model.at("/decoder/label_input").asText());
        assertEquals("int64", model.at("/decoder/label_type").asText());
        assertEquals("label", model.at("/encoder/label_input").asText());
        assertTrue(new ObjectMapper().readTree(plain.resolve("run.json").toFile()).isObject());
        // The export is a run folder for sample too.
        ok("sample", "--model", site.resolve("decoder.onnx").toString(), "--label", "0", "--n", "4", "--out",
                tmp.resolve("site-sample.png").toString());
    }

    @Test
    void refusals() {
        refused("--conditional: dataset shapes has no class labels", "train", "--conditional", "--out",
                tmp.resolve("never").toString(), "--epochs", "1");
        assertFalse(Files.exists(tmp.resolve("never").resolve("run.json")));
        String decoder = run.resolve("decoder.onnx").toString();
        String png = tmp.resolve("x.png").toString();
        refused("--label 3: the model has 3 classes, labels 0 to 2 (box, column, row), or all", "sample", "--model",
                decoder, "--label", "3", "--out", png);
        refused("--label -1: the model has 3 classes", "sample", "--model", decoder, "--label", "-1", "--out", png);
        refused("--label circle: the model has 3 classes", "sample", "--model", decoder, "--label", "circle", "--out", png);
        refused("is class-conditional (3 classes: box, column, row); give --label K (0 to 2) or --label all", "sample",
                "--model", decoder, "--out", png);
        String plainDecoder = plain.resolve("decoder.onnx").toString();
        refused("is not class-conditional (it was trained without --conditional); leave out --label", "sample",
                "--model", plainDecoder, "--label", "0", "--out", png);
        refused("is not class-conditional", "sample", "--model", plainDecoder, "--label", "all", "--out", png);
        refused("is not class-conditional", "manifold", "--run", plain.toString(), "--label", "1", "--out", png);
        refused("--label 7: the model has 3 classes, labels 0 to 2 (box, column, row)", "manifold", "--run",
                run.toString(), "--label", "7", "--out", png);
        refused("--conditional cannot be changed", "train", "--resume", plain.toString(), "--conditional");
        refused("--conditional cannot be changed", "train", "--resume", run.toString(), "--conditional");
        assertFalse(Arrays.asList(tmp.toFile().list()).contains("x.png"), "nothing written by a refused command");
    }
}
