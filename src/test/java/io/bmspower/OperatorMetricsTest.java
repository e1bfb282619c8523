package io.bmspower;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  @Test
  void countersTheAlertsWatchAreScrapedAtZeroBeforeTheirFirstEvent() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new OperatorMetrics(registry);

    assertThat(registry.scrape())
        .contains("bms_cloud_throttled_total{operation=\"submit\"} 0.0")
        .contains("bms_cloud_throttled_total{operation=\"getJob\"} 0.0")
        .contains("bms_servers_total{result=\"failed\"} 0.0")
        .contains("bms_servers_total{result=\"succeeded\"} 0.0")
        .contains("bms_action_requests_dropped_total{reason=\"expired\"} 0.0")
        .contains("bms_action_requests_dropped_total{reason=\"fenced\"} 0.0");
  }

  @Test
  void aThrottledCallCountsOnThePreRegisteredSeries() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);

    metrics.cloudCall("submit", "throttled", java.time.Duration.ofMillis(5));

    assertThat(registry.scrape()).contains("bms_cloud_throttled_total{operation=\"submit\"} 1.0");
  }
}
