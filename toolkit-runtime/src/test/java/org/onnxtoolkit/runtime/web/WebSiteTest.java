package org.onnxtoolkit.runtime.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.spi.ImageShape;

/** The site, its server, the vendored runtime's lookup and model.json. */
class WebSiteTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void contentTypesCoverWhatBrowsersCheck() {
        assertEquals("application/wasm", ContentTypes.of("onnxruntime-web/ort-wasm-simd-threaded.wasm"));
        assertEquals("text/javascript; charset=utf-8", ContentTypes.of("a/b.MJS"));
        assertEquals("text/javascript; charset=utf-8", ContentTypes.of("app.js"));
        assertEquals("text/html; charset=utf-8", ContentTypes.of("index.html"));
        assertEquals("application/json; charset=utf-8", ContentTypes.of("model.json"));
        assertEquals("text/css; charset=utf-8", ContentTypes.of("style.css"));
        assertEquals(ContentTypes.DEFAULT, ContentTypes.of("decoder.onnx"));
        assertEquals(ContentTypes.DEFAULT, ContentTypes.of("README"));
        assertEquals(ContentTypes.DEFAULT, ContentTypes.of("dir.d/file"));
    }

    @Test
    void sitePathsMustBeRelativeAndUnique() {
        WebSite.Builder b = WebSite.builder().add("a/b.js", new byte[0]);
        for (String bad : new String[] {"/etc/passwd", "../x", "a/../b", "a//b", "", "a/", "a\\b", ".hidden"}) {
            assertThrows(IllegalArgumentException.class, () -> b.add(bad, new byte[0]), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> b.add("a/b.js", new byte[1]));
    }

    @Test
    void writeToCreatesFoldersAndCopiesBothKindsOfContent() throws IOException {
        Path big = dir.resolve("big.bin");
        Files.write(big, new byte[] {1, 2, 3});
        WebSite site = WebSite.builder().add("index.html", "<p>hi</p>".getBytes(StandardCharsets.UTF_8))
                .add("rt/big.bin", big).build();
        Path out = dir.resolve("out");
        site.writeTo(out);
        assertEquals("<p>hi</p>", Files.readString(out.resolve("index.html")));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out.resolve("rt/big.bin")));
    }

    @Test
    void theServerAnswersListedPathsOnlyWithTheirTypes() throws Exception {
        Path wasm = dir.resolve("x.wasm");
        Files.write(wasm, new byte[] {0, 'a', 's', 'm'});
        WebSite site = WebSite.builder().add("index.html", "<h1>page</h1>".getBytes(StandardCharsets.UTF_8))
                .add("rt/x.wasm", wasm).add("rt/x.mjs", "export {}".getBytes(StandardCharsets.UTF_8)).build();
        try (StaticServer server = StaticServer.start(site, 0)) {
            assertTrue(server.port() > 0);
            assertEquals("http://127.0.0.1:" + server.port() + "/", server.uri().toString());
            HttpResponse<String> root = get(server.uri());
            assertEquals(200, root.statusCode());
            assertEquals("<h1>page</h1>", root.body());
            assertEquals("text/html; charset=utf-8", root.headers().firstValue("content-type").orElse(""));
            assertEquals("no-cache", root.headers().firstValue("cache-control").orElse(""));
            HttpResponse<String> w = get(server.uri().resolve("rt/x.wasm"));
            assertEquals("application/wasm", w.headers().firstValue("content-type").orElse(""));
            assertEquals(4, w.body().length());
            assertEquals("text/javascript; charset=utf-8",
                    get(server.uri().resolve("rt/x.mjs")).headers().firstValue("content-type").orElse(""));
            assertEquals(404, get(server.uri().resolve("missing.js")).statusCode());
            assertEquals(404, get(URI.create(server.uri() + "rt/../../etc/passwd")).statusCode());
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(server.uri().resolve("rt/x.wasm"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode());
            assertEquals("4", head.headers().firstValue("content-length").orElse(""));
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(server.uri())
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            server.close();
            server.close();
        }
    }

    @Test
    void aTakenPortIsReportedAsSuch() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            StaticServer.PortInUseException e = assertThrows(StaticServer.PortInUseException.class,
                    () -> StaticServer.start(WebSite.builder().build(), taken.getLocalPort()));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"),
                    e.getMessage());
        }
    }

    @Test
    void theRuntimeIsFoundOrItsAbsenceExplained() throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("web"));
        Files.writeString(home.resolve("web/NOT-BUNDLED"), "npm was not found when the toolkit was built\n");
        WebRuntime.NotBundledException e = assertThrows(WebRuntime.NotBundledException.class, () -> WebRuntime.locate(home));
        assertTrue(e.getMessage().contains("(npm was not found when the toolkit was built)"), e.getMessage());
        assertTrue(e.getMessage().contains("rebuild"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());

        Path rt = home.resolve("web").resolve(WebRuntime.FOLDER);
        Files.createDirectories(rt);
        for (String f : WebRuntime.FILES) {
            Files.writeString(rt.resolve(f), f.equals("package.json") ? "{\"name\":\"onnxruntime-web\",\"version\":\"1.30.0\"}" : "x");
        }
        Files.delete(home.resolve("web/NOT-BUNDLED"));
        WebRuntime found = WebRuntime.locate(home);
        assertEquals("1.30.0", found.version());
        WebSite.Builder b = WebSite.builder();
        found.addTo(b);
        assertEquals(WebRuntime.FILES.size(), b.build().files().size());
        assertTrue(b.build().get("onnxruntime-web/ort.wasm.min.js").isPresent());

        Files.delete(rt.resolve("ort-wasm-simd-threaded.wasm"));
        WebRuntime.NotBundledException partial = assertThrows(WebRuntime.NotBundledException.class,
                () -> WebRuntime.locate(home));
        assertTrue(partial.getMessage().contains("ort-wasm-simd-threaded.wasm is missing"), partial.getMessage());
    }

    @Test
    void thePageResourcesAreThere() throws IOException {
        WebSite.Builder b = WebSite.builder();
        WebPage.addTo(b);
        WebSite site = b.build();
        String html = new String(((WebSite.Bytes) site.get("index.html").orElseThrow()).data(), StandardCharsets.UTF_8);
        assertTrue(html.contains("src=\"" + WebRuntime.FOLDER + "/" + WebRuntime.SCRIPT + "\""), "the page loads the vendored runtime");
        assertTrue(html.contains("src=\"app.js\""));
        assertTrue(!html.contains("http://") && !html.contains("https://"), "no CDN or other remote resource");
        String js = new String(((WebSite.Bytes) site.get("app.js").orElseThrow()).data(), StandardCharsets.UTF_8);
        assertTrue(js.contains("window.toolkit") && js.contains("'ready'"), "the test hooks are there");
    }

    @Test
    void modelJsonDescribesTheModelsAndKeepsTheProvenance() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode run = json.readTree("{\"config\":{\"architecture\":\"mlp-vae\"}}");
        byte[] bytes = new ModelDescription(20, new ImageShape(1, 28, 28), true,
                Map.of("train.seed", "1", "model.latent_size", "20"), run).toBytes();
        assertEquals('\n', bytes[bytes.length - 1]);
        JsonNode m = json.readTree(bytes);
        assertEquals("onnx-toolkit-model", m.get("format").asText());
        assertEquals(20, m.get("latent_size").asInt());
        assertEquals(28, m.get("image_shape").get("width").asInt());
        assertEquals("z", m.get("decoder").get("input").asText());
        assertEquals("[\"N\",1,28,28]", m.get("decoder").get("output_shape").toString());
        assertEquals("encoder.onnx", m.get("encoder").get("file").asText());
        assertEquals("1", m.get("provenance").get("train.seed").asText());
        assertEquals("mlp-vae", m.get("run").get("config").get("architecture").asText());
        JsonNode noEncoder = json.readTree(new ModelDescription(2, new ImageShape(3, 8, 8), false, Map.of(), null).toBytes());
        assertTrue(noEncoder.get("encoder") == null && noEncoder.get("run") == null);
        assertThrows(IllegalArgumentException.class, () -> new ModelDescription(0, new ImageShape(1, 1, 1), false, Map.of(), null));
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
