package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.FailedServer;

/**
 * The status's counters and failed servers: small at any size (100 failed servers listed, a count
 * and one reason per error code for all of them).
 */
final class Tally {

  private final BareMetalPowerActionStatus status;

  Tally(BareMetalPowerActionStatus status) {
    this.status = status;
  }

  void add(int succeeded, int failed) {
    status.setSucceeded(nz(status.getSucceeded()) + succeeded);
    status.setFailed(nz(status.getFailed()) + failed);
  }

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

  /** Totals and progress, from the counters and the servers in active attempts. */
  void count(BatchPlan plan, int inProgress) {
    int total = plan.servers().size();
    int done = nz(status.getSucceeded()) + nz(status.getFailed());
    status.setTotal(total);
    status.setPlannedBatches(plan.batches());
    status.setNextBatch(nz(status.getNextBatch()));
    status.setInProgress(inProgress);
    status.setPending(Math.max(0, total - done - inProgress));
    status.setProgress(done + "/" + total);
    status.setSucceeded(nz(status.getSucceeded()));
    status.setFailed(nz(status.getFailed()));
  }

  static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
