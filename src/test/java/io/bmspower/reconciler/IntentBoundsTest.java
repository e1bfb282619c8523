package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.Phase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What keeps two operator instances (an upgrade's overlap, a paused or cut-off leader) from acting
 * twice: a call is never started later than a bound after its intent, never without the Lease, and
 * an intent no live process knows is recovered only after that bound.
 */
class IntentBoundsTest {

  @Test
  void aCallIsNeverStartedLongAfterItsIntentAndIsRecordedAfreshInstead() {
    try (var f = new ReconcilerFixture(o -> {}, 100, Duration.ofMillis(500), 3)) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.passNoWait("a");
      f.clock.advance(ReconcilerFixture.MAX_INTENT_AGE.plusSeconds(1));
      f.awaitIdle();
      assertThat(f.cloud.submissions()).as("an expired request is dropped unsent").isEmpty();

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void withoutTheLeaseNothingIsSent() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.leading = false;
      f.create("a", f.servers(0, 5), spec -> {});
      f.pass("a");
      f.pass("a");

      assertThat(f.cloud.submissions()).isEmpty();
      assertThat(f.api.get("a").getStatus().getBatches().get(0).getState())
          .isEqualTo(BatchState.Submitting);

      f.leading = true;
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void anotherInstancesIntentIsRecoveredOnlyOnceItsCallCannotStillBeUnderWay() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> {});
      var intentAt = f.clock.instant();
      f.edit("a", r -> withIntentOf(r, intentAt, new Holder("operator-1", null)));

      f.clock.advance(ReconcilerFixture.GRACE.plusSeconds(1));
      var early = f.pass("a");
      assertThat(f.api.get("a").getStatus().getBatches().get(0).getState())
          .as("past the grace of a known call, but not past the intent's bound")
          .isEqualTo(BatchState.Submitting);
      assertThat(early.getScheduleDelay())
          .hasValueSatisfying(
              d ->
                  assertThat(Duration.ofMillis(d))
                      .isLessThanOrEqualTo(ReconcilerFixture.UNKNOWN_INTENT_GRACE));

      f.clock.set(intentAt.plus(ReconcilerFixture.UNKNOWN_INTENT_GRACE).plusSeconds(1));
      f.pass("a");

      assertThat(f.events.all)
          .anySatisfy(e -> assertThat(e.message()).contains("intent of operator-1"));
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void noIntentIsRecordedBeforeTheActionBudgetHasAPermitForItsCall() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.cloud.actionBudgetFreesIn(Duration.ofSeconds(7));
      f.create("a", f.servers(0, 5), spec -> {});
      var control = f.pass("a");

      assertThat(f.api.get("a").getStatus().getBatches())
          .as("no intent while the budget has no permit")
          .noneMatch(b -> b.getState() == BatchState.Submitting);
      assertThat(control.getScheduleDelay()).hasValue(7_000L);
      assertThat(f.cloud.submissions()).isEmpty();

      f.cloud.actionBudgetFreesIn(Duration.ZERO);
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void intentsRecordTheirHolderAndTerm() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.epoch = 4L;
      f.create("a", f.servers(0, 5), spec -> {});
      f.passNoWait("a");

      var intent = f.api.get("a").getStatus().getBatches().get(0);
      assertThat(intent.getState()).isEqualTo(BatchState.Submitting);
      assertThat(intent.getHolder()).isEqualTo(ReconcilerFixture.IDENTITY);
      assertThat(intent.getHolderEpoch()).isEqualTo(4L);
    }
  }

  @Test
  void anotherHoldersIntentIsRecoveredOnlyTheBoundAfterThisInstanceTookTheLease() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> {});
      var intentAt = f.clock.instant();
      f.edit("a", r -> withIntentOf(r, intentAt, new Holder("old-leader", 2L)));
      // This instance took the Lease (term 3) long after the intent was recorded.
      f.clock.advance(ReconcilerFixture.UNKNOWN_INTENT_GRACE.multipliedBy(2));
      f.epoch = 3L;
      f.leadingSince = f.clock.instant();

      f.clock.advance(ReconcilerFixture.UNKNOWN_INTENT_GRACE.minusSeconds(1));
      f.pass("a");
      assertThat(f.api.get("a").getStatus().getBatches().get(0).getState())
          .as("the intent is old, but the bound counts from when this instance took the Lease")
          .isEqualTo(BatchState.Submitting);

      f.clock.advance(Duration.ofSeconds(2));
      f.pass("a");
      assertThat(f.events.all)
          .anySatisfy(e -> assertThat(e.message()).contains("intent of old-leader (Lease term 2)"));
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  private static io.bmspower.api.v1alpha1.BareMetalPowerAction withIntentOf(
      io.bmspower.api.v1alpha1.BareMetalPowerAction r, java.time.Instant at, Holder holder) {
    var status = new BareMetalPowerActionStatus();
    status.setStartTime(Rfc3339.format(at));
    status.setPlanOrder(BatchPlan.CANONICAL);
    status.setNextBatch(1);
    BatchStatus intent = BatchAttempt.planned(0, 1, 5, null, null).entry();
    new BatchAttempt(intent).submitting(at, holder);
    status.getBatches().add(intent);
    r.setStatus(status);
    return r;
  }
}
