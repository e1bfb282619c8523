package io.bmspower.api.v1alpha1;

/** What a schedule's new run does while an earlier run is still going (as CronJob's). */
public enum ConcurrencyPolicy {
  /** Start it anyway; servers both name wait for the earlier run (the overlap rule). */
  Allow,
  /** Skip the new run, and say so. */
  Forbid,
  /** Delete the running one (its deletionPolicy applies), then start the new run. */
  Replace
}
