package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.Job;
import io.bmspower.cloud.ServerDetails;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The batches of one resource and what became of each server, keyed by server identity through the
 * canonical plan. Pure: given what was observed (jobs, call outcomes, server states) and the clock,
 * it decides; it does no I/O. Batch states change only through {@link BatchAttempt}.
 */
final class BatchLedger {

  static final int FINISHED_ENTRIES_KEPT = 10;

  /** How the next wait of a retry is chosen (a jittered backoff in the operator). */
  interface Backoff {
    Duration delay(int failures);
  }

  private final BareMetalPowerActionStatus status;
  private final BatchPlan plan;
  private final CloudAction action;
  private final int maxAttempts;
  private final Instant now;
  private final Backoff backoff;
  private final Reports reports;
  private final Tally tally;

  BatchLedger(
      BareMetalPowerActionStatus status,
      BatchPlan plan,
      CloudAction action,
      int maxAttempts,
      Instant now,
      Backoff backoff,
      Reports reports) {
    this.status = status;
    this.plan = plan;
    this.action = action;
    this.maxAttempts = maxAttempts;
    this.now = now;
    this.backoff = backoff;
    this.reports = reports;
    this.tally = new Tally(status);
  }

  BatchPlan plan() {
    return plan;
  }

  CloudAction action() {
    return action;
  }

  Instant now() {
    return now;
  }

  boolean attemptsLeft(BatchAttempt a) {
    return a.attempt() < maxAttempts;
  }

  Duration backoff(int failures) {
    return backoff.delay(failures);
  }

  Reports reports() {
    return reports;
  }

  List<BatchAttempt> attempts() {
    return status.getBatches().stream().map(BatchAttempt::new).toList();
  }

  List<BatchAttempt> in(BatchState state) {
    return attempts().stream().filter(a -> a.is(state)).toList();
  }

  List<BatchAttempt> awaitingOutcome() {
    return attempts().stream().filter(BatchAttempt::awaitingOutcome).toList();
  }

  List<String> servers(BatchAttempt a) {
    return plan.members(a.index(), a.members());
  }

  int active() {
    return (int) attempts().stream().filter(BatchAttempt::active).count();
  }

  /** Some batch had its first submission. */
  boolean started() {
    return nz(status.getNextBatch()) > 0;
  }

  boolean allDone() {
    return nz(status.getSucceeded()) + nz(status.getFailed()) >= plan.servers().size()
        && attempts().stream().noneMatch(a -> a.active() || a.is(BatchState.Pending))
        && nz(status.getNextBatch()) >= plan.batches();
  }

  // ---- outcomes of action calls ---------------------------------------------------------------

  void accepted(BatchAttempt a, String jobId, int participants, Instant sentAt) {
    a.running(jobId, sentAt);
    String shared =
        participants > 1 ? " (one call shared by %d resources)".formatted(participants) : "";
    reports.normal(
        Reason.BATCH_SUBMITTED,
        "batch %d attempt %d: %d server(s), job %s%s"
            .formatted(a.index(), a.attempt(), a.size(), jobId, shared));
  }

  /** The call was refused or unanswered; {@code failures} counts refusals of this attempt. */
  void refused(BatchAttempt a, CloudException e, int failures, Instant sentAt, Duration grace) {
    switch (e.errorClass()) {
      case AMBIGUOUS -> {
        a.unanswered(
            sentAt,
            "no answer to the action call (%s); the servers' state will tell after %ds"
                .formatted(describe(e), grace.toSeconds()));
        reports.warning(
            Reason.SUBMISSION_UNANSWERED, "batch " + a.index() + ": " + a.entry().getMessage());
      }
      case RETRYABLE -> {
        // Bounded only for the cloud's own refusals: an endpoint that cannot be reached (no HTTP
        // answer) touched no server and is waited out, not charged to the batch.
        if (!e.throttling() && e.httpStatus() > 0 && failures + 1 >= maxAttempts) {
          failAll(a, e, "refused %d time(s), giving up: ".formatted(failures + 1));
          return;
        }
        Duration wait = e.retryAfter() != null ? e.retryAfter() : backoff.delay(failures);
        a.pending(
            now.plus(wait),
            "action call refused for now (%s); retrying in %ds"
                .formatted(describe(e), wait.toSeconds()));
      }
      case CREDENTIALS -> a.pending(null, "credentials refused: " + describe(e));
      default -> failAll(a, e);
    }
  }

  /** Refusals of a call for its servers (unknown, or in the wrong state). */
  CallRefusals refusals() {
    return new CallRefusals(this);
  }

  void withdrawn(BatchAttempt a) {
    a.pending(null, "withdrawn before the action call");
  }

  void failAll(BatchAttempt a, CloudException e) {
    failAll(a, e, "");
  }

  private void failAll(BatchAttempt a, CloudException e, String why) {
    String code = Optional.ofNullable(e.code()).orElse("HTTP_" + e.httpStatus());
    List<String> servers = servers(a);
    servers.forEach(id -> fail(id, code, why + e.getMessage(), a.attempt()));
    finish(a, 0, servers.size(), 0, "action call refused " + why + describe(e));
    reports.warning(Reason.BATCH_REFUSED, "batch " + a.index() + ": " + a.entry().getMessage());
  }

  // ---- jobs and servers' state ----------------------------------------------------------------

  /** Servers of the attempt whose part of the finished job does not tell their outcome. */
  List<String> unreported(BatchAttempt a, Job job) {
    return ServerVerdicts.unreported(servers(a), job);
  }

  /**
   * Folds a finished job: counters, failures and, for retryable failures, a next attempt. {@code
   * states} holds the servers' state for the {@link #unreported} ones (absent: does not exist).
   */
  void jobFinished(BatchAttempt a, Job job, Map<String, ServerDetails> states) {
    ServerVerdicts v =
        ServerVerdicts.ofJob(
            action, servers(a), job, states, RebootBaseline.of(a), a.attempt() < maxAttempts);
    String message =
        v.again().isEmpty()
            ? null
            : "%d server(s) failed retryably (%s); attempt %d of %d follows"
                .formatted(v.again().size(), v.againCode(), a.attempt() + 1, maxAttempts);
    apply(a, v, message, backoff.delay(a.attempt() - 1));
    if (!v.failed().isEmpty() || !v.again().isEmpty()) {
      String retry = v.again().isEmpty() ? "" : ", " + v.again().size() + " to retry";
      reports.warning(
          Reason.BATCH_FINISHED,
          "batch %d attempt %d (job %s): %d done, %d failed%s"
              .formatted(
                  a.index(), a.attempt(), a.jobId(), v.succeeded(), v.failed().size(), retry));
    }
  }

  /**
   * No answer from the call (or the job is gone): the servers' state decides. Taken servers count
   * as done, unknown ones fail, the rest are resubmitted.
   */
  void recovered(BatchAttempt a, Map<String, ServerDetails> states, String why) {
    ServerVerdicts v = ServerVerdicts.ofState(action, servers(a), states, RebootBaseline.of(a));
    String unknown = v.failed().isEmpty() ? "" : ", " + v.failed().size() + " unknown";
    String message =
        "%s; the servers' state shows %d taken, %d not taken (resubmitted)%s"
            .formatted(why, v.succeeded(), v.again().size(), unknown);
    apply(a, v, message, Duration.ZERO);
    reports.normal(Reason.SUBMISSION_RECOVERED, "batch " + a.index() + ": " + message);
  }

  void apply(BatchAttempt a, ServerVerdicts v, String message, Duration wait) {
    v.failed().forEach(f -> fail(f.id(), f.code(), f.reason(), a.attempt()));
    finish(a, v.succeeded(), v.failed().size(), v.again().size(), message);
    if (!v.again().isEmpty()) {
      BitSet offsets = new BitSet();
      v.again().forEach(id -> offsets.set(plan.offsetOf(a.index(), id)));
      status
          .getBatches()
          .add(
              BatchAttempt.planned(
                      a.index(),
                      a.attempt() + 1,
                      offsets.cardinality(),
                      Members.encode(offsets, plan.rangeSize(a.index())),
                      now.plus(wait))
                  .entry());
    }
  }

  // ---- act ------------------------------------------------------------------------------------

  /**
   * Records the intent for what is due now, up to {@code maxActive} active attempts: retries first,
   * then the next planned batch. The caller writes the status before anything is sent.
   */
  List<BatchAttempt> startDue(int maxActive, Holder holder) {
    return new DueBatches(this, status, now).start(maxActive, holder);
  }

  /** The size of the batch {@link #startDue} would start now; 0 if none. Changes nothing. */
  int dueSize(int maxActive) {
    return new DueBatches(this, status, now).size(maxActive);
  }

  /** The servers of the batch {@link #startDue} would start now; empty if none. */
  List<String> dueServers(int maxActive) {
    return new DueBatches(this, status, now).servers(maxActive);
  }

  // ---- counters -------------------------------------------------------------------------------

  void finish(BatchAttempt a, int succeeded, int failed, int retrying, String message) {
    a.finished(succeeded, failed, retrying, now, message);
    counted(succeeded, failed);
    pruneFinished();
  }

  void counted(int succeeded, int failed) {
    tally.add(succeeded, failed);
    reports.servers(succeeded, failed);
  }

  void fail(String id, String code, String reason, int attempts) {
    tally.fail(id, code, reason, attempts);
  }

  /** Counters and progress from the batches. */
  void count() {
    tally.count(
        plan, attempts().stream().filter(BatchAttempt::active).mapToInt(BatchAttempt::size).sum());
  }

  private void pruneFinished() {
    List<BatchAttempt> finished = attempts().stream().filter(a -> a.state().isFinished()).toList();
    for (int i = 0; i < finished.size() - FINISHED_ENTRIES_KEPT; i++) {
      status.getBatches().remove(finished.get(i).entry());
    }
  }

  static String describe(CloudException e) {
    return (e.code() != null ? e.code() + ": " : "")
        + e.getMessage()
        + (e.httpStatus() > 0 ? " (HTTP " + e.httpStatus() + ")" : "");
  }

  static int nz(Integer i) {
    return Tally.nz(i);
  }
}
