package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code toolkit serve} in its own JVM against hostile or slow local clients: stalled connections (headers never
 * finished, a large file never read) do not keep a normal request waiting; only requests for 127.0.0.1, localhost
 * or [::1] at its port are answered; model.json (and the exported models) carry no absolute path of this machine.
 */
class ServeSafetyIT {
    private static final String WASM = "onnxruntime-web/ort-wasm-simd-threaded.wasm";

    @TempDir
    static Path tmp;
    static Path run;
    static String secretFolder;
    static ServeProcess serve;
    static String largest;

    @BeforeAll
    static void trainAndServe() throws IOException {
        Path trained = TinyRun.train(tmp.resolve("trained"));
        // A run as one trained on the user's own pictures records: where they were, and a dataset note naming a file.
        secretFolder = tmp.resolve("home/ana/photos").toAbsolutePath().toString();
        run = Files.createDirectories(tmp.resolve("run"));
        ObjectNode record = (ObjectNode) new ObjectMapper().readTree(trained.resolve("run.json").toFile());
        ((ObjectNode) record.get("config")).put("dataDir", secretFolder);
        ((ObjectNode) record.get("provenance")).put("dataset_note.1", "skipped 1 undecodable image: " + secretFolder
                + "/broken.jpg");
        Files.writeString(run.resolve("run.json"), record.toPrettyString());
        for (String model : List.of("decoder.onnx", "encoder.onnx")) {
            OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(trained.resolve(model)));
            Files.write(run.resolve(model), m.toBuilder().addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder()
                    .setKey("toolkit.dataset_note.1").setValue("skipped 1 undecodable image: " + secretFolder + "/broken.jpg"))
                    .build().toByteArray());
        }
        Path home = Homes.servable(tmp.resolve("home-servable"));
        // The slow readers stall on the largest file: the 12 MB WebAssembly binary where the real runtime is bundled.
        largest = Homes.realBundlesWebRuntime() ? WASM : "decoder.onnx";
        serve = ServeProcess.start(home, run);
    }

    @AfterAll
    static void stop() {
        if (serve != null) {
            serve.close();
        }
    }

    @Test
    void stalledClientsDoNotKeepANormalRequestWaiting() throws Exception {
        int port = serve.uri().getPort();
        request(port, "Host: 127.0.0.1:" + port, "/model.json"); // the server's own warm-up is not what is measured
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                Socket s = socket(port, 0);
                s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: ")
                        .getBytes(StandardCharsets.US_ASCII));
                stalled.add(s);
            }
            for (int i = 0; i < 16; i++) {
                Socket s = socket(port, 4096);
                s.getOutputStream().write(("GET /" + largest + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                stalled.add(s);
            }
            for (int i = 0; i < 16; i++) {
                stalled.add(socket(port, 0)); // connected, nothing sent
            }
            Thread.sleep(1000);
            StringBuilder timings = new StringBuilder();
            for (String path : List.of("/", "/model.json", "/app.js", "/style.css", "/model.json")) {
                long t0 = System.nanoTime();
                Response r = request(port, "Host: 127.0.0.1:" + port, path);
                double seconds = (System.nanoTime() - t0) / 1e9;
                timings.append(String.format(Locale.ROOT, " %s %.3f s;", path, seconds));
                assertEquals(200, r.status(), path);
                assertTrue(seconds < 2, path + " answered after " + seconds + " s with 48 stalled connections");
            }
            System.out.println("ServeSafetyIT: with 16 unfinished requests, 16 unread " + largest + " and 16 silent"
                    + " connections:" + timings);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void anUnfinishedRequestIsDisconnectedAfterTenSeconds() throws Exception {
        int port = serve.uri().getPort();
        try (Socket s = socket(port, 0)) {
            s.setSoTimeout(60_000);
            long t0 = System.nanoTime();
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            int first = s.getInputStream().read();
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(-1, first, "closed without an answer");
            assertTrue(seconds >= 9 && seconds < 30, "disconnected after " + seconds + " s");
            System.out.println(String.format(Locale.ROOT, "ServeSafetyIT: unfinished request closed after %.1f s", seconds));
        }
    }

    @Test
    void onlyRequestsForThisServerAreAnswered() throws Exception {
        int port = serve.uri().getPort();
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port)) {
            Response r = request(port, "Host: " + host, "/model.json");
            assertEquals(200, r.status(), host);
            assertTrue(r.body().contains("\"latent_size\""), host);
        }
        for (String host : List.of("rebind.attacker.example:" + port, "evil.example", "localhost", "127.0.0.1:1")) {
            Response r = request(port, "Host: " + host, "/model.json");
            assertEquals(421, r.status(), host);
            assertFalse(r.body().contains("latent_size"), host);
        }
        assertEquals(400, request(port, "X-No-Host: 1", "/model.json").status());
    }

    @Test
    void modelJsonAndTheExportedModelsHoldNoAbsolutePath() throws Exception {
        int port = serve.uri().getPort();
        String served = request(port, "Host: localhost:" + port, "/model.json").body();
        assertNoAbsolutePath("served model.json", served);
        JsonNode m = new ObjectMapper().readTree(served);
        assertEquals("photos", m.get("run").get("config").get("dataDir").asText());
        assertEquals("skipped 1 undecodable image: broken.jpg", m.get("run").get("provenance").get("dataset_note.1").asText());
        assertEquals("skipped 1 undecodable image: broken.jpg", m.get("provenance").get("toolkit.dataset_note.1").asText());

        Path out = tmp.resolve("export");
        Cli.Result r = Cli.run("export", "--run", run.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertNoAbsolutePath("exported model.json", Files.readString(out.resolve("model.json")));
        for (String model : List.of("decoder.onnx", "encoder.onnx")) {
            for (OnnxMl.StringStringEntryProto p : OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out.resolve(model)))
                    .getMetadataPropsList()) {
                assertNoAbsolutePath(model + " " + p.getKey(), p.getValue());
            }
        }
        assertEquals(served, Files.readString(out.resolve("model.json")), "serve and export describe alike");
    }

    private static void assertNoAbsolutePath(String what, String text) throws IOException {
        assertFalse(text.contains(secretFolder) || text.contains(tmp.toString()) || text.contains("/home/"),
                what + " holds an absolute path:\n" + text);
        if (text.startsWith("{")) {
            walk(what, new ObjectMapper().readTree(text));
        }
    }

    private static void walk(String what, JsonNode node) {
        if (node.isTextual()) {
            assertFalse(node.asText().startsWith("/"), what + ": " + node.asText());
        }
        node.fields().forEachRemaining(e -> {
            assertFalse(e.getKey().startsWith("/"), what + ": " + e.getKey());
            walk(what, e.getValue());
        });
        node.elements().forEachRemaining(e -> walk(what, e));
    }

    record Response(int status, String body) {
    }

    /** A raw GET with exactly the given header line (browsers' and Java's clients set Host themselves). */
    private static Response request(int port, String header, String path) throws IOException {
        try (Socket s = socket(port, 0)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\n" + header + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyStart = text.indexOf("\r\n\r\n");
            return new Response(status, bodyStart < 0 ? "" : text.substring(bodyStart + 4));
        }
    }

    private static Socket socket(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    static URI uri() {
        return serve.uri();
    }
}
