package io.bmspower;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {

  @Test
  void servesHealthReadinessAndTheOperatorsMetrics() throws Exception {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var metrics = new OperatorMetrics(registry);
    metrics.cloudCall("submit", "ok", Duration.ofMillis(40));
    metrics.cloudCall("getJob", "throttled", Duration.ofMillis(5));
    metrics.servers("succeeded", 1000);
    metrics.jobsInFlight(() -> 3);
    var ready = new AtomicBoolean(false);

    try (var server = new HealthServer(0, () -> true, ready::get, registry)) {
      String base = "http://127.0.0.1:" + server.port();
      assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(base + "/readyz").statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(get(base + "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(base + "/metrics").body())
          .contains("bms_cloud_calls_seconds_count{operation=\"submit\",outcome=\"ok\"} 1")
          .contains("bms_cloud_throttled_total{operation=\"getJob\"} 1")
          .contains("bms_servers_total{result=\"succeeded\"} 1000")
          .contains("bms_jobs_in_flight 3");
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
