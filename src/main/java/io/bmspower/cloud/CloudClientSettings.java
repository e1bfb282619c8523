package io.bmspower.cloud;

import java.time.Duration;

/** Timeouts, rate budgets and TLS of cloud calls. */
public record CloudClientSettings(
    Duration connectTimeout,
    Duration requestTimeout,
    int actionsPerMinute,
    int queriesPerMinute,
    TlsSettings tls) {

  public static final int DEFAULT_ACTIONS_PER_MINUTE = 40;
  public static final int DEFAULT_QUERIES_PER_MINUTE = 1600;

  public static CloudClientSettings defaults() {
    return new CloudClientSettings(
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        DEFAULT_ACTIONS_PER_MINUTE,
        DEFAULT_QUERIES_PER_MINUTE,
        TlsSettings.verified());
  }

  public CloudClientSettings withRates(int actionsPerMinute, int queriesPerMinute) {
    return new CloudClientSettings(
        connectTimeout, requestTimeout, actionsPerMinute, queriesPerMinute, tls);
  }

  public CloudClientSettings withTls(TlsSettings tls) {
    return new CloudClientSettings(
        connectTimeout, requestTimeout, actionsPerMinute, queriesPerMinute, tls);
  }

  public CloudClientSettings withRequestTimeout(Duration requestTimeout) {
    return new CloudClientSettings(
        connectTimeout, requestTimeout, actionsPerMinute, queriesPerMinute, tls);
  }
}
