package io.bmspower.reconciler;

import java.util.Objects;

/**
 * Who recorded an intent: an operator instance's identity and, with leader election, its term (the
 * Lease's leaseTransitions when it recorded it; null without leader election).
 */
record Holder(String identity, Long epoch) {

  @Override
  public String toString() {
    return epoch == null ? String.valueOf(identity) : identity + " (Lease term " + epoch + ")";
  }

  /** The same instance in the same term: its calls are known to this process, or it crashed. */
  boolean sameAs(Holder other) {
    return Objects.equals(identity, other.identity) && Objects.equals(epoch, other.epoch);
  }
}
