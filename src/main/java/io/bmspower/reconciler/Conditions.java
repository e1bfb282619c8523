package io.bmspower.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The one place conditions are built: type, status, reason, message, observedGeneration. */
final class Conditions {

  static final String ACCEPTED = "Accepted";
  static final String CREDENTIALS_VALID = "CredentialsValid";
  static final String PROGRESSING = "Progressing";
  static final String COMPLETE = "Complete";
  static final String FAILED = "Failed";
  static final String SUSPENDED = "Suspended";
  static final List<String> ORDER =
      List.of(ACCEPTED, CREDENTIALS_VALID, PROGRESSING, COMPLETE, FAILED, SUSPENDED);

  private Conditions() {}

  /**
   * Sets a condition; lastTransitionTime changes only when the status does, so an unchanged
   * condition leaves the status untouched.
   */
  static void set(
      List<Condition> conditions,
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      Instant now) {
    String value = status ? "True" : "False";
    Optional<Condition> existing = find(conditions, type);
    String since =
        existing
            .filter(c -> c.getStatus().equals(value))
            .map(Condition::getLastTransitionTime)
            .orElse(Rfc3339.format(now));
    Condition updated =
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build();
    conditions.removeIf(c -> c.getType().equals(type));
    conditions.add(updated);
    conditions.sort(
        (a, b) -> Integer.compare(ORDER.indexOf(a.getType()), ORDER.indexOf(b.getType())));
  }

  static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> c.getStatus().equals("True")).orElse(false);
  }
}
