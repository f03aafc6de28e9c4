package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code export} and {@code serve} end to end, and every way they refuse with one line. */
class ExportServeIT {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void trainOnce() {
        run = TinyRun.train(tmp.resolve("run"));
    }

    @Test
    void exportWritesTheModelsAndModelJson() throws IOException {
        Path out = tmp.resolve("export-plain");
        Cli.Result r = Cli.run("export", "--run", run.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(Set.of("decoder.onnx", "encoder.onnx", "model.json"), list(out));
        assertArrayEquals(Files.readAllBytes(run.resolve("decoder.onnx")), Files.readAllBytes(out.resolve("decoder.onnx")));
        assertArrayEquals(Files.readAllBytes(run.resolve("encoder.onnx")), Files.readAllBytes(out.resolve("encoder.onnx")));
        JsonNode m = new ObjectMapper().readTree(out.resolve("model.json").toFile());
        assertEquals(20, m.get("latent_size").asInt());
        assertEquals(1, m.get("image_shape").get("channels").asInt());
        assertEquals(28, m.get("image_shape").get("height").asInt());
        assertEquals("decoder.onnx", m.get("decoder").get("file").asText());
        assertEquals("20", m.get("provenance").get("model.latent_size").asText());
        assertEquals("1,28,28", m.get("provenance").get("model.image_shape").asText());
        assertEquals("shapes", m.get("provenance").get("train.dataset").asText());
        assertEquals("mlp-vae", m.get("run").get("config").get("architecture").asText());
        assertEquals(new ObjectMapper().readTree(run.resolve("run.json").toFile()), m.get("run"), "run.json kept as is");
    }

    @Test
    void exportWebAddsThePageAndTheVendoredRuntime() throws IOException {
        NodePeers.assumeWebRuntime(Homes.real());
        Path out = tmp.resolve("export-web");
        Cli.Result r = Cli.run("export", "--run", run.toString(), "--out", out.toString(), "--web");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("./toolkit serve --run " + out), r.out());
        assertEquals(Set.of("decoder.onnx", "encoder.onnx", "model.json", "index.html", "app.js", "style.css",
                "onnxruntime-web"), list(out));
        for (String f : List.of("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm", "package.json")) {
            assertArrayEquals(Files.readAllBytes(Homes.real().resolve("web/onnxruntime-web").resolve(f)),
                    Files.readAllBytes(out.resolve("onnxruntime-web").resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("onnxruntime-web/package.json")).contains("\"version\": \"1.30.0\""));
        String html = Files.readString(out.resolve("index.html"));
        assertFalse(html.contains("https://") || html.contains("http://"), "nothing from a CDN");
    }

    @Test
    void exportWebWithoutTheRuntimeSaysWhyAndHowToGetIt() throws Exception {
        Path home = Homes.withoutWebRuntime(tmp.resolve("home-without-web"), "npm was not found when the toolkit was built");
        Path out = tmp.resolve("export-no-runtime");
        Cli.Result r = Homes.with(home, () -> Cli.run("export", "--run", run.toString(), "--out", out.toString(), "--web"));
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("does not bundle (npm was not found when the toolkit was built)"), r.err());
        assertTrue(r.err().contains("install Node.js 18+ with npm and rebuild"), r.err());
        assertOneLine(r);
        assertFalse(Files.exists(out), "nothing written");
        Cli.Result serve = Homes.with(home, () -> Cli.run("serve", "--run", run.toString(), "--port", "0"));
        assertEquals(1, serve.exitCode(), serve.toString());
        assertTrue(serve.err().contains("does not bundle"), serve.err());
    }

    @Test
    void serveAnswersWithTheRightTypesAndStopsOnCtrlC() throws Exception {
        Path home = Homes.servable(tmp.resolve("home-servable"));
        HttpClient http = HttpClient.newHttpClient();
        try (ServeProcess serve = ServeProcess.start(home, run)) {
            URI base = serve.uri();
            assertTrue(base.toString().startsWith("http://127.0.0.1:"), base.toString());
            HttpResponse<byte[]> page = get(http, base);
            assertEquals(200, page.statusCode());
            assertTrue(new String(page.body()).contains("onnxruntime-web/ort.wasm.min.js"));
            assertType(http, base, "", "text/html; charset=utf-8");
            assertType(http, base, "app.js", "text/javascript; charset=utf-8");
            assertType(http, base, "style.css", "text/css; charset=utf-8");
            assertType(http, base, "model.json", "application/json; charset=utf-8");
            assertType(http, base, "onnxruntime-web/ort.wasm.min.js", "text/javascript; charset=utf-8");
            assertType(http, base, "onnxruntime-web/ort-wasm-simd-threaded.mjs", "text/javascript; charset=utf-8");
            assertType(http, base, "onnxruntime-web/ort-wasm-simd-threaded.wasm", "application/wasm");
            assertType(http, base, "decoder.onnx", "application/octet-stream");
            assertArrayEquals(Files.readAllBytes(run.resolve("decoder.onnx")), get(http, base.resolve("decoder.onnx")).body());
            JsonNode m = new ObjectMapper().readTree(get(http, base.resolve("model.json")).body());
            assertEquals(20, m.get("latent_size").asInt());
            for (String hidden : List.of("run.json", "state.json", "checkpoints/", "../run/run.json", "metrics.csv")) {
                assertEquals(404, get(http, URI.create(base + hidden)).statusCode(), hidden);
            }
            assertEquals(0, serve.interrupt(), serve.output());
            assertTrue(serve.output().contains("stopped"), serve.output());
        }
    }

    @Test
    void aPortInUseIsOneClearLine() throws Exception {
        Path home = Homes.servable(tmp.resolve("home-port"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Cli.Result r = Homes.with(home, () -> Cli.run("serve", "--run", run.toString(), "--port", Integer.toString(port)));
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.err().contains("port " + port + " on 127.0.0.1 is already in use; choose another with --port"),
                    r.err());
            assertOneLine(r);
        }
    }

    static Stream<Arguments> badInvocations() throws IOException {
        Path unfinished = tmp.resolve("unfinished");
        Files.createDirectories(unfinished);
        Files.writeString(unfinished.resolve("run.json"), "{}");
        Path notRun = tmp.resolve("not-a-run");
        Files.createDirectories(notRun);
        Path full = tmp.resolve("full");
        Files.createDirectories(full);
        Files.writeString(full.resolve("x"), "x");
        String missing = tmp.resolve("missing").toString();
        String r = tmp.resolve("run").toString();
        return Stream.of(
                Arguments.of(new String[] {"export", "--run", missing, "--out", tmp.resolve("o1").toString()}, 2,
                        "run folder " + missing + " does not exist"),
                Arguments.of(new String[] {"export", "--run", unfinished.toString(), "--out", tmp.resolve("o2").toString()}, 2,
                        "has no decoder.onnx yet: finish it first"),
                Arguments.of(new String[] {"export", "--run", notRun.toString(), "--out", tmp.resolve("o3").toString()}, 2,
                        "is not a run folder"),
                Arguments.of(new String[] {"export", "--run", r, "--out", full.toString()}, 2, "already exists and is not empty"),
                Arguments.of(new String[] {"export", "--run", r}, 2, "--out"),
                Arguments.of(new String[] {"serve", "--run", missing}, 2, "does not exist"),
                Arguments.of(new String[] {"serve", "--run", r, "--port", "70000"}, 2, "--port must be between 0 and 65535"),
                Arguments.of(new String[] {"serve", "--run", r, "--port", "http"}, 2, "--port"));
    }

    @ParameterizedTest
    @MethodSource("badInvocations")
    void oneClearLine(String[] args, int exitCode, String fragment) {
        Cli.Result r = Cli.run(args);
        assertEquals(exitCode, r.exitCode(), r.toString());
        assertTrue(r.err().contains(fragment), () -> "stderr lacks '" + fragment + "':\n" + r.err());
        assertOneLine(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"export", "serve", "interpolate", "manifold"})
    void everyNewCommandHasHelpWithAnExample(String command) {
        Cli.Result r = Cli.run(command, "--help");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("Example"), r.out());
        assertTrue(r.out().contains("./toolkit " + command), r.out());
    }

    static void assertOneLine(Cli.Result r) {
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "one line (plus the --verbose hint):\n" + r.err());
    }

    private static void assertType(HttpClient http, URI base, String path, String type) throws Exception {
        HttpResponse<byte[]> r = get(http, base.resolve(path));
        assertEquals(200, r.statusCode(), path);
        assertEquals(type, r.headers().firstValue("content-type").orElse(""), path);
    }

    private static HttpResponse<byte[]> get(HttpClient http, URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Set<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
