package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.Job;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes the jobs of a resource's running batches (polled through the shared {@link JobTracker})
 * and the state of servers a job does not account for, and hands them to the ledger.
 */
final class JobObserver {

  private static final Logger LOG = LoggerFactory.getLogger(JobObserver.class);

  private final JobTracker jobs;
  private final ReconcileHooks hooks;

  /** How long after its call a job may stay unfindable or unreadable before its servers decide. */
  private final java.time.Duration lostAfter;

  JobObserver(JobTracker jobs, ReconcileHooks hooks, java.time.Duration lostAfter) {
    this.jobs = jobs;
    this.hooks = hooks;
    this.lostAfter = lostAfter;
  }

  /**
   * The cloud cannot find the job (404, or another 4xx such as 400 BMS.0018: #5), or it shows a
   * status nobody documented: once the job had time to show (the unanswered-call grace after its
   * call), the servers' state decides rather than polling for ever.
   */
  private boolean lost(BatchAttempt a, CloudException e, Instant now) {
    boolean unfindable =
        e.httpStatus() == 404
            || (e.httpStatus() >= 400
                && e.httpStatus() < 500
                && e.httpStatus() != 429
                && e.errorClass() != ErrorClass.RETRYABLE);
    return unfindable && !now.isBefore(a.submittedAt().plus(lostAfter));
  }

  /** Polls due jobs and folds finished ones. A refusal of the credentials is thrown. */
  void observe(BatchLedger ledger, BmsClient client, Instant now) {
    for (BatchAttempt a : ledger.in(BatchState.Running)) {
      Job job;
      try {
        job = jobs.poll(key(client, a.jobId()), now, () -> client.getJob(a.jobId()));
      } catch (CloudException e) {
        if (e.errorClass() == ErrorClass.CREDENTIALS) {
          throw e;
        }
        if (lost(a, e, now)) {
          LOG.atWarn()
              .setMessage("job is gone; reading its servers' state instead")
              .addKeyValue("jobId", a.jobId())
              .log();
          ledger.recovered(
              a,
              ServerDirectory.lookup(client, ledger.servers(a)),
              "job " + a.jobId() + " can no longer be queried");
          continue;
        }
        // A spent local budget is routine under load: not worth an INFO line per poll.
        (CloudException.LOCAL_BUDGET.equals(e.code()) ? LOG.atDebug() : LOG.atInfo())
            .setMessage("job poll failed; retried at the next poll")
            .addKeyValue("jobId", a.jobId())
            .addKeyValue("code", e.code())
            .log();
        continue;
      }
      if (job == null) {
        continue;
      }
      hooks.at(ReconcileHooks.Point.AFTER_POLL);
      if (job.status() == io.bmspower.cloud.JobStatus.UNKNOWN
          && !now.isBefore(a.submittedAt().plus(lostAfter.multipliedBy(4)))) {
        ledger.recovered(
            a,
            ServerDirectory.lookup(client, ledger.servers(a)),
            "job " + a.jobId() + " shows an unknown status");
        continue;
      }
      if (job.status().isFinished()) {
        List<String> unreported = ledger.unreported(a, job);
        Map<String, io.bmspower.cloud.ServerDetails> states =
            unreported.isEmpty() ? Map.of() : ServerDirectory.lookup(client, unreported);
        ledger.jobFinished(a, job, states);
      }
    }
  }

  /** When the job is next due for a poll. */
  Instant due(BmsClient client, String jobId, Instant now) {
    return jobs.due(key(client, jobId), now);
  }

  /** Job IDs are unique per cloud endpoint. */
  private static String key(BmsClient client, String jobId) {
    return client + "|" + jobId;
  }
}
