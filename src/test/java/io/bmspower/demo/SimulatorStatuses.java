package io.bmspower.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The statuses of some servers of a simulator running as its own process ({@code GET
 * /_sim/status}), refreshed every half second: what the kubelet stand-in follows in the demo.
 */
final class SimulatorStatuses implements Function<String, String>, AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI uri;
  private final ScheduledExecutorService refresh =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "simulator-statuses");
            t.setDaemon(true);
            return t;
          });
  private volatile Map<String, String> statuses = Map.of();

  SimulatorStatuses(String endpoint, List<String> ids) {
    this.uri = URI.create(endpoint + "/_sim/status?ids=" + String.join(",", ids));
    read();
    refresh.scheduleWithFixedDelay(this::read, 500, 500, TimeUnit.MILLISECONDS);
  }

  private void read() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      Map<String, String> next = new HashMap<>();
      JsonNode body = JSON.readTree(r.body());
      body.fields().forEachRemaining(e -> next.put(e.getKey(), e.getValue().asText()));
      statuses = next;
    } catch (Exception e) {
      // A missed refresh keeps the last view; the next one half a second later catches up.
    }
  }

  @Override
  public String apply(String id) {
    return statuses.get(id);
  }

  @Override
  public void close() {
    refresh.shutdownNow();
  }
}
