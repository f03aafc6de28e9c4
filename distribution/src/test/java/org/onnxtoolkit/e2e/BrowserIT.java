package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.runtime.report.GridLayout;
import org.onnxtoolkit.runtime.report.ImageBatch;
import org.onnxtoolkit.runtime.report.ImageGrid;

/**
 * The page of {@code export --web}, served by {@code toolkit serve} in its own JVM and opened in headless Chromium
 * (the system's, driven by playwright-core): it loads the vendored onnxruntime-web, decodes latent vectors given in
 * its address, and draws them exactly as the Java toolkit decodes and draws them; for a grey MLP decoder and a
 * colour convolutional one, and a class-conditional one (two inputs, {@code z} and an int64 {@code label}; the page's
 * class selector lists the classes and the page draws the chosen class). The screenshots are kept as {@code target/web-screenshot.png} (MLP) and
 * {@code target/web-screenshot-conv.png}, the drawn grids as {@code target/web-grid*.png}.
 */
class BrowserIT {
    /** onnxruntime-web (WebAssembly SIMD) vs the native CPU kernels, float32; measured differences are ~1e-7. */
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path tmp;

    @Test
    void theExportedPageDrawsTheJavaDecodeInChromium() throws Exception {
        assumePeers();
        // A few more images and epochs than the other tests use, so that the kept screenshot shows shapes, not noise.
        Path run = TinyRun.trainWith(tmp.resolve("run"), "--epochs", "3", "--max-train", "3000", "--max-test", "64", "-D",
                "train-size=3000", "-D", "test-size=100");
        check(run, 20, 1, 28, "web-screenshot.png", "web-grid.png", null);
    }

    @Test
    void aClassConditionalDecoderDrawsTheChosenClass() throws Exception {
        assumePeers();
        Path run = TinyRun.trainConditional(tmp.resolve("conditional"), 60, 3);
        check(run, 20, 3, 16, "web-screenshot-conditional.png", "web-grid-conditional.png", 2);
    }

    @Test
    void aColourConvolutionalDecoderToo() throws Exception {
        assumePeers();
        // conv-vae: ConvTranspose, batch norm in inference form, RGB output.
        Path run = TinyRun.trainWith(tmp.resolve("conv"), "--arch", "conv-vae", "-O", "image-size=32", "-O", "channels=8,16",
                "-O", "latent=8", "--epochs", "1", "--max-train", "512", "--max-test", "64", "-D", "train-size=600", "-D",
                "test-size=100", "--batch-size", "32");
        check(run, 8, 3, 32, "web-screenshot-conv.png", "web-grid-conv.png", null);
    }

    private static void assumePeers() {
        NodePeers.assumeInstalled();
        NodePeers.assumeChromium();
        NodePeers.assumeWebRuntime(Homes.real());
    }

    /** @param label the class to draw with a class-conditional decoder, null for an unconditional one */
    private void check(Path run, int latent, int channels, int size, String screenshotName, String gridName,
                       Integer label) throws Exception {
        Path home = Homes.real();
        Path site = tmp.resolve(run.getFileName() + "-site");
        Cli.Result export = Cli.run("export", "--run", run.toString(), "--out", site.toString(), "--web");
        assertEquals(0, export.exitCode(), export.toString());

        int n = 16;
        float[] z = TinyRun.latents(n, latent, 11);
        ObjectMapper json = new ObjectMapper();
        ObjectNode input = json.createObjectNode();
        ArrayNode values = input.putArray("z");
        for (float v : z) {
            values.add((double) v);
        }
        input.put("n", n);
        if (label != null) {
            input.put("label", label);
        }
        Path work = Files.createDirectories(tmp.resolve(run.getFileName() + "-browser"));
        Path zFile = work.resolve("z.json");
        json.writeValue(zFile.toFile(), input);
        Path resultFile = work.resolve("result.json");
        Path grid = work.resolve("grid.png");
        Path screenshot = work.resolve("screenshot.png");

        NodePeers.Result browser;
        String served;
        try (ServeProcess serve = ServeProcess.start(home, site)) {
            browser = NodePeers.node("browser.mjs", 240, serve.uri().toString(), zFile.toString(), resultFile.toString(),
                    grid.toString(), screenshot.toString());
            int code = serve.interrupt();
            served = serve.output();
            assertEquals(0, code, "serve after Ctrl-C:\n" + served);
        }
        assertEquals(0, browser.exitCode(), browser.output());
        assertTrue(served.contains("stopped"), served);
        Path artifacts = Path.of(System.getProperty("toolkit.test.artifacts", "target"));
        Files.copy(screenshot, artifacts.resolve(screenshotName), StandardCopyOption.REPLACE_EXISTING);

        JsonNode result = json.readTree(resultFile.toFile());
        assertEquals("ready", result.get("state").asText(), result.toString());
        assertTrue(result.get("summary").asText().contains("latent size " + latent), result.get("summary").asText());
        assertTrue(result.get("runtime").asText().contains("1.30.0"), result.get("runtime").asText());

        assertEquals(label != null, result.get("classSelector").asBoolean(), result.toString());
        if (label != null) {
            assertEquals("[\"0: box\",\"1: column\",\"2: row\"]", result.get("classes").toString());
        }
        float[] java;
        if (label == null) {
            java = TinyRun.javaDecode(run.resolve("decoder.onnx"), z, n);
        } else {
            long[] labels = new long[n];
            Arrays.fill(labels, label);
            java = TinyRun.javaDecode(run.resolve("decoder.onnx"), z, labels);
        }
        float[] web = new float[result.get("raw").size()];
        for (int i = 0; i < web.length; i++) {
            web[i] = (float) result.get("raw").get(i).asDouble();
        }
        double diff = TinyRun.maxAbsDifference(java, web);
        System.out.printf("%s: onnxruntime-web in Chromium vs Java decode: max |difference| %.3g over %d values%n",
                run.getFileName(), diff, java.length);
        assertTrue(diff <= TOLERANCE, "browser vs Java: max difference " + diff);

        Files.copy(grid, artifacts.resolve(gridName), StandardCopyOption.REPLACE_EXISTING);
        int columns = result.get("columns").asInt();
        int scale = result.get("scale").asInt();
        assertEquals(n, result.get("count").asInt());
        Path javaGrid = work.resolve("java-grid.png");
        ImageGrid.write(javaGrid, ImageBatch.ofFloats(java, n, channels, size, size), new GridLayout(columns, scale, 2));
        Pixels drawn = Pixels.read(grid);
        Pixels expected = Pixels.read(javaGrid);
        int maxDiff = drawn.maxChannelDifference(expected);
        System.out.printf("%s: page grid vs Java grid (%dx%d, %d columns, scale %d): %d pixels differ, by at most %d"
                + " level(s)%n", run.getFileName(), drawn.width(), drawn.height(), columns, scale,
                drawn.differingPixels(expected), maxDiff);
        assertTrue(maxDiff <= 1, "the page's grid differs from the Java grid by up to " + maxDiff + " levels");
        Set<Integer> distinct = new HashSet<>();
        for (int v : drawn.rgb()) {
            distinct.add(v);
        }
        assertTrue(distinct.size() > 32, "a blank-looking grid: " + distinct.size() + " distinct colours");
        assertTrue(Files.size(artifacts.resolve(screenshotName)) > 10_000, "screenshot");
    }
}
