package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin discovery and the pre-built artifacts, through the CLI. */
class PluginsIT {
    @TempDir
    Path tmp;

    @Test
    void builtInPluginsAreListedWithKindVersionAndJar() {
        Cli.Result r = Cli.run("plugins");
        assertEquals(0, r.exitCode(), r.toString());
        for (String line : List.of("mlp-vae ", "bce-kl ", "mse-kl ", "shapes ", "mnist ", "fashion-mnist ")) {
            assertTrue(r.out().contains(line), "missing " + line + " in\n" + r.out());
        }
        assertTrue(r.out().contains("architecture") && r.out().contains("objective") && r.out().contains("dataset"));
        assertTrue(r.out().contains("toolkit-plugin-vae.jar") && r.out().contains("0.1.0-SNAPSHOT"), r.out());
    }

    @Test
    void aJarDroppedIntoPluginsDirIsListedAndTrainable() throws IOException {
        Path dir = tmp.resolve("my-plugins");
        PluginJars.write(dir.resolve("checkers.jar"), "demo.CheckersDataset", """
                package demo;
                import java.util.Map;
                import org.onnxtoolkit.api.spi.*;
                @PluginId("checkers")
                @jakarta.enterprise.context.ApplicationScoped
                public class CheckersDataset implements Dataset {
                    public String description() { return "checkerboards"; }
                    public ImageShape nativeShape() { return new ImageShape(1, 28, 28); }
                    public DatasetSplits open(DatasetOptions o) {
                        return new DatasetSplits(split(256, 1), split(64, 2), "checkers-v1");
                    }
                    private static ImageSplit split(int n, int salt) {
                        return new ImageSplit() {
                            public ImageShape shape() { return new ImageShape(1, 28, 28); }
                            public int size() { return n; }
                            public void copyImage(int i, byte[] t, int off) {
                                int cell = 2 + (i + salt) % 6;
                                for (int y = 0; y < 28; y++)
                                    for (int x = 0; x < 28; x++)
                                        t[off + y * 28 + x] = (byte) ((((x / cell) + (y / cell)) % 2) * 255);
                            }
                        };
                    }
                }
                """);
        Cli.Result list = Cli.run("plugins", "--plugins-dir", dir.toString());
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().contains("checkers") && list.out().contains("checkers.jar"), list.out());
        Cli.Result train = Cli.run("train", "--plugins-dir", dir.toString(), "--dataset", "checkers", "--epochs", "1",
                "--out", tmp.resolve("run").toString());
        assertEquals(0, train.exitCode(), train.toString());
        assertTrue(Files.isRegularFile(tmp.resolve("run/decoder.onnx")));
        assertTrue(Files.readString(tmp.resolve("run/run.json")).contains("checkers-v1"), "dataset fingerprint in run.json");
    }

    @Test
    void datasetOptionsAreListedAndUndeclaredOnesRefusedNamingThem() {
        Cli.Result r = Cli.run("plugins", "shapes", "celeba");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("options (train -D name=value, or the flags of the same name):"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(" +train-size +20000 +images in the train split")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(" +crop +168 +side of the centred square cut before resizing.*")),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(" +cache-dir +\\(none\\) +folder of the decoded-image caches.*")),
                r.out());

        Path run = tmp.resolve("refused");
        Cli.Result refused = Cli.run("train", "-D", "trainsize=500", "-D", "test-size=50", "--out", run.toString());
        assertEquals(2, refused.exitCode(), refused.toString());
        assertEquals(List.of("toolkit: dataset shapes has no option 'trainsize' (options: test-size, train-size)"),
                refused.err().lines().toList());
        assertTrue(!Files.exists(run), "nothing is written");
        Cli.Result crop = Cli.run("train", "--crop", "20", "--out", run.toString());
        assertEquals(List.of("toolkit: dataset shapes has no option 'crop' (options: test-size, train-size)"),
                crop.err().lines().toList());
        Cli.Result value = Cli.run("train", "-D", "train-size=lots", "--out", run.toString());
        assertEquals(2, value.exitCode(), value.toString());
        assertEquals(List.of("toolkit: dataset shapes: option train-size must be a positive integer, got 'lots'"),
                value.err().lines().toList());
    }

    /** A third-party architecture whose recommendation a test can set: a small fully connected VAE. */
    private static String recommendingArchitecture(String id, String recommendation) {
        return """
                package demo;
                import java.util.List;
                import java.util.SortedMap;
                import java.util.TreeMap;
                import org.onnxtoolkit.api.graph.*;
                import org.onnxtoolkit.api.nn.Layers;
                import org.onnxtoolkit.api.spi.*;
                @PluginId("@ID@")
                @jakarta.enterprise.context.ApplicationScoped
                public class Recommending implements Architecture {
                    public String description() { return "a small VAE with a recommendation"; }
                    public List<OptionSpec> options() { return List.of(); }
                    public LatentModel create(PluginOptions o, ImageShape shape) {
                        return new LatentModel() {
                            public ImageShape imageShape() { return shape; }
                            public int latentSize() { return 2; }
                            public SortedMap<String, String> configuration() {
                                return new TreeMap<>(java.util.Map.of("architecture", "@ID@", "image", shape.toString()));
                            }
                            public RecommendedTraining recommendedTraining() { return @RECOMMENDATION@; }
                            public Encoding encode(Graph g, Value x) {
                                try (var s = g.scope("encoder")) {
                                    Value h = Layers.linear(g, "fc", x.flatten(), 16).relu();
                                    return new Encoding(Layers.linear(g, "mu", h, 2), Layers.linear(g, "logvar", h, 2));
                                }
                            }
                            public Decoding decode(Graph g, Value z) {
                                try (var s = g.scope("decoder")) {
                                    Value l = Layers.linear(g, "out", z, shape.size())
                                            .reshape(-1, shape.channels(), shape.height(), shape.width());
                                    return new Decoding(l, l.sigmoid(), OutputActivation.SIGMOID);
                                }
                            }
                        };
                    }
                }
                """.replace("@ID@", id).replace("@RECOMMENDATION@", recommendation);
    }

    @Test
    void aFlagWinsOverTheRecommendationWhichWinsOverTheDefault() throws IOException {
        Path dir = tmp.resolve("recommending");
        PluginJars.write(dir.resolve("recommending.jar"), "demo.Recommending", recommendingArchitecture("recommending",
                "RecommendedTraining.NONE.withObjective(\"mse-kl\").withEpochs(1).withBatchSize(32).withLearningRate(0.01)"
                        + ".withKlWeight(0.5)"));
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--plugins-dir", dir.toString(), "--arch", "recommending", "--lr", "0.002",
                "-D", "train-size=128", "-D", "test-size=32", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("with mse-kl for 1 epochs"), r.out());
        var config = RunFolders.readJson(run.resolve("run.json")).get("config");
        assertEquals("mse-kl", config.get("objective").asText(), "recommended");
        assertEquals(1, config.get("epochs").asInt(), "recommended, over the default 5");
        assertEquals(32, config.get("batchSize").asInt(), "recommended, over the default 128");
        assertEquals(0.002, config.get("learningRate").asDouble(), "the flag, over the recommended 0.01");
        assertEquals(0.5, config.get("klWeight").asDouble(), "recommended, over the default 1");
    }

    @Test
    void aRecommendationThatCannotBeMadeNamesTheArchitecture() throws IOException {
        Path dir = tmp.resolve("bad-recommendation");
        PluginJars.write(dir.resolve("bad.jar"), "demo.Recommending", recommendingArchitecture("bad-recommendation",
                "RecommendedTraining.NONE.withLearningRate(-0.001)"));
        Cli.Result r = Cli.run("train", "--plugins-dir", dir.toString(), "--arch", "bad-recommendation",
                "-D", "train-size=64", "-D", "test-size=16", "--out", tmp.resolve("run").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("toolkit: architecture bad-recommendation cannot recommend its training settings"
                + " (recommended training: learning rate must be a finite number > 0, got -0.001); fix its"
                + " recommendedTraining()", "(run with --verbose for details)"), r.err().lines().toList());
        assertTrue(!Files.exists(tmp.resolve("run")), "nothing is written");
    }

    /** train --help lists the plugins found, third-party ones too, from their jars' metadata: no plugin code runs. */
    @Test
    void trainHelpListsThePluginIdsWithoutStartingAny() throws IOException {
        Path dir = tmp.resolve("help-plugins");
        PluginJars.write(dir.resolve("licensed.jar"), "demo.Licensed", """
                package demo;
                import org.onnxtoolkit.api.spi.*;
                @PluginId("licensed-data")
                @jakarta.enterprise.context.ApplicationScoped
                public class Licensed implements Dataset {
                    static { if (true) throw new IllegalStateException("licence file licensed.lic not found"); }
                    public ImageShape nativeShape() { return null; }
                    public DatasetSplits open(DatasetOptions o) { return null; }
                }
                """);
        Cli.Result r = Cli.run("train", "--help", "--plugins-dir", dir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        String words = r.out().replaceAll("\\s+", " ");
        assertTrue(words.contains("-D, --dataset-option=KEY=VALUE a dataset option, repeatable; ./toolkit plugins DATASET"
                + " lists them"), r.out());
        assertTrue(r.out().contains("Plugins (./toolkit plugins ID shows one's description and options):"), r.out());
        assertTrue(r.out().lines().allMatch(l -> l.length() <= 80), "lines fit 80 columns:\n" + r.out());
        assertTrue(words.contains(" datasets: celeba, fashion-mnist, image-folder, licensed-data, mnist, shapes"
                + " architectures: conv-vae, mlp-vae, onnx-vae objectives: bce-kl, mse-kl"), r.out());
        assertTrue(r.err().isEmpty(), r.err());

        Cli.Result broken = Cli.run("train", "--help", "--plugins-dir", tmp.resolve("nowhere").toString());
        assertEquals(0, broken.exitCode(), broken.toString());
        assertTrue(broken.out().contains("the plugins cannot be listed here (--plugins-dir " + tmp.resolve("nowhere")
                + " is not a folder); ./toolkit plugins says more"), broken.out());
    }

    @Test
    void aBrokenJarIsNamedInOneLine() throws IOException {
        Path dir = tmp.resolve("broken");
        Files.createDirectories(dir);
        Files.write(dir.resolve("garbage.jar"), new byte[] {1, 2, 3, 4});
        Cli.Result r = Cli.run("plugins", "--plugins-dir", dir.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("garbage.jar"), r.err());
        assertTrue(!r.err().contains("\tat "), r.err());
    }

    /** The {@code ./toolkit artifacts} lines of scripts/regenerate-artifacts.sh, by the folder they write. */
    static Map<String, List<String>> regenerateLines() throws IOException {
        Path script = Path.of(System.getProperty("toolkit.repo"), "scripts", "regenerate-artifacts.sh");
        Pattern line = Pattern.compile("\\./toolkit artifacts (.+) --out artifacts/([A-Za-z0-9._-]+)");
        Map<String, List<String>> out = new TreeMap<>();
        for (String l : Files.readAllLines(script)) {
            Matcher m = line.matcher(l.strip());
            if (m.matches()) {
                out.put(m.group(2), List.of(m.group(1).split(" ")));
            } else {
                assertTrue(l.isBlank() || l.startsWith("#") || !l.contains("./toolkit"), "unexpected line: " + l);
            }
        }
        return out;
    }

    @Test
    void prebuiltArtifactsEqualWhatTheCompilerProducesToday() throws IOException {
        Path repoArtifacts = Path.of(System.getProperty("toolkit.repo"), "artifacts");
        Map<String, List<String>> lines = regenerateLines();
        assertTrue(lines.keySet().containsAll(List.of("mlp-vae", "mlp-vae-2d", "conv-vae-celeba64", "conv-vae-vanilla")),
                "every built-in model has pre-built artifacts: " + lines.keySet());
        Set<String> folders = new TreeSet<>();
        try (var s = Files.list(repoArtifacts)) {
            s.filter(Files::isDirectory).forEach(d -> folders.add(d.getFileName().toString()));
        }
        assertEquals(lines.keySet(), folders, "artifacts/ and scripts/regenerate-artifacts.sh name the same folders");
        for (Map.Entry<String, List<String>> e : lines.entrySet()) {
            Path fresh = tmp.resolve(e.getKey());
            List<String> args = new ArrayList<>(List.of("artifacts"));
            args.addAll(e.getValue());
            args.addAll(List.of("--out", fresh.toString()));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.toString());
            for (String f : List.of("training_model.onnx", "eval_model.onnx", "optimizer_model.onnx", "manifest.json")) {
                assertArrayEquals(Files.readAllBytes(repoArtifacts.resolve(e.getKey()).resolve(f)),
                        Files.readAllBytes(fresh.resolve(f)), f + " differs from artifacts/" + e.getKey()
                                + ": regenerate with scripts/regenerate-artifacts.sh");
            }
        }
    }

    @Test
    void artifactsHelpListsThePrebuiltFoldersOfTheInstalledToolkit() throws Exception {
        Cli.Result r = Cli.run("artifacts", "--help");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("Pre-built configurations in " + Homes.real().resolve("artifacts")), r.out());
        assertTrue(r.out().contains("conv-vae-vanilla   conv-vae activation=leaky-relu channels=32,64,128,256,512"
                + " image=3x64x64 latent=128 objective=mse-kl output=tanh preset=vanilla"), r.out());
        assertTrue(r.out().contains("mlp-vae-2d         mlp-vae hidden=512,256 image=1x28x28 latent=2 objective=bce-kl"),
                r.out());

        // Listed from the folder, not from a list in the code: a home with one renamed folder lists just that.
        Path home = tmp.resolve("home");
        Path mine = Files.createDirectories(home.resolve("artifacts/my-mlp"));
        Files.copy(Homes.real().resolve("artifacts/mlp-vae/manifest.json"), mine.resolve("manifest.json"));
        Cli.Result own = Homes.with(home, () -> Cli.run("artifacts", "--help"));
        assertTrue(own.out().contains("  my-mlp  mlp-vae hidden=400 image=1x28x28 latent=20 objective=bce-kl"), own.out());
        assertTrue(!own.out().contains("conv-vae-vanilla"), own.out());
        Cli.Result none = Homes.with(tmp.resolve("empty-home"), () -> Cli.run("artifacts", "--help"));
        assertTrue(none.out().contains("Pre-built configurations: none in"), none.out());
    }

    @Test
    void aConvPresetTrainsWithItsPrebuiltArtifacts() throws IOException {
        Path run = tmp.resolve("conv");
        Cli.Result r = Cli.run("train", "--arch", "conv-vae", "--preset", "vanilla", "--epochs", "1", "--max-train", "64",
                "--max-test", "32", "-D", "train-size=64", "-D", "test-size=32", "--batch-size", "32", "--verbose",
                "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Path prebuilt = Homes.real().resolve("artifacts/conv-vae-vanilla");
        assertTrue(r.out().contains("artifacts: prebuilt " + prebuilt), r.out());
        for (String f : List.of("training_model.onnx", "eval_model.onnx", "manifest.json")) {
            assertArrayEquals(Files.readAllBytes(prebuilt.resolve(f)), Files.readAllBytes(run.resolve("artifacts").resolve(f)),
                    "the run keeps the pre-built " + f);
        }
        assertTrue(Files.isRegularFile(run.resolve("decoder.onnx")));
    }
}
