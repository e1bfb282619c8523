package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerScheduleStatus;
import io.bmspower.reconciler.StampedConditions;
import java.time.Instant;
import java.util.List;

/**
 * A schedule's conditions, stamped with the generation and the pass's clock; a condition's
 * lastTransitionTime changes only when its status does.
 */
final class ScheduleConditions {

  static final List<String> ORDER = List.of("Ready", "Valid", "Suspended", "InDesiredState");

  private final BareMetalPowerScheduleStatus status;
  private final long generation;
  private final Instant now;

  ScheduleConditions(BareMetalPowerScheduleStatus status, long generation, Instant now) {
    this.status = status;
    this.generation = generation;
    this.now = now;
    status.setObservedGeneration(generation);
  }

  static ScheduleConditions of(
      io.bmspower.api.v1alpha1.BareMetalPowerSchedule schedule, Instant now) {
    long generation =
        java.util.Objects.requireNonNullElse(schedule.getMetadata().getGeneration(), 1L);
    return new ScheduleConditions(schedule.getStatus(), generation, now);
  }

  void set(String type, boolean value, String reason, String message) {
    new StampedConditions(status.getConditions(), generation, now, ORDER::indexOf)
        .set(type, value, reason, message);
  }

  void remove(String type) {
    status.getConditions().removeIf(c -> c.getType().equals(type));
  }

  boolean is(String type, String reason) {
    return status.getConditions().stream()
        .anyMatch(c -> c.getType().equals(type) && reason.equals(c.getReason()));
  }
}
