package io.bmspower.api.v1alpha1;

/** What deleting the resource does while jobs it submitted are still running. */
public enum DeletionPolicy {
  /** Hold the deletion (finalizer) until submitted jobs end, bounded by a timeout. */
  Wait,
  /** Release the finalizer at once; running jobs go on in the cloud untracked. */
  Abandon
}
