package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.ServerDetails;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Open behaviour #12: the cloud's clock is minutes off the operator's. Whether a Reboot of unknown
 * outcome was taken is decided by the servers' {@code updated} against a baseline read from the
 * cloud before the intent (the cloud's clock on both sides), never against the operator's clock.
 */
class RebootRecoveryTest {

  @ParameterizedTest(name = "cloud clock offset {0} min")
  @ValueSource(ints = {-10, 0, 10})
  void aRebootWhoseAnswerWasDroppedIsCountedTakenWhateverTheCloudsClock(int offsetMinutes) {
    try (var f = new ReconcilerFixture(o -> o.clockOffset = Duration.ofMinutes(offsetMinutes))) {
      f.create("a", f.servers(0, 5), spec -> spec.setAction(PowerAction.Reboot));
      f.cloud.dropNextSubmitAnswer();

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(f.events.reasons("a"))
          .contains(Reason.SUBMISSION_UNANSWERED, Reason.SUBMISSION_RECOVERED);
    }
  }

  @ParameterizedTest(name = "cloud clock offset {0} min")
  @ValueSource(ints = {-10, 0, 10})
  void aRebootThatDidNotTakeIsSentAgainEvenRightAfterAnEarlierReboot(int offsetMinutes) {
    try (var f = new ReconcilerFixture(o -> o.clockOffset = Duration.ofMinutes(offsetMinutes))) {
      f.create("earlier", f.servers(0, 5), spec -> spec.setAction(PowerAction.Reboot));
      assertThat(f.runToEnd("earlier").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      f.clock.advance(Duration.ofMinutes(1));

      f.create("a", f.servers(0, 5), spec -> spec.setAction(PowerAction.Reboot));
      // A gateway timeout on a call the cloud never acted on: the outcome is unknown.
      f.cloud.failNextSubmit(
          new CloudException(
              504, "APIG.0203", "injected", "req-1", ErrorClass.AMBIGUOUS, null, null));

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions())
          .as("once by the earlier resource, once (after recovery) by this one")
          .hasSize(5)
          .allSatisfy((id, n) -> assertThat(n).isEqualTo(2));
    }
  }

  @Test
  void aFailedBaselineReadRecordsNoIntentAndThePassComesBack() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> spec.setAction(PowerAction.Reboot));
      f.cloud.throttleQueries(true);
      f.pass("a");

      var batches = f.api.get("a").getStatus().getBatches();
      assertThat(batches).noneMatch(b -> b.getState() == BatchState.Submitting);
      assertThat(f.cloud.submissions()).isEmpty();

      f.cloud.throttleQueries(false);
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void theIntentRecordsTheBaselineInTheCloudsClock() {
    try (var f = new ReconcilerFixture(o -> o.clockOffset = Duration.ofMinutes(-10))) {
      f.create("earlier", f.servers(0, 5), spec -> spec.setAction(PowerAction.Reboot));
      f.runToEnd("earlier");
      String latest =
          f.servers(0, 5).stream()
              .map(id -> Instant.parse(f.cloud.getServer(id).updated()))
              .max(Instant::compareTo)
              .orElseThrow()
              .toString();
      f.create("a", f.servers(0, 5), spec -> spec.setAction(PowerAction.Reboot));
      f.leading = false; // the intent is recorded, its call dropped unsent
      f.pass("a");

      var intent = f.api.get("a").getStatus().getBatches().get(0);
      assertThat(intent.getBaselineUpdated()).isEqualTo(latest);
    }
  }

  @Test
  void anIntentWithoutABaselineFallsBackToTheIntentsTime() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> spec.setAction(PowerAction.Reboot));
      var intentAt = f.clock.instant();
      f.edit(
          "a",
          r -> {
            var status = new BareMetalPowerActionStatus();
            status.setStartTime(Rfc3339.format(intentAt));
            status.setPlanOrder(BatchPlan.CANONICAL);
            status.setNextBatch(1);
            BatchStatus intent = BatchAttempt.planned(0, 1, 5, null, null).entry();
            new BatchAttempt(intent).submitting(intentAt, new Holder("old-version", null));
            status.getBatches().add(intent);
            r.setStatus(status);
            return r;
          });
      f.clock.set(intentAt.plus(ReconcilerFixture.UNKNOWN_INTENT_GRACE).plusSeconds(1));

      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void laterThanTheBaselineIsTakenTheSameSecondOrEarlierIsNot() {
    var since =
        new RebootBaseline(
            Instant.parse("2026-11-28T07:50:00Z"), Instant.parse("2026-11-28T08:00:00Z"));

    assertThat(since.updatedSince(updated("2026-11-28T07:50:01Z"))).isTrue();
    assertThat(since.updatedSince(updated("2026-11-28T07:50:00Z"))).isFalse();
    assertThat(since.updatedSince(updated("2026-11-28T07:49:59Z"))).isFalse();
    assertThat(since.updatedSince(updated(null))).isFalse();
    assertThat(since.updatedSince(updated("garbage"))).isFalse();
    var fallback = new RebootBaseline(null, Instant.parse("2026-11-28T08:00:00Z"));
    assertThat(fallback.updatedSince(updated("2026-11-28T07:59:59Z"))).isTrue();
    assertThat(fallback.updatedSince(updated("2026-11-28T07:59:58Z"))).isFalse();
  }

  private static ServerDetails updated(String time) {
    return new ServerDetails("id", "ACTIVE", null, null, 1, time);
  }
}
