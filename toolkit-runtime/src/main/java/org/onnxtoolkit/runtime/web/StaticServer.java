package org.onnxtoolkit.runtime.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a {@link WebSite} over HTTP with the JDK's server ({@code com.sun.net.httpserver}), on the loopback
 * address {@value #HOST} only, so nothing outside this machine can reach it.
 *
 * <p>{@code GET} and {@code HEAD} only; {@code /} is {@code index.html}; a path the site does not list is 404,
 * so nothing beyond the site's own files can be read. Every answer has {@code Cache-Control: no-cache} (a new
 * export under the same URL is picked up on reload) and {@code X-Content-Type-Options: nosniff}.
 *
 * <p>Owns its server and worker threads; {@link #close()} stops both and is idempotent. Thread-safe.
 */
public final class StaticServer implements AutoCloseable {
    /** The only address the server binds. */
    public static final String HOST = "127.0.0.1";

    private final HttpServer server;
    private final ExecutorService workers;
    private final WebSite site;
    private boolean closed;

    private StaticServer(HttpServer server, ExecutorService workers, WebSite site) {
        this.server = server;
        this.workers = workers;
        this.site = site;
    }

    /**
     * Starts serving {@code site} on {@code 127.0.0.1:port}.
     *
     * @param port 0 for any free port, else 1..65535
     * @throws PortInUseException if the port is taken
     * @throws IOException        if the server cannot start for another reason
     */
    public static StaticServer start(WebSite site, int port) throws IOException {
        Objects.requireNonNull(site, "site");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST), port), 0);
        } catch (BindException e) {
            throw new PortInUseException("port " + port + " on " + HOST + " is already in use; choose another with"
                    + " --port N (--port 0 picks a free one)", e);
        }
        AtomicInteger count = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "toolkit-serve-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        StaticServer s = new StaticServer(server, workers, site);
        server.createContext("/", s::handle);
        server.setExecutor(workers);
        server.start();
        return s;
    }

    /** @return the port the server listens on (the chosen one when started with 0) */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return {@code http://127.0.0.1:PORT/} */
    public URI uri() {
        return URI.create("http://" + HOST + ":" + port() + "/");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                text(exchange, 405, "method not allowed\n", false);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String key = path == null || path.equals("/") ? "index.html" : path.substring(1);
            Optional<WebSite.Content> content = site.get(key);
            if (content.isEmpty()) {
                text(exchange, 404, "not found: " + path + "\n", head);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", ContentTypes.of(key));
            long size = content.get().size();
            if (head) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
            try (OutputStream out = exchange.getResponseBody()) {
                content.get().writeTo(out);
            }
        }
    }

    private static void text(HttpExchange exchange, int status, String body, boolean head) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (head) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops accepting requests, ends open exchanges and the worker threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        workers.shutdownNow();
    }

    /** The requested port is taken. */
    public static final class PortInUseException extends IOException {
        private static final long serialVersionUID = 1L;

        public PortInUseException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
