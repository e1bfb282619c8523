package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.cloud.Job;
import io.bmspower.cloud.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JobTrackerTest {

  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private static Job job(JobStatus status) {
    return new Job("j", status, "baremetalBatchOperate", List.of(), null, null, null, null);
  }

  @Test
  void manyResourcesOnOneJobCostOnePollPerInterval() {
    var tracker = new JobTracker(Duration.ofSeconds(2), Duration.ofSeconds(30), 1600);
    AtomicInteger polls = new AtomicInteger();

    for (int resource = 0; resource < 100; resource++) {
      assertThat(
              tracker
                  .poll(
                      "j",
                      T0,
                      () -> {
                        polls.incrementAndGet();
                        return job(JobStatus.RUNNING);
                      })
                  .status())
          .isEqualTo(JobStatus.RUNNING);
    }
    tracker.poll(
        "j",
        T0.plusSeconds(2),
        () -> {
          polls.incrementAndGet();
          return job(JobStatus.SUCCESS);
        });
    Job cached =
        tracker.poll(
            "j",
            T0.plusSeconds(3),
            () -> {
              polls.incrementAndGet();
              return job(JobStatus.RUNNING);
            });

    assertThat(polls).hasValue(2);
    assertThat(cached.status()).isEqualTo(JobStatus.SUCCESS);
  }

  @Test
  void theIntervalGrowsWhileNothingChangesAndStaysInsideTheBudget() {
    var tracker = new JobTracker(Duration.ofSeconds(2), Duration.ofSeconds(30), 1600);
    Instant now = T0;
    for (int i = 0; i < 10; i++) {
      tracker.poll("j", now, () -> job(JobStatus.RUNNING));
      now = tracker.due("j", now);
    }
    assertThat(Duration.between(T0, now)).isGreaterThan(Duration.ofSeconds(60));

    var busy = new JobTracker(Duration.ofSeconds(2), Duration.ofSeconds(30), 60);
    for (int j = 0; j < 120; j++) {
      busy.poll("job-" + j, T0, () -> job(JobStatus.RUNNING));
    }
    // 120 jobs at 60 queries a minute: each job at most every 2 minutes.
    assertThat(Duration.between(T0, busy.due("job-119", T0)))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(119));
  }
}
