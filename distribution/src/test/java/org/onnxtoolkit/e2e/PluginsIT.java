package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void prebuiltArtifactsEqualWhatTheCompilerProducesToday() throws IOException {
        Path repoArtifacts = Path.of(System.getProperty("toolkit.repo"), "artifacts", "mlp-vae");
        Path fresh = tmp.resolve("mlp-vae");
        Cli.Result r = Cli.run("artifacts", "--arch", "mlp-vae", "--out", fresh.toString());
        assertEquals(0, r.exitCode(), r.toString());
        for (String f : List.of("training_model.onnx", "eval_model.onnx", "optimizer_model.onnx", "manifest.json")) {
            assertArrayEquals(Files.readAllBytes(repoArtifacts.resolve(f)), Files.readAllBytes(fresh.resolve(f)),
                    f + " differs from artifacts/mlp-vae: regenerate with ./toolkit artifacts --arch mlp-vae --out artifacts/mlp-vae");
        }
    }
}
