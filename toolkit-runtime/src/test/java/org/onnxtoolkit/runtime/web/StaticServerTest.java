package org.onnxtoolkit.runtime.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StaticServer} answers only requests for itself (the Host header) and keeps answering while slow or
 * stalled clients hold connections.
 */
class StaticServerTest {
    private static final int BIG = 16 << 20;

    private static WebSite site() {
        return WebSite.builder().add("index.html", "<p>hi</p>".getBytes(StandardCharsets.UTF_8))
                .add("big.bin", new byte[BIG]).build();
    }

    @Test
    void onlyRequestsForThisServerAreAnswered() throws IOException {
        try (StaticServer server = StaticServer.start(site(), 0)) {
            int port = server.port();
            for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port, "[::1]:" + port)) {
                assertEquals(200, status(port, "Host: " + host + "\r\n"), host);
            }
            for (String host : List.of("evil.example:" + port, "127.0.0.1", "localhost", "127.0.0.1:" + (port + 1),
                    "rebind.attacker.test", "")) {
                assertEquals(StaticServer.MISDIRECTED, status(port, "Host: " + host + "\r\n"), host);
            }
            assertEquals(400, status(port, ""), "no Host header");
            assertEquals(400, status(port, "Host: 127.0.0.1:" + port + "\r\nHost: evil.example\r\n"), "two Host headers");
        }
    }

    @Test
    void stalledClientsDoNotDelayOthers() throws Exception {
        try (StaticServer server = StaticServer.start(site(), 0)) {
            int port = server.port();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            get(http, server, "index.html"); // the client's own start-up is not what is measured
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    // Request headers that never end: the server's worker waits for the rest.
                    Socket s = connect(port);
                    s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Slow: ")
                            .getBytes(StandardCharsets.US_ASCII));
                    stalled.add(s);
                }
                for (int i = 0; i < 12; i++) {
                    // A 16 MB answer nobody reads: the server's worker blocks once the socket buffers are full.
                    Socket s = new Socket();
                    s.setReceiveBufferSize(4096);
                    s.connect(new InetSocketAddress("127.0.0.1", port));
                    s.getOutputStream().write(("GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    stalled.add(s);
                }
                Thread.sleep(500);
                for (String path : List.of("", "index.html", "index.html")) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r = get(http, server, path);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    assertEquals(200, r.statusCode(), path);
                    assertEquals(9, r.body().length, path);
                    // A server that served the stalled clients first would answer only when their request time
                    // (REQUEST_SECONDS) ran out; half of it separates that from a slow, loaded machine.
                    assertTrue(seconds < StaticServer.REQUEST_SECONDS / 2.0,
                            "/" + path + " answered after " + seconds + " s with 24 stalled clients");
                }
                // A normal client of the large file gets all of it while the others stall on theirs (the time is
                // the transfer's, on a loaded machine, so only an upper bound far from "never").
                HttpResponse<byte[]> big = get(http, server, "big.bin");
                assertEquals(200, big.statusCode());
                assertEquals(BIG, big.body().length);
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    private static HttpResponse<byte[]> get(HttpClient http, StaticServer server, String path)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedAfterTheAnswerLimit() throws Exception {
        // The JDK's own limit is 60 s in this JVM; a disconnection after about 2 s is the watchdog's.
        try (StaticServer server = StaticServer.start(site(), 0, Duration.ofSeconds(2));
             Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            s.getOutputStream().write(("GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            Thread.sleep(4000);
            // Read what the kernel had buffered; the stream then ends (or is reset) instead of delivering 16 MB.
            s.setSoTimeout(20_000);
            long received = 0;
            try (InputStream in = s.getInputStream()) {
                byte[] buffer = new byte[1 << 16];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    received += n;
                }
            } catch (java.net.SocketException reset) {
                // Also a disconnection.
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(received < BIG, "the whole answer arrived: " + received + " bytes");
            assertTrue(seconds < 20, "disconnected after " + seconds + " s");
        }
    }

    /** The status line's code of a raw GET / with exactly the given header lines. */
    private static int status(int port, String headers) throws IOException {
        try (Socket s = connect(port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\n" + headers + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("HTTP/1.1 "), head);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }
}
