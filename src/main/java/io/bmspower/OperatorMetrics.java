package io.bmspower;

import io.bmspower.reconciler.CallGate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The operator's own metrics, beside JOSDK's reconcile metrics. */
public final class OperatorMetrics {

  private final MeterRegistry registry;
  private final AtomicInteger leader = new AtomicInteger();
  private final AtomicLong leaseTransitions = new AtomicLong();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    // Registered once: the values change, the meters do not.
    registry.gauge("bms.leader", leader);
    registry.gauge("bms.lease.transitions", leaseTransitions);
    // The counters alerts and the dashboard watch exist from the start, at zero, so that a first
    // 429, failure or drop is an increase and every series the chart's rules use is scraped.
    for (String operation : CLOUD_OPERATIONS) {
      throttledCounter(operation);
    }
    for (String result : List.of("succeeded", "failed")) {
      serversCounter(result);
    }
    for (CallGate.Dropped reason : CallGate.Dropped.values()) {
      droppedCounter(reason.name().toLowerCase(Locale.ROOT));
    }
  }

  /** The operations {@code HttpBmsClient} reports (its {@code send}/{@code query} names). */
  static final List<String> CLOUD_OPERATIONS =
      List.of("submit", "getJob", "getServer", "listServers");

  /** bms_cloud_calls_total / _seconds by operation and outcome (ok, throttled, retryable, ...). */
  public void cloudCall(String operation, String outcome, Duration duration) {
    Timer.builder("bms.cloud.calls")
        .description("Cloud API calls by operation and outcome")
        .tag("operation", operation)
        .tag("outcome", outcome)
        .register(registry)
        .record(duration);
    if (outcome.equals("throttled")) {
      throttledCounter(operation).increment();
    }
  }

  /** bms_servers_total by result (succeeded or failed). */
  public void servers(String result, int count) {
    if (count > 0) {
      serversCounter(result).increment(count);
    }
  }

  /** bms_status_writes_total: status updates written to the Kubernetes API. */
  public void statusWrite() {
    Counter.builder("bms.status.writes")
        .description("Status updates written to the Kubernetes API")
        .register(registry)
        .increment();
  }

  /** bms_leader: 1 while this instance holds the Lease (leader election on). */
  public void leader(boolean leading) {
    leader.set(leading ? 1 : 0);
  }

  /** bms_lease_transitions: the Lease's leaseTransitions, as last read before an action call. */
  public void leaseTransitions(long transitions) {
    leaseTransitions.set(transitions);
  }

  /** bms_action_requests_dropped_total by reason: expired (intent too old) or fenced (no Lease). */
  public void requestDropped(String reason) {
    droppedCounter(reason).increment();
  }

  private Counter throttledCounter(String operation) {
    return Counter.builder("bms.cloud.throttled")
        .description("Answers 429 (APIG.0308) from the cloud")
        .tag("operation", operation)
        .register(registry);
  }

  private Counter serversCounter(String result) {
    return Counter.builder("bms.servers")
        .description("Servers whose action ended, by result")
        .tag("result", result)
        .register(registry);
  }

  private Counter droppedCounter(String reason) {
    return Counter.builder("bms.action.requests.dropped")
        .description("Action requests dropped unsent: intent too old, or the Lease lost")
        .tag("reason", reason)
        .register(registry);
  }

  /**
   * bms_budget_grants_total and bms_budget_wait_seconds by namespace: permits of the action budget
   * granted, and how long each waited for its turn.
   */
  public void budgetGranted(String namespace, Duration waited) {
    Timer.builder("bms.budget.wait")
        .description("Time a resource waited for a permit of the action budget, by namespace")
        .tag("namespace", namespace)
        .register(registry)
        .record(waited);
    Counter.builder("bms.budget.grants")
        .description("Permits of the action budget granted, by namespace")
        .tag("namespace", namespace)
        .register(registry)
        .increment();
  }

  /** bms_jobs_in_flight: cloud jobs being polled. */
  public void jobsInFlight(Supplier<Number> jobs) {
    registry.gauge("bms.jobs.in.flight", jobs, s -> s.get().doubleValue());
  }
}
