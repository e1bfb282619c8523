package io.bmspower.reconciler;

import io.bmspower.cloud.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each running job is next due for a poll. The interval starts short, grows while a job shows
 * no change, and never drops below what keeps all polls of the operator inside the query budget. In
 * memory only: after a restart every job is simply due.
 */
final class JobPoller {

  private final Duration min;
  private final Duration max;
  private final int queriesPerMinute;
  private final Map<String, Schedule> schedules = new ConcurrentHashMap<>();

  private record Schedule(Instant due, int unchanged, String fingerprint) {}

  JobPoller(Duration min, Duration max, int queriesPerMinute) {
    this.min = min;
    this.max = max;
    this.queriesPerMinute = queriesPerMinute;
  }

  boolean due(String jobId, Instant now) {
    Schedule s = schedules.get(jobId);
    return s == null || !now.isBefore(s.due());
  }

  /** Records a poll's answer and schedules the next one. */
  void polled(String jobId, Job job, Instant now) {
    String fingerprint = fingerprint(job);
    Schedule previous = schedules.get(jobId);
    int unchanged =
        previous != null && previous.fingerprint().equals(fingerprint)
            ? previous.unchanged() + 1
            : 0;
    long millis = (long) (min.toMillis() * Math.pow(1.5, Math.min(unchanged, 20)));
    // All jobs in flight share the query budget: n jobs need n/budget minutes per round.
    long budgetFloor = schedules.size() * 60_000L / Math.max(1, queriesPerMinute);
    millis = Math.max(Math.min(millis, max.toMillis()), budgetFloor);
    schedules.put(jobId, new Schedule(now.plusMillis(millis), unchanged, fingerprint));
  }

  /** Retries a failed poll later without growing the interval. */
  void failed(String jobId, Instant now) {
    Schedule s = schedules.get(jobId);
    schedules.put(
        jobId,
        new Schedule(
            now.plus(min), s == null ? 0 : s.unchanged(), s == null ? "" : s.fingerprint()));
  }

  void forget(String jobId) {
    schedules.remove(jobId);
  }

  /** When the earliest of these jobs is due, or null. */
  Instant nextDue(Iterable<String> jobIds, Instant now) {
    Instant next = null;
    for (String id : jobIds) {
      Schedule s = schedules.get(id);
      Instant due = s == null ? now : s.due();
      next = next == null || due.isBefore(next) ? due : next;
    }
    return next;
  }

  int tracked() {
    return schedules.size();
  }

  private static String fingerprint(Job job) {
    long done = job.subJobs().stream().filter(s -> s.status().isFinished()).count();
    return job.status() + "/" + done;
  }
}
