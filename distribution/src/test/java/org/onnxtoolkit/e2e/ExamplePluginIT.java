package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.testkit.PluginConformance;

/**
 * The third-party plugin example ({@code examples/pgm-pixelshuffle-plugin}) built as its author would build
 * it, with Maven against an installed toolkit-api, then dropped into {@code --plugins-dir}: listed by
 * {@code plugins}, and its architecture trained on its dataset and on the built-in {@code shapes}.
 *
 * <p>The build runs Maven in child processes: first {@code mvn -N install install:install-file} on the
 * repository's parent pom installs that pom and the toolkit-api jar this test runs with (a plugin's pom names
 * toolkit-api, whose pom names the parent) into the local repository of the Maven build running this test, and
 * {@code mvn -N install:install-file} installs the toolkit-plugin-testkit jar the same way (the example's tests
 * use it); then {@code mvn package} on a copy of the example (so the checkout gets no {@code target/}), which
 * also runs the example's own unit tests, its conformance checks through the test kit among them. All reuse the
 * outer build's local repository, so they download nothing the outer build did not, beyond the install plugin.
 */
class ExamplePluginIT {
    private static final String EXAMPLE = "examples/pgm-pixelshuffle-plugin";
    private static final String JAR_NAME = "pgm-pixelshuffle-plugin-1.0.0.jar";
    private static final int SIDE = 16;

    @TempDir
    static Path tmp;

    private static Path pluginsDir;
    private static Path pgmData;
    private static Path exampleBuild;

    @BeforeAll
    static void buildTheExampleAndWriteImages() throws IOException, InterruptedException, URISyntaxException {
        Path repo = Path.of(System.getProperty("toolkit.repo")).toRealPath();
        installToolkitApi(repo);
        Path source = tmp.resolve("example");
        copyTree(repo.resolve(EXAMPLE), source);
        maven(List.of("-f", source.resolve("pom.xml").toString(), "package"), tmp.resolve("example-build.log"));
        exampleBuild = source.resolve("target");
        pluginsDir = Files.createDirectories(tmp.resolve("plugins"));
        Files.copy(source.resolve("target").resolve(JAR_NAME), pluginsDir.resolve(JAR_NAME));
        pgmData = tmp.resolve("pgm");
        writeDiscs(pgmData.resolve("train"), 160, 1);
        writeDiscs(pgmData.resolve("test"), 40, 2);
    }

    @Test
    void pluginsListsBothPluginsWithVersionAndJar() {
        Cli.Result r = Cli.run("plugins", "--plugins-dir", pluginsDir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        String jar = Pattern.quote(pluginsDir.resolve(JAR_NAME).toString());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("pgm-folder +dataset +1\\.0\\.0 +" + jar)), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("pixelshuffle-vae +architecture +1\\.0\\.0 +" + jar)), r.out());
        assertTrue(r.out().contains("shapes ") && r.out().contains("toolkit-plugin-vae.jar"), "built-ins still listed");
    }

    /** The example's build ran its conformance tests against the installed test kit, and they passed. */
    @Test
    void theExampleChecksItselfWithTheTestKit() throws IOException {
        Path report = exampleBuild.resolve("surefire-reports/TEST-com.example.toolkitplugin.PluginConformanceTest.xml");
        assertTrue(Files.isRegularFile(report), report + " is missing");
        String xml = Files.readString(report);
        assertTrue(Pattern.compile("<testsuite [^>]*tests=\"3\"[^>]*").matcher(xml).find(), xml);
        assertTrue(xml.contains("failures=\"0\"") && xml.contains("errors=\"0\"") && xml.contains("skipped=\"0\""),
                xml);
    }

    @Test
    void pluginsShowsTheDatasetTakesNoOptions() {
        Cli.Result r = Cli.run("plugins", "--plugins-dir", pluginsDir.toString(), "pgm-folder");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("grey PGM images") && r.out().contains("    no options"), r.out());
        Cli.Result refused = Cli.run("train", "--plugins-dir", pluginsDir.toString(), "--arch", "pixelshuffle-vae",
                "--dataset", "pgm-folder", "--data-dir", pgmData.toString(), "-D", "crop=3",
                "--out", tmp.resolve("run-option").toString());
        assertEquals(2, refused.exitCode(), refused.toString());
        assertEquals(List.of("toolkit: dataset pgm-folder has no option 'crop' (it takes no options)"),
                refused.err().lines().toList());
    }

    @Test
    void trainsOnAFolderOfPgmFiles() throws IOException {
        Path run = tmp.resolve("run-pgm");
        Cli.Result r = Cli.run("train", "--plugins-dir", pluginsDir.toString(), "--arch", "pixelshuffle-vae",
                "--dataset", "pgm-folder", "--data-dir", pgmData.toString(), "-O", "channels=8,16", "-O", "latent=4",
                "--epochs", "2", "--batch-size", "32", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("training pixelshuffle-vae on pgm-folder (1x16x16, 160 train / 40 test images) with"
                + " bce-kl"), r.out());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(3, metrics.size(), metrics.toString());
        double first = Double.parseDouble(metrics.get(1).split(",")[1]);
        double second = Double.parseDouble(metrics.get(2).split(",")[1]);
        assertTrue(second < first, "training loss should fall: " + metrics);
        String runJson = Files.readString(run.resolve("run.json"));
        assertTrue(runJson.contains("\"plugin.architecture.pixelshuffle-vae\" : \"1.0.0 (" + JAR_NAME + ")\""), runJson);
        assertTrue(runJson.contains("\"plugin.dataset.pgm-folder\" : \"1.0.0 (" + JAR_NAME + ")\""), runJson);

        // The exported decoder keeps the pixel shuffle (a standard DepthToSpace) and draws images in [0, 1].
        Path decoder = run.resolve("decoder.onnx");
        String model = new String(Files.readAllBytes(decoder), StandardCharsets.ISO_8859_1);
        assertTrue(model.contains("DepthToSpace"), "decoder.onnx has a DepthToSpace node");
        assertFalse(model.contains("ConvTranspose"), "decoder.onnx has no ConvTranspose");
        int n = 3;
        float[] z = new float[n * 4];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.sin(0.7 * i);
        }
        float[] image;
        try (InferenceSession s = InferenceSession.open(decoder, SessionConfig.cpu())) {
            image = s.run(Map.of("z", Tensor.of(z, n, 4))).get("image").toFloatArray();
        }
        assertEquals(n * SIDE * SIDE, image.length);
        for (float v : image) {
            assertTrue(v >= 0 && v <= 1, "pixel " + v + " outside [0, 1]");
        }
    }

    /**
     * The example's {@code TrainingLog} bean observes the training events as CDI events (no dependency but
     * toolkit-api) and gets the toolkit's context injected: its log names the toolkit version, each epoch's
     * test negative ELBO as metrics.csv has it, each checkpoint's SHA-256 (the last one as state.json records
     * it), and the finished run, in the order they happened; a resumed run's events are appended.
     */
    @Test
    void itsObserverLogsTheTrainingEventsOfARun() throws IOException {
        Path run = tmp.resolve("run-observed");
        Cli.Result r = Cli.run("train", "--plugins-dir", pluginsDir.toString(), "-D", "train-size=256",
                "-D", "test-size=64", "--epochs", "2", "--batch-size", "64", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        List<String> log = Files.readAllLines(run.resolve("training-log.csv"));
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        JsonNode state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve("state.json").toFile());
        assertEquals(7, log.size(), String.join("\n", log));
        assertEquals("event,epoch,batch,value", log.get(0));
        assertEquals("started,1,1,toolkit " + org.onnxtoolkit.runtime.cli.ToolkitVersion.get(), log.get(1));
        for (int epoch = 1; epoch <= 2; epoch++) {
            double testElbo = Double.parseDouble(metrics.get(epoch).split(",")[4]);
            String[] epochLine = log.get(2 * epoch).split(",");
            assertEquals("epoch", epochLine[0]);
            assertEquals(Integer.toString(epoch), epochLine[1]);
            assertEquals(testElbo, Double.parseDouble(epochLine[3]), 1e-6, "epoch " + epoch + "'s test ELBO");
            String[] checkpoint = log.get(2 * epoch + 1).split(",");
            assertEquals(List.of("checkpoint", Integer.toString(epoch), "0"), List.of(checkpoint[0], checkpoint[1],
                    checkpoint[2]));
            assertTrue(checkpoint[3].matches("[0-9a-f]{64}"), checkpoint[3]);
        }
        assertEquals(state.get("checkpointSha256").asText(), log.get(5).split(",")[3], "the last checkpoint's hash");
        assertTrue(log.get(6).startsWith("finished,2,,"), log.get(6));

        Cli.Result more = Cli.run("train", "--resume", run.toString(), "--epochs", "3", "--plugins-dir",
                pluginsDir.toString());
        assertEquals(0, more.exitCode(), more.toString());
        List<String> resumed = Files.readAllLines(run.resolve("training-log.csv"));
        assertEquals(log, resumed.subList(0, log.size()), "the earlier lines are kept");
        assertTrue(resumed.get(log.size()).startsWith("resumed,3,1,"), String.join("\n", resumed));
        assertTrue(resumed.get(resumed.size() - 1).startsWith("finished,3,,"), String.join("\n", resumed));
    }

    @Test
    void trainsOnTheBuiltInShapesDataset() {
        Path run = tmp.resolve("run-shapes");
        Cli.Result r = Cli.run("train", "--plugins-dir", pluginsDir.toString(), "--arch", "pixelshuffle-vae",
                "--dataset", "shapes", "-O", "image-size=16", "-O", "channels=8,16", "-O", "latent=4",
                "-D", "train-size=256", "-D", "test-size=64", "--epochs", "1", "--batch-size", "32",
                "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("training pixelshuffle-vae on shapes (1x16x16, 256 train / 64 test images)"), r.out());
        assertTrue(Files.isRegularFile(run.resolve("decoder.onnx")));
    }

    @Test
    void aModelShapeTheFilesDoNotHaveIsRefusedInOneLine() {
        Cli.Result r = Cli.run("train", "--plugins-dir", pluginsDir.toString(), "--arch", "pixelshuffle-vae",
                "--dataset", "pgm-folder", "--data-dir", pgmData.toString(), "-O", "image-size=32",
                "--out", tmp.resolve("run-refused").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(List.of("toolkit: dataset pgm-folder: the images in " + pgmData + " are 1x16x16 and are not resized,"
                + " but the model asks for 1x32x32; configure the model for 1x16x16 images (for example"
                + " -O image-size=16)"), r.err().lines().toList());
    }

    /**
     * Installs the parent pom and the toolkit-api jar on this test's class path into the local repository, and the
     * toolkit-plugin-testkit jar, each unless it already comes from there.
     */
    private static void installToolkitApi(Path repo) throws IOException, InterruptedException, URISyntaxException {
        Path apiJar = jarOf(Graph.class, "toolkit-api");
        if (!inLocalRepository(apiJar)) {
            maven(List.of("-N", "-f", repo.resolve("pom.xml").toString(), "install", "install:install-file",
                    "-Dfile=" + apiJar, "-DpomFile=" + repo.resolve("toolkit-api/pom.xml")), tmp.resolve("api-install.log"));
        }
        Path testkitJar = jarOf(PluginConformance.class, "toolkit-plugin-testkit");
        if (!inLocalRepository(testkitJar)) {
            maven(List.of("-N", "-f", repo.resolve("pom.xml").toString(), "install:install-file", "-Dfile=" + testkitJar,
                    "-DpomFile=" + repo.resolve("toolkit-plugin-testkit/pom.xml")), tmp.resolve("testkit-install.log"));
        }
    }

    /** The jar on this test's class path that holds {@code type}. */
    private static Path jarOf(Class<?> type, String module) throws URISyntaxException {
        Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(module + " is on the class path as " + jar + ", not as a jar; run this test"
                    + " with mvn verify, which packages " + module + " first");
        }
        return jar;
    }

    private static boolean inLocalRepository(Path jar) {
        Path localRepo = localRepository();
        return localRepo != null && jar.toAbsolutePath().startsWith(localRepo.toAbsolutePath());
    }

    /** The outer build's local repository, or null when the test does not run under Maven. */
    private static Path localRepository() {
        String value = System.getProperty("toolkit.maven.repo.local", "");
        return value.isBlank() || value.startsWith("${") ? null : Path.of(value);
    }

    /** Runs Maven in batch mode, quietly, with the outer build's local repository. */
    private static void maven(List<String> arguments, Path log) throws IOException, InterruptedException {
        String home = System.getProperty("toolkit.maven.home", "");
        Path mvn = Path.of(home, "bin", "mvn");
        List<String> command = new ArrayList<>(List.of(
                !home.isBlank() && !home.startsWith("${") && Files.isExecutable(mvn) ? mvn.toString() : "mvn", "-B", "-q"));
        Path localRepo = localRepository();
        if (localRepo != null) {
            command.add("-Dmaven.repo.local=" + localRepo);
        }
        command.addAll(arguments);
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        if (!finished || p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new AssertionError(String.join(" ", command) + (finished ? " failed (exit " + p.exitValue() + ")"
                    : " did not finish in 5 minutes") + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.filter(p -> !from.relativize(p).startsWith("target")).forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * {@code count} 16x16 images of one bright disc of random centre and radius on black, alternately binary
     * (P5) and plain (P2) PGM with maxval 255.
     */
    private static void writeDiscs(Path folder, int count, long seed) throws IOException {
        Files.createDirectories(folder);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            double cx = rng.nextDouble(4, 12);
            double cy = rng.nextDouble(4, 12);
            double r = rng.nextDouble(2, 5);
            int[] pixels = new int[SIDE * SIDE];
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    pixels[y * SIDE + x] = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r ? 255 : 0;
                }
            }
            Path file = folder.resolve(String.format("disc-%03d.pgm", i));
            String header = (i % 2 == 0 ? "P5" : "P2") + "\n# disc " + i + "\n" + SIDE + " " + SIDE + "\n255\n";
            if (i % 2 == 0) {
                byte[] bytes = new byte[header.length() + pixels.length];
                System.arraycopy(header.getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, header.length());
                for (int p = 0; p < pixels.length; p++) {
                    bytes[header.length() + p] = (byte) pixels[p];
                }
                Files.write(file, bytes);
            } else {
                StringBuilder text = new StringBuilder(header);
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        text.append(pixels[y * SIDE + x]).append(x + 1 < SIDE ? ' ' : '\n');
                    }
                }
                Files.writeString(file, text, StandardCharsets.US_ASCII);
            }
        }
    }
}
