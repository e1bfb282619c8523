package io.bmspower.api.v1alpha1;

/** The life of one submission attempt of a batch. */
public enum BatchState {
  /** Planned, not yet submitted. */
  Pending,
  /** Intent recorded; the action call may or may not have reached the cloud. */
  Submitting,
  /** The cloud accepted the call and returned a job; the job is being polled. */
  Running,
  /** Every server of the batch ended as done. */
  Succeeded,
  /** The job ended with some servers failed. */
  PartiallySucceeded,
  /** The job or its submission failed for every server of the batch. */
  Failed;

  public boolean isFinished() {
    return this == Succeeded || this == PartiallySucceeded || this == Failed;
  }
}
