package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.BatchState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which batch of a {@link BatchLedger} goes next: a retry that is due first (lowest batch, then
 * attempt), else the next planned batch, unless a retry still waits. No I/O: starting a batch only
 * records it in the ledger's status.
 */
final class DueBatches {

  private final BatchLedger ledger;
  private final BareMetalPowerActionStatus status;
  private final BatchPlan plan;
  private final Instant now;

  DueBatches(BatchLedger ledger, BareMetalPowerActionStatus status, Instant now) {
    this.ledger = ledger;
    this.status = status;
    this.plan = ledger.plan();
    this.now = now;
  }

  /**
   * Records the intent for what is due now, up to {@code maxActive} active attempts: retries first,
   * then the next planned batch. The caller writes the status before anything is sent.
   */
  List<BatchAttempt> start(int maxActive, Holder holder) {
    List<BatchAttempt> started = new ArrayList<>();
    while (ledger.active() < maxActive) {
      BatchAttempt next = next();
      if (next == null) {
        break;
      }
      next.submitting(now, holder);
      started.add(next);
    }
    return started;
  }

  /** The size of the batch {@link #start} would start now; 0 if none. Changes nothing. */
  int size(int maxActive) {
    if (ledger.active() >= maxActive) {
      return 0;
    }
    Optional<BatchAttempt> retry = dueRetry();
    if (retry.isPresent()) {
      return retry.get().size();
    }
    int next = Tally.nz(status.getNextBatch());
    return waitingRetry() || next >= plan.batches() ? 0 : plan.rangeSize(next);
  }

  /** The servers of the batch {@link #start} would start now; empty if none. Changes nothing. */
  List<String> servers(int maxActive) {
    if (ledger.active() >= maxActive) {
      return List.of();
    }
    Optional<BatchAttempt> retry = dueRetry();
    if (retry.isPresent()) {
      return ledger.servers(retry.get());
    }
    int next = Tally.nz(status.getNextBatch());
    return waitingRetry() || next >= plan.batches() ? List.of() : plan.members(next, null);
  }

  private Optional<BatchAttempt> dueRetry() {
    return ledger.attempts().stream()
        .filter(a -> a.dueAt(now))
        .min(Comparator.comparingInt(BatchAttempt::index).thenComparingInt(BatchAttempt::attempt));
  }

  private boolean waitingRetry() {
    return ledger.attempts().stream().anyMatch(a -> a.is(BatchState.Pending));
  }

  private BatchAttempt next() {
    Optional<BatchAttempt> retry = dueRetry();
    if (retry.isPresent()) {
      return retry.get();
    }
    int next = Tally.nz(status.getNextBatch());
    if (waitingRetry() || next >= plan.batches()) {
      return null;
    }
    BatchAttempt first = BatchAttempt.planned(next, 1, plan.rangeSize(next), null, null);
    status.getBatches().add(first.entry());
    status.setNextBatch(next + 1);
    return first;
  }
}
