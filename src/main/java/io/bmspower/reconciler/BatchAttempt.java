package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import java.time.Instant;

/**
 * The one place a batch attempt changes state, through named transitions: Pending -> Submitting ->
 * Running -> finished, or back to Pending when the call was provably not made. An illegal
 * transition is a bug and throws.
 */
final class BatchAttempt {

  private final BatchStatus entry;

  BatchAttempt(BatchStatus entry) {
    this.entry = entry;
  }

  static BatchAttempt planned(int index, int attempt, int size, String members, Instant notBefore) {
    BatchStatus entry = new BatchStatus();
    entry.setIndex(index);
    entry.setAttempt(attempt);
    entry.setSize(size);
    entry.setMembers(members);
    entry.setState(BatchState.Pending);
    entry.setNotBefore(notBefore == null ? null : Rfc3339.format(notBefore));
    return new BatchAttempt(entry);
  }

  BatchStatus entry() {
    return entry;
  }

  int index() {
    return entry.getIndex();
  }

  int attempt() {
    return entry.getAttempt();
  }

  int size() {
    return entry.getSize();
  }

  String members() {
    return entry.getMembers();
  }

  BatchState state() {
    return entry.getState();
  }

  String jobId() {
    return entry.getJobId();
  }

  Instant submittedAt() {
    return Rfc3339.parse(entry.getSubmittedAt());
  }

  boolean is(BatchState state) {
    return entry.getState() == state;
  }

  /** Submitting or Running: servers are, or may be, in a cloud job. */
  boolean active() {
    return is(BatchState.Submitting) || is(BatchState.Running);
  }

  /** Submitting without a job ID: the outcome of the call is not recorded yet. */
  boolean awaitingOutcome() {
    return is(BatchState.Submitting) && entry.getJobId() == null;
  }

  boolean dueAt(Instant now) {
    return is(BatchState.Pending)
        && (entry.getNotBefore() == null || !now.isBefore(Rfc3339.parse(entry.getNotBefore())));
  }

  Instant notBefore() {
    return Rfc3339.parse(entry.getNotBefore());
  }

  /** The intent, by {@code holder}: recorded before the call is handed to the sender. */
  void submitting(Instant now, Holder holder) {
    require(BatchState.Pending);
    entry.setState(BatchState.Submitting);
    entry.setSubmittedAt(Rfc3339.format(now));
    entry.setHolder(holder.identity());
    entry.setHolderEpoch(holder.epoch());
    entry.setSent(null);
    entry.setNotBefore(null);
    entry.setMessage(null);
    entry.setJobId(null);
    entry.setBaselineUpdated(null);
  }

  /** Reboot: the servers' latest {@code updated} before the intent ({@link RebootBaseline}). */
  void baseline(String updated) {
    require(BatchState.Submitting);
    entry.setBaselineUpdated(updated);
  }

  /** The cloud accepted the call made at {@code sentAt} (null: keep the intent's time). */
  void running(String jobId, Instant sentAt) {
    require(BatchState.Submitting);
    entry.setState(BatchState.Running);
    entry.setJobId(jobId);
    sent(sentAt);
  }

  /** The call was provably not made (withdrawn, refused before acting): wait and try again. */
  void pending(Instant notBefore, String message) {
    require(BatchState.Submitting);
    entry.setState(BatchState.Pending);
    entry.setSubmittedAt(null);
    entry.setHolder(null);
    entry.setSent(null);
    entry.setNotBefore(notBefore == null ? null : Rfc3339.format(notBefore));
    entry.setMessage(message);
  }

  /** Not made, and some servers are left out for good: the rest wait for the next call. */
  void narrowed(String members, int size, String message) {
    pending(null, message);
    entry.setMembers(members);
    entry.setSize(size);
  }

  /**
   * A call made at {@code sentAt} without an answer: the servers' state will tell, a grace period
   * after the call (not after the intent: the call may have waited in the queue).
   */
  void unanswered(Instant sentAt, String message) {
    require(BatchState.Submitting);
    entry.setMessage(message);
    entry.setSent(true);
    sent(sentAt);
  }

  /** The call is known to have been made (its answer was lost). */
  boolean sent() {
    return Boolean.TRUE.equals(entry.getSent());
  }

  Holder holder() {
    return new Holder(entry.getHolder(), entry.getHolderEpoch());
  }

  private void sent(Instant sentAt) {
    if (sentAt != null) {
      entry.setSubmittedAt(Rfc3339.format(sentAt));
    }
  }

  /** The job ended, or the servers' state told the outcome. */
  void finished(int succeeded, int failed, int retrying, Instant now, String message) {
    if (!active()) {
      throw new IllegalStateException(
          "batch " + index() + " attempt " + attempt() + " cannot finish from " + state());
    }
    entry.setState(
        failed == 0 && retrying == 0
            ? BatchState.Succeeded
            : succeeded == 0 ? BatchState.Failed : BatchState.PartiallySucceeded);
    entry.setSucceeded(succeeded);
    entry.setFailed(failed);
    entry.setRetrying(retrying == 0 ? null : retrying);
    entry.setFinishedAt(Rfc3339.format(now));
    if (message != null) {
      entry.setMessage(message);
    }
  }

  private void require(BatchState state) {
    if (entry.getState() != state) {
      throw new IllegalStateException(
          "batch " + index() + " attempt " + attempt() + " is " + state() + ", not " + state);
    }
  }
}
