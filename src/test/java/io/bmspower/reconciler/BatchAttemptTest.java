package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bmspower.api.v1alpha1.BatchState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BatchAttemptTest {

  private static final Instant NOW = Instant.parse("2026-11-28T08:00:00Z");

  @Test
  void theLifeOfAnAttempt() {
    BatchAttempt a = BatchAttempt.planned(0, 1, 10, null, null);
    assertThat(a.dueAt(NOW)).isTrue();

    a.submitting(NOW, new Holder("me", null));
    assertThat(a.awaitingOutcome()).isTrue();
    a.running("job-1", null);
    assertThat(a.active()).isTrue();
    a.finished(8, 1, 1, NOW.plusSeconds(30), "1 to retry");

    assertThat(a.state()).isEqualTo(BatchState.PartiallySucceeded);
    assertThat(a.entry().getRetrying()).isOne();
    assertThat(a.entry().getFinishedAt()).isEqualTo("2026-11-28T08:00:30Z");
  }

  @Test
  void aCallProvablyNotMadeGoesBackToPendingWithItsWait() {
    BatchAttempt a = BatchAttempt.planned(2, 1, 10, null, null);
    a.submitting(NOW, new Holder("me", null));
    a.pending(NOW.plusSeconds(60), "throttled");

    assertThat(a.state()).isEqualTo(BatchState.Pending);
    assertThat(a.entry().getSubmittedAt()).isNull();
    assertThat(a.dueAt(NOW)).isFalse();
    assertThat(a.dueAt(NOW.plusSeconds(60))).isTrue();
  }

  @Test
  void allFailedIsFailedAndAllDoneIsSucceeded() {
    BatchAttempt failed = BatchAttempt.planned(0, 1, 3, null, null);
    failed.submitting(NOW, new Holder("me", null));
    failed.finished(0, 3, 0, NOW, null);
    BatchAttempt done = BatchAttempt.planned(0, 1, 3, null, null);
    done.submitting(NOW, new Holder("me", null));
    done.running("j", null);
    done.finished(3, 0, 0, NOW, null);

    assertThat(failed.state()).isEqualTo(BatchState.Failed);
    assertThat(done.state()).isEqualTo(BatchState.Succeeded);
  }

  @Test
  void illegalTransitionsAreBugsAndThrow() {
    BatchAttempt pending = BatchAttempt.planned(0, 1, 3, null, null);
    assertThatThrownBy(() -> pending.running("job", null))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> pending.finished(3, 0, 0, NOW, null))
        .isInstanceOf(IllegalStateException.class);
    BatchAttempt running = BatchAttempt.planned(0, 1, 3, null, null);
    running.submitting(NOW, new Holder("me", null));
    running.running("job", null);
    assertThatThrownBy(() -> running.submitting(NOW, new Holder("me", null)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> running.pending(null, "x")).isInstanceOf(IllegalStateException.class);
  }
}
