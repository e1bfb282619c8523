package io.bmspower.reconciler;

/** Condition and Event reasons: the one list, so docs, tests and alerts can rely on them. */
final class Reason {

  static final String ACCEPTED = "Accepted";
  static final String IN_PROGRESS = "InProgress";
  static final String JOBS_RUNNING = "JobsRunning";
  static final String WAITING_TO_SUBMIT = "WaitingToSubmit";
  static final String WAITING_FOR_OTHER_ACTION = "WaitingForOtherAction";
  static final String SUSPENDED = "Suspended";
  static final String SUSPENDED_BY_SPEC = "SuspendedBySpec";
  static final String RESUMED = "Resumed";
  static final String NOT_SUSPENDED = "NotSuspended";
  static final String FINISHED = "Finished";
  static final String ALL_SERVERS_DONE = "AllServersDone";
  static final String SOME_SERVERS_FAILED = "SomeServersFailed";
  static final String ALL_SERVERS_FAILED = "AllServersFailed";
  static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
  static final String DRY_RUN_SUCCEEDED = "DryRunSucceeded";
  static final String DRY_RUN_FOUND_UNKNOWN_SERVERS = "DryRunFoundUnknownServers";
  static final String CLOUD_SETTINGS_MISSING = "CloudSettingsMissing";
  static final String CREDENTIALS_RESOLVED = "Resolved";
  static final String CREDENTIALS_REJECTED = "CredentialsRejected";

  /** The cloud refused the request's signing time: the clocks differ, the Secret is fine. */
  static final String CLOCK_SKEW = "ClockSkew";

  /** Policy admission: granted by a policy, no policy selects the namespace, or refused. */
  static final String GRANTED = "Granted";

  static final String NO_POLICY = "NoPolicy";
  static final String NOT_PERMITTED = "NotPermitted";
  static final String STARTED_BEFORE_POLICY = "StartedBeforePolicy";

  static final String CLOUD_UNAVAILABLE = "CloudUnavailable";
  static final String RECONCILE_ERROR = "ReconcileError";
  static final String BATCH_SUBMITTED = "BatchSubmitted";
  static final String BATCH_FINISHED = "BatchFinished";
  static final String BATCH_REFUSED = "BatchRefused";
  static final String SUBMISSION_UNANSWERED = "SubmissionUnanswered";
  static final String SUBMISSION_RECOVERED = "SubmissionRecovered";
  static final String UNKNOWN_SERVERS = "UnknownServers";
  static final String ABANDONED = "Abandoned";
  static final String DELETION_WAIT_TIMED_OUT = "DeletionWaitTimedOut";
  static final String DELETION_NOT_WAITING = "DeletionNotWaiting";

  private Reason() {}
}
