package io.bmspower.reconciler;

import io.bmspower.OperatorMetrics;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.FailedServer;
import io.bmspower.api.v1alpha1.RetrySpec;
import io.bmspower.cloud.Backoff;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.ErrorClassifier;
import io.bmspower.cloud.Job;
import io.bmspower.cloud.JobStatus;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.SubJob;
import io.bmspower.reconciler.ReconcileHooks.Point;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass over one resource with resolved credentials: observe jobs, recover ambiguous
 * submissions, submit what is due, and sum up. Status writes go through {@code writer}, which uses
 * optimistic locking, so a stale view can never submit twice.
 */
final class Pass {

  private static final Logger LOG = LoggerFactory.getLogger(Pass.class);
  static final int FINISHED_ENTRIES_KEPT = 10;
  static final int DRY_RUN_ENTRIES_SHOWN = 20;

  private final Context ctx;
  private BareMetalPowerAction resource;
  private final BareMetalPowerActionSpec spec;
  private final BareMetalPowerActionStatus status;
  private final BatchPlan plan;
  private final BmsClient client;
  private final Instant now;
  private final int maxAttempts;
  private final SubmissionCoalescer.Key coalescerKey;

  /** What a pass needs from the reconciler around it. */
  record Context(
      ReconcilerSettings settings,
      JobTracker jobs,
      EventRecorder events,
      ReconcileHooks hooks,
      UnaryOperator<BareMetalPowerAction> writer,
      Map<String, Integer> submitFailures,
      OperatorMetrics metrics,
      SubmissionCoalescer coalescer) {}

  Pass(
      Context ctx,
      BareMetalPowerAction resource,
      BmsClient client,
      SubmissionCoalescer.Key coalescerKey,
      Instant now) {
    this.ctx = ctx;
    this.coalescerKey = coalescerKey;
    this.resource = resource;
    this.spec = resource.getSpec();
    this.status = resource.getStatus();
    this.plan = BatchPlan.of(spec);
    this.client = client;
    this.now = now;
    this.maxAttempts =
        spec.getRetry() == null || spec.getRetry().getMaxAttempts() == null
            ? RetrySpec.DEFAULT_MAX_ATTEMPTS
            : spec.getRetry().getMaxAttempts();
  }

  BareMetalPowerAction resource() {
    return resource;
  }

  // ---- observe -------------------------------------------------------------------------------

  /** Polls due jobs (shared with other resources on the same job) and folds finished ones. */
  void observe() {
    for (BatchStatus entry : List.copyOf(status.getBatches())) {
      if (entry.getState() != BatchState.Running || entry.getJobId() == null) {
        continue;
      }
      Job job;
      try {
        job = ctx.jobs().poll(jobKey(entry.getJobId()), now, () -> client.getJob(entry.getJobId()));
      } catch (CloudException e) {
        if (e.errorClass() == ErrorClass.CREDENTIALS) {
          throw e;
        }
        if (e.httpStatus() == 404) {
          LOG.warn(
              "job {} of {} is gone; reading its servers' state instead", entry.getJobId(), name());
          entry.setMessage(
              "job "
                  + entry.getJobId()
                  + " can no longer be queried; recovered from the servers' state");
          recoverFromServers(entry);
          continue;
        }
        LOG.info("poll of job {} failed, will retry: {}", entry.getJobId(), e.getMessage());
        continue;
      }
      if (job == null) {
        continue;
      }
      ctx.hooks().at(Point.AFTER_POLL);
      if (job.status().isFinished()) {
        fold(entry, job);
      }
    }
  }

  /** The tracker's key of a job: job IDs are unique per cloud endpoint. */
  String jobKey(String jobId) {
    return client.toString() + "|" + jobId;
  }

  /** Records the outcomes of merged calls this resource took part in. */
  void collectOutcomes() {
    if (!coalescing()) {
      return;
    }
    for (BatchStatus entry : List.copyOf(status.getBatches())) {
      if (entry.getState() != BatchState.Submitting || entry.getJobId() != null) {
        continue;
      }
      var outcome = ctx.coalescer().take(ticket(entry));
      if (outcome.isEmpty()) {
        continue;
      }
      List<String> servers = plan.members(entry.getIndex(), entry.getMembers());
      if (outcome.get().jobId() == null) {
        handleSubmitError(entry, servers, outcome.get().error());
        continue;
      }
      recordJobId(entry, servers, outcome.get().jobId(), outcome.get().participants());
    }
  }

  /** Takes back requests still waiting to be merged (suspend, deletion): none was sent. */
  void withdrawQueued() {
    if (!coalescing()) {
      return;
    }
    boolean changed = false;
    for (BatchStatus entry : status.getBatches()) {
      if (entry.getState() == BatchState.Submitting
          && entry.getJobId() == null
          && ctx.coalescer().cancel(ticket(entry))) {
        entry.setState(BatchState.Pending);
        entry.setSubmittedAt(null);
        entry.setMessage("withdrawn before the action call");
        changed = true;
      }
    }
    if (changed) {
      write();
    }
  }

  /** A merged call this resource joined has not been recorded yet. */
  boolean awaitingMergedCall() {
    return coalescing()
        && status.getBatches().stream()
            .anyMatch(
                b ->
                    b.getState() == BatchState.Submitting
                        && b.getJobId() == null
                        && ctx.coalescer().pending(ticket(b)));
  }

  private boolean coalescing() {
    return ctx.coalescer() != null && coalescerKey != null;
  }

  private SubmissionCoalescer.Ticket ticket(BatchStatus entry) {
    return new SubmissionCoalescer.Ticket(
        resource.getMetadata().getUid(), entry.getIndex(), entry.getAttempt());
  }

  /** Submissions without an answer: after a grace period, the servers' real state decides. */
  void recoverAmbiguous() {
    for (BatchStatus entry : List.copyOf(status.getBatches())) {
      if (coalescing() && ctx.coalescer().pending(ticket(entry))) {
        continue;
      }
      if (entry.getState() == BatchState.Submitting
          && entry.getJobId() == null
          && !now.isBefore(
              Rfc3339.parse(entry.getSubmittedAt()).plus(ctx.settings().ambiguousGrace()))) {
        recoverFromServers(entry);
      }
    }
  }

  private void recoverFromServers(BatchStatus entry) {
    List<String> servers = plan.members(entry.getIndex(), entry.getMembers());
    Map<String, ServerDetails> details = ServerDirectory.lookup(client, servers);
    Instant submittedAt = Rfc3339.parse(entry.getSubmittedAt());
    int taken = 0;
    int failed = 0;
    BitSet resubmit = new BitSet();
    for (String id : servers) {
      ServerDetails d = details.get(id.toLowerCase(Locale.ROOT));
      if (d == null) {
        fail(id, "BMS.0040", "The server does not exist.", entry.getAttempt());
        failed++;
      } else if (provablyTaken(d, submittedAt)) {
        taken++;
      } else {
        resubmit.set(plan.offsetOf(entry.getIndex(), id));
      }
    }
    String message =
        "no answer to the action call; the servers' state shows "
            + taken
            + " taken, "
            + resubmit.cardinality()
            + " not taken (resubmitted)"
            + (failed > 0 ? ", " + failed + " unknown" : "");
    finishEntry(entry, taken, failed, message);
    if (!resubmit.isEmpty()) {
      addRetryEntry(entry, resubmit, Duration.ZERO);
    }
    ctx.events()
        .normal(resource, "SubmissionRecovered", "batch " + entry.getIndex() + ": " + message);
  }

  private boolean provablyTaken(ServerDetails d, Instant submittedAt) {
    String task = d.taskState() == null ? "" : d.taskState().toLowerCase(Locale.ROOT);
    return switch (spec.getAction()) {
      case Stop -> d.isOff() || task.equals("powering-off");
      case Start -> d.isOn() || task.equals("powering-on");
      case Reboot -> task.startsWith("reboot") || updatedSince(d, submittedAt);
    };
  }

  private static boolean updatedSince(ServerDetails d, Instant since) {
    try {
      return d.updated() != null && !Instant.parse(d.updated()).isBefore(since.minusSeconds(1));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Folds a finished job into counters, failures and, for retryable failures, a next attempt. */
  void fold(BatchStatus entry, Job job) {
    Map<String, SubJob> byServer = new HashMap<>();
    job.subJobs()
        .forEach(
            s -> {
              if (s.serverId() != null) {
                byServer.put(s.serverId().toLowerCase(Locale.ROOT), s);
              }
            });
    int from = entry.getIndex() * plan.batchSize();
    BitSet members = Members.decode(entry.getMembers(), plan.rangeSize(entry.getIndex()));
    int succeeded = 0;
    int failed = 0;
    BitSet retry = new BitSet();
    String retryCode = null;
    for (int offset = members.nextSetBit(0); offset >= 0; offset = members.nextSetBit(offset + 1)) {
      String id = plan.servers().get(from + offset);
      SubJob sub = byServer.get(id.toLowerCase(Locale.ROOT));
      if (sub != null && sub.status() == JobStatus.SUCCESS) {
        succeeded++;
        continue;
      }
      String code =
          sub == null
              ? "NO_SUBJOB"
              : sub.status() == JobStatus.FAIL
                  ? Optional.ofNullable(sub.errorCode()).orElse("UNKNOWN")
                  : "NOT_FINISHED";
      String reason =
          sub == null
              ? "The job did not report this server."
              : Optional.ofNullable(sub.failReason())
                  .orElse("The job ended with this server " + sub.status() + ".");
      ErrorClass cls =
          sub == null || sub.status() != JobStatus.FAIL
              ? ErrorClass.RETRYABLE
              : ErrorClassifier.classifySubJob(spec.getAction(), code);
      if (cls == ErrorClass.ALREADY_DONE) {
        succeeded++;
      } else if (cls == ErrorClass.RETRYABLE && entry.getAttempt() < maxAttempts) {
        retry.set(offset);
        retryCode = code;
      } else {
        fail(id, code, reason, entry.getAttempt());
        failed++;
      }
    }
    String message =
        retry.isEmpty()
            ? null
            : retry.cardinality()
                + " server(s) failed retryably ("
                + retryCode
                + "); attempt "
                + (entry.getAttempt() + 1)
                + " of "
                + maxAttempts
                + " follows";
    finishEntry(entry, succeeded, failed, message);
    entry.setRetrying(retry.isEmpty() ? null : retry.cardinality());
    if (!retry.isEmpty()) {
      addRetryEntry(entry, retry, backoff(entry.getAttempt() - 1));
    }
    if (failed > 0 || !retry.isEmpty()) {
      ctx.events()
          .warning(
              resource,
              "BatchFinished",
              "batch "
                  + entry.getIndex()
                  + " attempt "
                  + entry.getAttempt()
                  + " (job "
                  + entry.getJobId()
                  + "): "
                  + succeeded
                  + " done, "
                  + failed
                  + " failed"
                  + (retry.isEmpty() ? "" : ", " + retry.cardinality() + " to retry"));
    }
  }

  private void finishEntry(BatchStatus entry, int succeeded, int failed, String message) {
    int size = entry.getSize();
    entry.setState(
        failed == 0 && succeeded == size
            ? BatchState.Succeeded
            : succeeded == 0 ? BatchState.Failed : BatchState.PartiallySucceeded);
    entry.setSucceeded(succeeded);
    entry.setFailed(failed);
    entry.setFinishedAt(Rfc3339.format(now));
    if (message != null) {
      entry.setMessage(message);
    }
    status.setSucceeded(nz(status.getSucceeded()) + succeeded);
    status.setFailed(nz(status.getFailed()) + failed);
    ctx.metrics().servers("succeeded", succeeded);
    ctx.metrics().servers("failed", failed);
    pruneFinished();
  }

  private void addRetryEntry(BatchStatus previous, BitSet offsets, Duration wait) {
    BatchStatus next = new BatchStatus();
    next.setIndex(previous.getIndex());
    next.setAttempt(previous.getAttempt() + 1);
    next.setSize(offsets.cardinality());
    next.setState(BatchState.Pending);
    next.setMembers(Members.encode(offsets, plan.rangeSize(previous.getIndex())));
    next.setNotBefore(Rfc3339.format(now.plus(wait)));
    status.getBatches().add(next);
  }

  // ---- act -----------------------------------------------------------------------------------

  /** Submits due batches while the per-resource concurrency allows. */
  void act() {
    while (active() < ctx.settings().maxActiveJobsPerResource()) {
      BatchStatus entry = nextSubmittable();
      if (entry == null) {
        return;
      }
      entry.setState(BatchState.Submitting);
      entry.setSubmittedAt(Rfc3339.format(now));
      entry.setNotBefore(null);
      entry.setMessage(null);
      entry.setJobId(null);
      ctx.hooks().at(Point.BEFORE_INTENT);
      write();
      ctx.hooks().at(Point.AFTER_INTENT);
      List<String> servers = plan.members(entry.getIndex(), entry.getMembers());
      if (coalescing()) {
        ctx.coalescer().enqueue(coalescerKey, ticket(entry), servers, client);
        continue;
      }
      String jobId;
      try {
        jobId = client.submit(spec.getAction(), servers);
      } catch (CloudException e) {
        if (!handleSubmitError(entry, servers, e)) {
          return;
        }
        continue;
      }
      ctx.hooks().at(Point.AFTER_POST);
      recordJobId(entry, servers, jobId, 1);
    }
  }

  /** The cloud accepted the call: record its job right away. */
  private void recordJobId(
      BatchStatus entry, List<String> servers, String jobId, int participants) {
    ctx.submitFailures().remove(key(entry));
    entry.setState(BatchState.Running);
    entry.setJobId(jobId);
    write();
    ctx.hooks().at(Point.AFTER_JOB_ID);
    ctx.events()
        .normal(
            resource,
            "BatchSubmitted",
            "batch "
                + entry.getIndex()
                + " attempt "
                + entry.getAttempt()
                + ": "
                + servers.size()
                + " server(s), job "
                + jobId
                + (participants > 1 ? " (one call shared by " + participants + " resources)" : ""));
  }

  /** Returns true when the loop may go on submitting. */
  private boolean handleSubmitError(BatchStatus entry, List<String> servers, CloudException e) {
    switch (e.errorClass()) {
      case AMBIGUOUS -> {
        entry.setMessage(
            "no answer to the action call ("
                + e.getMessage()
                + "); the servers' state will tell after "
                + ctx.settings().ambiguousGrace().toSeconds()
                + "s");
        write();
        ctx.events()
            .warning(
                resource,
                "SubmissionUnanswered",
                "batch " + entry.getIndex() + ": " + entry.getMessage());
        return false;
      }
      case RETRYABLE -> {
        int failures = ctx.submitFailures().merge(key(entry), 1, Integer::sum);
        Duration wait = e.retryAfter() != null ? e.retryAfter() : backoff(failures - 1);
        entry.setState(BatchState.Pending);
        entry.setSubmittedAt(null);
        entry.setNotBefore(Rfc3339.format(now.plus(wait)));
        entry.setMessage(
            "action call refused for now ("
                + describe(e)
                + "); retrying in "
                + wait.toSeconds()
                + "s");
        write();
        return false;
      }
      case SERVER_TERMINAL -> {
        Map<String, ServerDetails> known = ServerDirectory.lookup(client, servers);
        BitSet remaining = new BitSet();
        int unknown = 0;
        for (String id : servers) {
          if (known.containsKey(id.toLowerCase(Locale.ROOT))) {
            remaining.set(plan.offsetOf(entry.getIndex(), id));
          } else {
            fail(id, "BMS.0040", "The server does not exist.", entry.getAttempt());
            unknown++;
          }
        }
        if (unknown == 0) {
          return failWholeEntry(entry, servers, e);
        }
        ctx.events()
            .warning(
                resource,
                "UnknownServers",
                "batch "
                    + entry.getIndex()
                    + ": "
                    + unknown
                    + " server(s) do not exist (BMS.0040)"
                    + (remaining.isEmpty()
                        ? ""
                        : "; submitting the other " + remaining.cardinality()));
        if (remaining.isEmpty()) {
          finishEntry(entry, 0, unknown, unknown + " server(s) do not exist (BMS.0040)");
        } else {
          status.setFailed(nz(status.getFailed()) + unknown);
          ctx.metrics().servers("failed", unknown);
          entry.setState(BatchState.Pending);
          entry.setSubmittedAt(null);
          entry.setMembers(Members.encode(remaining, plan.rangeSize(entry.getIndex())));
          entry.setSize(remaining.cardinality());
          entry.setMessage(unknown + " server(s) do not exist (BMS.0040) and were left out");
        }
        write();
        return true;
      }
      case CREDENTIALS -> {
        entry.setState(BatchState.Pending);
        entry.setSubmittedAt(null);
        entry.setMessage("credentials refused: " + describe(e));
        throw e;
      }
      default -> {
        return failWholeEntry(entry, servers, e);
      }
    }
  }

  private boolean failWholeEntry(BatchStatus entry, List<String> servers, CloudException e) {
    servers.forEach(
        id ->
            fail(
                id,
                Optional.ofNullable(e.code()).orElse("HTTP_" + e.httpStatus()),
                e.getMessage(),
                entry.getAttempt()));
    finishEntry(entry, 0, servers.size(), "action call refused: " + describe(e));
    write();
    ctx.events()
        .warning(resource, "BatchRefused", "batch " + entry.getIndex() + ": " + entry.getMessage());
    return true;
  }

  private BatchStatus nextSubmittable() {
    Optional<BatchStatus> retry =
        status.getBatches().stream()
            .filter(b -> b.getState() == BatchState.Pending)
            .filter(b -> b.getNotBefore() == null || !now.isBefore(Rfc3339.parse(b.getNotBefore())))
            .min(
                Comparator.comparing(BatchStatus::getIndex).thenComparing(BatchStatus::getAttempt));
    if (retry.isPresent()) {
      return retry.get();
    }
    if (status.getBatches().stream().anyMatch(b -> b.getState() == BatchState.Pending)) {
      return null;
    }
    int next = nz(status.getNextBatch());
    if (next >= plan.batches()) {
      return null;
    }
    BatchStatus entry = new BatchStatus();
    entry.setIndex(next);
    entry.setAttempt(1);
    entry.setSize(plan.rangeSize(next));
    status.getBatches().add(entry);
    status.setNextBatch(next + 1);
    return entry;
  }

  // ---- dry run -------------------------------------------------------------------------------

  /** Checks every server exists and reports the plan; no action call. */
  void dryRun() {
    Map<String, ServerDetails> known = ServerDirectory.lookup(client, plan.servers());
    List<BatchStatus> shown = new ArrayList<>();
    for (int i = 0; i < Math.min(plan.batches(), DRY_RUN_ENTRIES_SHOWN); i++) {
      BatchStatus entry = new BatchStatus();
      entry.setIndex(i);
      entry.setAttempt(1);
      entry.setSize(plan.rangeSize(i));
      entry.setState(BatchState.Pending);
      entry.setMessage("dry run: not submitted");
      shown.add(entry);
    }
    status.setBatches(shown);
    int unknown = 0;
    for (String id : plan.servers()) {
      if (!known.containsKey(id.toLowerCase(Locale.ROOT))) {
        fail(id, "BMS.0040", "The server does not exist.", 0);
        unknown++;
      }
    }
    status.setFailed(unknown);
    status.setSucceeded(0);
  }

  // ---- helpers -------------------------------------------------------------------------------

  void fail(String id, String code, String reason, int attempts) {
    status.getFailureCounts().merge(code, 1, Integer::sum);
    String shortReason =
        reason == null || reason.length() <= 200 ? reason : reason.substring(0, 200) + "...";
    String common =
        status.getFailureReasons().putIfAbsent(code, shortReason == null ? "" : shortReason);
    String own = common == null || common.equals(shortReason) ? null : shortReason;
    if (status.getFailedServers().size() < BareMetalPowerActionStatus.MAX_FAILED_SERVERS) {
      status.getFailedServers().add(new FailedServer(id, code, own, attempts));
    } else {
      status.setFailedServersTruncated(true);
    }
  }

  int active() {
    return (int)
        status.getBatches().stream()
            .filter(
                b -> b.getState() == BatchState.Submitting || b.getState() == BatchState.Running)
            .count();
  }

  private void pruneFinished() {
    List<BatchStatus> finished =
        status.getBatches().stream().filter(b -> b.getState().isFinished()).toList();
    int excess = finished.size() - FINISHED_ENTRIES_KEPT;
    for (int i = 0; i < excess; i++) {
      status.getBatches().remove(finished.get(i));
    }
  }

  /**
   * Writes the status (optimistic lock); the working copy keeps its objects, takes the new version.
   */
  void write() {
    BareMetalPowerAction written = ctx.writer().apply(resource);
    resource.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
  }

  private Duration backoff(int attempt) {
    return new Backoff(ctx.settings().retryBackoffBase(), ctx.settings().retryBackoffCap())
        .delay(attempt);
  }

  private String key(BatchStatus entry) {
    return resource.getMetadata().getUid() + "/" + entry.getIndex() + "/" + entry.getAttempt();
  }

  private String name() {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }

  static String describe(CloudException e) {
    return (e.code() != null ? e.code() + ": " : "")
        + e.getMessage()
        + (e.httpStatus() > 0 ? " (HTTP " + e.httpStatus() + ")" : "");
  }

  static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
