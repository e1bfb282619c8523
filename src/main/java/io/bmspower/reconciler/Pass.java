package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.RetrySpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One reconcile pass over a working copy of one resource: its ledger, status factory and reports,
 * and the side effects that may happen only once the status recording them is written.
 */
final class Pass {

  static final int DRY_RUN_ENTRIES_SHOWN = 20;

  private final BareMetalPowerAction resource;
  private final BareMetalPowerActionStatus before;
  private final Instant now;
  private final StatusFactory status;
  private final BatchLedger ledger;
  private final Reports reports = new Reports();
  private final List<Runnable> afterWrite = new ArrayList<>();
  private final boolean first;
  private boolean intents;
  private boolean budgetWait;

  Pass(BareMetalPowerAction resource, Instant now, BatchLedger.Backoff backoff) {
    this.resource = resource;
    if (resource.getStatus() == null) {
      resource.setStatus(new BareMetalPowerActionStatus());
    }
    BareMetalPowerActionStatus s = resource.getStatus();
    this.before = Serialization.clone(s);
    this.now = now;
    this.first = s.getStartTime() == null;
    if (first) {
      s.setPlanOrder(BatchPlan.CANONICAL);
    }
    long generation = Objects.requireNonNullElse(resource.getMetadata().getGeneration(), 1L);
    this.status = new StatusFactory(s, generation, now);
    BareMetalPowerActionSpec spec = resource.getSpec();
    int maxAttempts =
        spec.getRetry() == null || spec.getRetry().getMaxAttempts() == null
            ? RetrySpec.DEFAULT_MAX_ATTEMPTS
            : spec.getRetry().getMaxAttempts();
    this.ledger =
        new BatchLedger(
            s,
            BatchPlan.of(spec, s.getPlanOrder()),
            CloudActions.of(spec.getAction()),
            maxAttempts,
            now,
            backoff,
            reports);
  }

  BareMetalPowerAction resource() {
    return resource;
  }

  BareMetalPowerActionSpec spec() {
    return resource.getSpec();
  }

  BareMetalPowerActionStatus statusData() {
    return resource.getStatus();
  }

  String uid() {
    return resource.getMetadata().getUid();
  }

  String name() {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }

  Instant now() {
    return now;
  }

  StatusFactory status() {
    return status;
  }

  BatchLedger ledger() {
    return ledger;
  }

  Reports reports() {
    return reports;
  }

  boolean changed() {
    return !resource.getStatus().equals(before);
  }

  /** Runs once the status this pass computed is written. */
  void afterWrite(Runnable effect) {
    afterWrite.add(effect);
  }

  List<Runnable> effects() {
    return List.copyOf(afterWrite);
  }

  /** This pass records the intent of an action call: its write must precede the call. */
  void intentRecorded() {
    intents = true;
  }

  boolean recordsIntent() {
    return intents;
  }

  /** This pass was told to wait for a permit of the action budget: it stays in the fair queue. */
  void waitsForBudget() {
    budgetWait = true;
  }

  boolean waitingForBudget() {
    return budgetWait;
  }

  boolean dryRun() {
    return Boolean.TRUE.equals(spec().getDryRun());
  }

  boolean terminal() {
    Phase phase = resource.getStatus().getPhase();
    return phase != null && phase.isTerminal();
  }

  // ---- decisions ------------------------------------------------------------------------------

  /** The first pass: the plan is fixed and reported. */
  void acceptIfFirst() {
    if (!first) {
      ledger.count();
      return;
    }
    BatchPlan plan = ledger.plan();
    BareMetalPowerActionStatus s = resource.getStatus();
    s.setStartTime(Rfc3339.format(now));
    s.setNextBatch(0);
    ledger.count();
    int duplicates = spec().getServers().size() - plan.servers().size();
    String message =
        spec().getAction()
            + " of "
            + plan.servers().size()
            + " server(s) in "
            + plan.batches()
            + " batch(es) of up to "
            + plan.batchSize()
            + (duplicates > 0
                ? " (" + duplicates + " ID(s) named twice, in another letter case, counted once)"
                : "")
            + (Boolean.TRUE.equals(spec().getDryRun()) ? " (dry run)" : "");
    status.accepted(message);
    s.setPhase(Phase.Pending);
    reports.normal(Reason.ACCEPTED, message);
  }

  void permitted(String reason, String message) {
    status.permitted(reason, message);
  }

  /** Outside every grant of its namespace's policies: ends Failed before any action call. */
  void notPermitted(String message) {
    status.notPermitted(message);
    finish(Phase.Failed, Reason.NOT_PERMITTED, message);
  }

  boolean deadlinePassed() {
    Long seconds = spec().getActiveDeadlineSeconds();
    return seconds != null
        && !now.isBefore(Rfc3339.parse(resource.getStatus().getStartTime()).plusSeconds(seconds));
  }

  boolean suspended() {
    return Boolean.TRUE.equals(spec().getSuspend());
  }

  void finish(Phase phase, String reason, String message) {
    ledger.count();
    status.finished(phase, reason, message);
    if (phase == Phase.Succeeded) {
      reports.normal(reason, message);
    } else {
      reports.warning(reason, message);
    }
  }

  void deadlineExceeded() {
    ledger.count();
    finish(
        Phase.Failed,
        Reason.DEADLINE_EXCEEDED,
        "activeDeadlineSeconds ("
            + spec().getActiveDeadlineSeconds()
            + "s) passed with "
            + resource.getStatus().getProgress()
            + " servers done; jobs already submitted cannot be cancelled");
  }

  /** Reports the plan and the servers that do not exist; no action call. */
  void dryRunReport(java.util.Set<String> existing) {
    BareMetalPowerActionStatus s = resource.getStatus();
    BatchPlan plan = ledger.plan();
    List<io.bmspower.api.v1alpha1.BatchStatus> shown = new ArrayList<>();
    for (int i = 0; i < Math.min(plan.batches(), DRY_RUN_ENTRIES_SHOWN); i++) {
      BatchAttempt a = BatchAttempt.planned(i, 1, plan.rangeSize(i), null, null);
      a.entry().setMessage("dry run: not submitted");
      shown.add(a.entry());
    }
    s.setBatches(shown);
    int unknown = 0;
    for (String id : plan.servers()) {
      if (!existing.contains(id)) {
        ledger.fail(id, "BMS.0040", "The server does not exist.", 0);
        unknown++;
      }
    }
    s.setFailed(unknown);
    s.setSucceeded(0);
    ledger.count();
    boolean ok = unknown == 0;
    finish(
        ok ? Phase.Succeeded : Phase.Failed,
        ok ? Reason.DRY_RUN_SUCCEEDED : Reason.DRY_RUN_FOUND_UNKNOWN_SERVERS,
        "dry run: "
            + plan.servers().size()
            + " servers would go out in "
            + plan.batches()
            + " action call(s) of up to "
            + plan.batchSize()
            + "; credentials accepted"
            + (ok ? "; every server exists" : "; " + unknown + " server(s) do not exist"));
  }

  void waitingAfterDeadline() {
    ledger.count();
    status.inProgress(
        Reason.DEADLINE_EXCEEDED,
        "activeDeadlineSeconds passed: nothing new is submitted; waiting for "
            + ledger.active()
            + " submitted job(s) to end (the cloud cannot cancel them)",
        ledger.started());
  }

  /** Sums up: finished, suspended, or in progress (and, when so, what it waits for). */
  void summarize(String waitingFor) {
    new PassSummary(this).summarize(waitingFor);
  }
}
