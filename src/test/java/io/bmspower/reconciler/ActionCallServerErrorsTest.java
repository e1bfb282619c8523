package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.simulator.SimulatorOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Open behaviour #3: the cloud creates the job, then a 5xx (500, 502 APIG.0202, 504 APIG.0203)
 * answers the action call. The operator recovers the outcome from the servers' state and never
 * submits a server twice.
 */
class ActionCallServerErrorsTest {

  @ParameterizedTest
  @EnumSource(PowerAction.class)
  void aServerErrorAfterTheJobWasCreatedIsNotRetriedBlindly(PowerAction action) {
    try (var f =
        new ReconcilerFixture(
            o -> {
              o.post5xx = SimulatorOptions.PostServerErrors.after_accept;
              o.post5xxRate = 1.0;
              o.stopped = action == PowerAction.Start ? o.servers : 0;
            })) {
      f.create("a", f.servers(0, 5), spec -> spec.setAction(action));
      f.pass("a");
      f.pass("a");
      f.clock.advance(ReconcilerFixture.SENT_CALL_GRACE.plusSeconds(1));

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(f.cloud.actionCalls()).as("calls that created a job").isOne();
      assertThat(f.cloud.requests()).doesNotContainKey("submit 200");
      assertThat(f.events.reasons("a"))
          .contains(Reason.SUBMISSION_UNANSWERED, Reason.SUBMISSION_RECOVERED);
    }
  }
}
