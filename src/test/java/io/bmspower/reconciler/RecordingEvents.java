package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Events as the operator would record them, per resource name. */
final class RecordingEvents implements Reports.EventSink {

  record Recorded(String resource, boolean warning, String reason, String message) {}

  final List<Recorded> all = new CopyOnWriteArrayList<>();

  @Override
  public void event(BareMetalPowerAction resource, boolean warning, String reason, String message) {
    all.add(new Recorded(resource.getMetadata().getName(), warning, reason, message));
  }

  List<String> reasons(String resource) {
    return all.stream().filter(e -> e.resource().equals(resource)).map(Recorded::reason).toList();
  }

  long count(String resource, String reason) {
    return reasons(resource).stream().filter(reason::equals).count();
  }
}
