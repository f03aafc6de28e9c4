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
