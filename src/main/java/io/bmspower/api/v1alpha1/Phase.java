package io.bmspower.api.v1alpha1;

/** A summary of the resource's state for display; conditions carry the details. */
public enum Phase {
  Pending,
  Running,
  Succeeded,
  PartiallySucceeded,
  Failed,
  Suspended;

  public boolean isTerminal() {
    return this == Succeeded || this == PartiallySucceeded || this == Failed;
  }
}
