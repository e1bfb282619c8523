package io.bmspower.nodes;

/** Where a node is in its rollout. Steps only move forward; Done and Failed are final. */
public enum NodeStep {
  /** Not started. */
  Pending,
  /** Cordoned by this resource (unless someone else had) and its pods being evicted. */
  Draining,
  /** Its server's power action (a child BareMetalPowerAction) is created or running. */
  Powering,
  /** Powered (Start, Reboot); waiting until the Node is Ready again. */
  WaitingReady,
  Done,
  Failed;

  public boolean inFlight() {
    return this == Draining || this == Powering || this == WaitingReady;
  }

  public boolean finished() {
    return this == Done || this == Failed;
  }
}
