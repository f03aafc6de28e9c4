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
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a {@link WebSite} over HTTP with the JDK's server ({@code com.sun.net.httpserver}), on the loopback
 * address {@value #HOST} only, so nothing outside this machine can reach it.
 *
 * <p>{@code GET} and {@code HEAD} only; {@code /} is {@code index.html}; a path the site does not list is 404,
 * so nothing beyond the site's own files can be read. Every answer has {@code Cache-Control: no-cache} (a new
 * export under the same URL is picked up on reload) and {@code X-Content-Type-Options: nosniff}.
 *
 * <p><b>Only requests for this server.</b> A request whose {@code Host} header is not {@code 127.0.0.1:PORT},
 * {@code localhost:PORT} or {@code [::1]:PORT} is answered {@value #MISDIRECTED} (421 Misdirected Request), one
 * without a {@code Host} 400: a web page elsewhere that points a name of its own at 127.0.0.1 (DNS rebinding)
 * gets nothing from the site, although its requests reach the socket.
 *
 * <p><b>Slow or stalled clients.</b> The JDK server reads a request's headers and writes its answer on a worker
 * thread with blocking I/O, so each stalled client holds a worker. Therefore: one worker per connection, up to
 * {@value #MAX_CONNECTIONS} connections (a stalled client never delays another); a client gets
 * {@value #REQUEST_SECONDS} s to send its request headers and {@value #RESPONSE_SECONDS} s to take its answer
 * (the 14 MB of the page take milliseconds on this machine), after which its connection is closed. The JDK applies
 * these limits through its {@code sun.net.httpserver.maxReqTime}/{@code maxRspTime} and
 * {@code jdk.httpserver.maxConnections} properties, which this class sets unless the user already has (they are read
 * once per process, when the JDK's server is first used); a watchdog of its own also closes any answer that is
 * still being written after the limit, so the limits hold even where those properties were read before.
 *
 * <p>Owns its server, worker and watchdog threads; {@link #close()} stops them and is idempotent. Thread-safe.
 */
public final class StaticServer implements AutoCloseable {
    /** The only address the server binds. */
    public static final String HOST = "127.0.0.1";
    /** Seconds a client has to send its request line and headers. */
    public static final int REQUEST_SECONDS = 10;
    /** Seconds a client has to take an answer, from the end of its request. */
    public static final int RESPONSE_SECONDS = 60;
    /** Open connections at most; more are closed at once until some end. */
    public static final int MAX_CONNECTIONS = 200;
    /** The status for a request whose {@code Host} names another server. */
    public static final int MISDIRECTED = 421;

    static {
        setUnlessSet("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
        setUnlessSet("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS));
        setUnlessSet("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    }

    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService watchdog;
    private final WebSite site;
    /** Answers being written, with the time (System.nanoTime) by which each must be done. */
    private final Map<HttpExchange, Long> answering = new ConcurrentHashMap<>();
    private final long answerNanos;
    private volatile Set<String> hosts = Set.of();
    private boolean closed;

    private StaticServer(HttpServer server, ThreadPoolExecutor workers, ScheduledExecutorService watchdog, WebSite site,
                         Duration answerLimit) {
        this.server = server;
        this.workers = workers;
        this.watchdog = watchdog;
        this.site = site;
        this.answerNanos = answerLimit.toNanos();
    }

    /**
     * Starts serving {@code site} on {@code 127.0.0.1:port}.
     *
     * @param port 0 for any free port, else 1..65535
     * @throws PortInUseException if the port is taken
     * @throws IOException        if the server cannot start for another reason
     */
    public static StaticServer start(WebSite site, int port) throws IOException {
        return start(site, port, Duration.ofSeconds(RESPONSE_SECONDS));
    }

    /**
     * Starts serving with another limit on the time an answer may take (for tests of the watchdog; the JDK's own
     * limit stays {@value #RESPONSE_SECONDS} s).
     */
    static StaticServer start(WebSite site, int port, Duration answerLimit) throws IOException {
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
        // No queue: every exchange gets a thread of its own at once, so a stalled client never delays another. A
        // connection beyond the limit is refused by the pool, and the JDK server then closes it.
        ThreadPoolExecutor workers = new ThreadPoolExecutor(0, MAX_CONNECTIONS + 16, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> daemon(r, "toolkit-serve-" + count.incrementAndGet()),
                new ThreadPoolExecutor.AbortPolicy());
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "toolkit-serve-watchdog"));
        StaticServer s = new StaticServer(server, workers, watchdog, site, answerLimit);
        int bound = server.getAddress().getPort();
        s.hosts = Set.of(HOST + ":" + bound, "localhost:" + bound, "[::1]:" + bound);
        server.createContext("/", s::handle);
        server.setExecutor(workers);
        long tick = Math.max(100, Math.min(1000, answerLimit.toMillis() / 4));
        watchdog.scheduleWithFixedDelay(s::closeOverdue, tick, tick, TimeUnit.MILLISECONDS);
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
        answering.put(exchange, System.nanoTime() + answerNanos);
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            List<String> host = exchange.getRequestHeaders().get("Host");
            if (host == null || host.size() != 1) {
                text(exchange, 400, "a request needs exactly one Host header\n", head);
                return;
            }
            if (!hosts.contains(host.get(0).strip().toLowerCase(Locale.ROOT))) {
                text(exchange, MISDIRECTED, "this server answers only requests for " + uri() + " (or localhost:" + port()
                        + "); this one was for '" + host.get(0).strip() + "'\n", head);
                return;
            }
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
        } finally {
            answering.remove(exchange);
        }
    }

    /**
     * Closes the connections of answers still being written after {@value #RESPONSE_SECONDS} s (a client that stopped
     * reading); their workers' blocked writes then fail and the workers return to the pool.
     */
    private void closeOverdue() {
        long now = System.nanoTime();
        answering.forEach((exchange, deadline) -> {
            if (now - deadline > 0 && answering.remove(exchange, deadline)) {
                try {
                    exchange.close();
                } catch (RuntimeException e) {
                    // Already closed by the JDK's own timer; nothing more to do.
                }
            }
        });
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

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void setUnlessSet(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Stops accepting requests, ends open exchanges, the worker threads and the watchdog. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        watchdog.shutdownNow();
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
