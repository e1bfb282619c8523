package io.bmspower.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A status's condition list, each condition stamped with the generation it was computed for and the
 * pass's clock. A condition's lastTransitionTime changes only when its status does, so an unchanged
 * pass leaves the list as it was. Shared by the action's and the schedule's statuses.
 */
public final class StampedConditions {

  private final List<Condition> conditions;
  private final long generation;
  private final Instant now;
  private final ToIntFunction<String> order;

  /** {@code order} ranks a condition type; the list is kept sorted by it. */
  public StampedConditions(
      List<Condition> conditions, long generation, Instant now, ToIntFunction<String> order) {
    this.conditions = conditions;
    this.generation = generation;
    this.now = now;
    this.order = order;
  }

  /** Sets (replaces) the condition of this type. */
  public void set(String type, boolean value, String reason, String message) {
    String v = value ? "True" : "False";
    String since =
        conditions.stream()
            .filter(c -> c.getType().equals(type) && c.getStatus().equals(v))
            .map(Condition::getLastTransitionTime)
            .findFirst()
            .orElse(Rfc3339.format(now));
    Condition updated =
        new ConditionBuilder()
            .withType(type)
            .withStatus(v)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build();
    conditions.removeIf(c -> c.getType().equals(type));
    conditions.add(updated);
    conditions.sort(Comparator.comparingInt(c -> order.applyAsInt(c.getType())));
  }
}
