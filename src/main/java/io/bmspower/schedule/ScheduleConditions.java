package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerScheduleStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
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
    String v = value ? "True" : "False";
    String since =
        status.getConditions().stream()
            .filter(c -> c.getType().equals(type) && c.getStatus().equals(v))
            .map(Condition::getLastTransitionTime)
            .findFirst()
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    status.getConditions().removeIf(c -> c.getType().equals(type));
    status
        .getConditions()
        .add(
            new ConditionBuilder()
                .withType(type)
                .withStatus(v)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build());
    status.getConditions().sort(Comparator.comparingInt(c -> ORDER.indexOf(c.getType())));
  }

  void remove(String type) {
    status.getConditions().removeIf(c -> c.getType().equals(type));
  }

  boolean is(String type, String reason) {
    return status.getConditions().stream()
        .anyMatch(c -> c.getType().equals(type) && reason.equals(c.getReason()));
  }
}
