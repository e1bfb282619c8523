package io.bmspower.reconciler;

import io.bmspower.OperatorMetrics;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import java.util.ArrayList;
import java.util.List;

/**
 * Events and server metrics a pass has to report, held until the status write that records them
 * succeeded: a pass whose write conflicts reports nothing, and its retry reports once.
 */
final class Reports {

  /** Where Events go: the Kubernetes API in the operator, a list in unit tests. */
  interface EventSink {
    void event(BareMetalPowerAction resource, boolean warning, String reason, String message);
  }

  record Event(boolean warning, String reason, String message) {}

  private final List<Event> events = new ArrayList<>();
  private int succeeded;
  private int failed;

  void normal(String reason, String message) {
    events.add(new Event(false, reason, message));
  }

  void warning(String reason, String message) {
    events.add(new Event(true, reason, message));
  }

  void servers(int succeeded, int failed) {
    this.succeeded += succeeded;
    this.failed += failed;
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  /** Called once the status that records all of this is written. */
  void flush(BareMetalPowerAction resource, EventSink sink, OperatorMetrics metrics) {
    events.forEach(e -> sink.event(resource, e.warning(), e.reason(), e.message()));
    metrics.servers("succeeded", succeeded);
    metrics.servers("failed", failed);
    clear();
  }

  void clear() {
    events.clear();
    succeeded = 0;
    failed = 0;
  }
}
