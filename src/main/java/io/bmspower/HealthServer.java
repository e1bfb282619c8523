package io.bmspower;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** /healthz (alive), /readyz (informers synced and healthy) and /metrics (Prometheus). */
final class HealthServer implements AutoCloseable {

  private final HttpServer server;

  HealthServer(
      int port, BooleanSupplier alive, BooleanSupplier ready, PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.createContext(
        "/healthz",
        e ->
            answer(
                e,
                alive.getAsBoolean() ? 200 : 503,
                alive.getAsBoolean() ? "ok\n" : "stopped\n",
                "text/plain"));
    server.createContext(
        "/readyz",
        e ->
            answer(
                e,
                ready.getAsBoolean() ? 200 : 503,
                ready.getAsBoolean() ? "ok\n" : "not ready\n",
                "text/plain"));
    server.createContext(
        "/metrics",
        e -> answer(e, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, int status, String body, String type)
      throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
