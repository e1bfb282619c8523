package io.bmspower.reconciler;

import io.bmspower.cloud.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Every cloud job the operator follows, shared by all resources that reference it: each job is
 * polled at most once per interval, whoever asks, and its last answer is served to the others. The
 * interval starts short, grows while a job shows no change, and never drops below what keeps all
 * polls inside the query budget. In memory only: after a restart every job is simply due.
 */
final class JobTracker {

  /** How long a finished job's answer stays for resources that have not folded it yet. */
  static final Duration FINISHED_TTL = Duration.ofMinutes(10);

  private final Duration min;
  private final Duration max;
  private final int queriesPerMinute;
  private final Map<String, Tracked> jobs = new ConcurrentHashMap<>();

  private static final class Tracked {
    Job last;
    Instant due;
    int unchanged;
    String fingerprint = "";
    Instant finishedAt;
  }

  JobTracker(Duration min, Duration max, int queriesPerMinute) {
    this.min = min;
    this.max = max;
    this.queriesPerMinute = queriesPerMinute;
  }

  /**
   * The job's freshest answer: polled through {@code fetch} when due (one caller at a time per
   * job), else the last answer; null when not due and never answered. {@code fetch} may throw.
   */
  Job poll(String key, Instant now, Supplier<Job> fetch) {
    Tracked t = jobs.computeIfAbsent(key, k -> new Tracked());
    synchronized (t) {
      if (t.last != null && (t.last.status().isFinished() || now.isBefore(t.due))) {
        return t.last;
      }
      if (t.due != null && now.isBefore(t.due)) {
        return null;
      }
      Job job;
      try {
        job = fetch.get();
      } catch (RuntimeException e) {
        t.due = now.plus(min);
        throw e;
      }
      String fingerprint =
          job.status() + "/" + job.subJobs().stream().filter(s -> s.status().isFinished()).count();
      t.unchanged = fingerprint.equals(t.fingerprint) ? t.unchanged + 1 : 0;
      t.fingerprint = fingerprint;
      t.last = job;
      long millis = (long) (min.toMillis() * Math.pow(1.5, Math.min(t.unchanged, 20)));
      // All unfinished jobs share the query budget: n jobs need n/budget minutes per round.
      long budgetFloor = inFlight() * 60_000L / Math.max(1, queriesPerMinute);
      t.due = now.plusMillis(Math.max(Math.min(millis, max.toMillis()), budgetFloor));
      if (job.status().isFinished()) {
        t.finishedAt = now;
      }
      evictOld(now);
      return job;
    }
  }

  /** When this job is next due, or now. */
  Instant due(String key, Instant now) {
    Tracked t = jobs.get(key);
    return t == null || t.due == null ? now : t.due;
  }

  /** Jobs being polled (not yet finished). */
  int inFlight() {
    return (int)
        jobs.values().stream().filter(t -> t.last == null || !t.last.status().isFinished()).count();
  }

  private void evictOld(Instant now) {
    jobs.values()
        .removeIf(t -> t.finishedAt != null && now.isAfter(t.finishedAt.plus(FINISHED_TTL)));
  }
}
