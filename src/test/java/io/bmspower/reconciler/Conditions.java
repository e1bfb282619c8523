package io.bmspower.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Optional;

/** Reads conditions in tests. */
final class Conditions {

  static final String CREDENTIALS_VALID = ConditionType.CredentialsValid.name();

  private Conditions() {}

  static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
