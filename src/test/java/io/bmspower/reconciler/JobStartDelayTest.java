package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Open behaviour #4: the job sits in INIT with empty sub-jobs and its servers show nothing for a
 * while, then its sub-jobs start one after another. A call whose answer was lost is judged from the
 * servers' state {@code cloud-request-timeout + ambiguous-grace} after it was made (the operator's
 * defaults, 30 + 20 s): a 20-second start delay must not make it resubmit.
 */
class JobStartDelayTest {

  @ParameterizedTest
  @EnumSource(PowerAction.class)
  void aJobThatShowsLateIsNotResubmittedAtTheDefaultGrace(PowerAction action) {
    assertThat(ReconcilerFixture.REQUEST_TIMEOUT).as("the default").hasSeconds(30);
    assertThat(ReconcilerFixture.GRACE).as("the default").hasSeconds(20);
    try (var f =
        new ReconcilerFixture(
            o -> {
              o.jobStartDelay = Duration.ofSeconds(20);
              o.stopped = action == PowerAction.Start ? o.servers : 0;
            })) {
      f.create("a", f.servers(0, 5), spec -> spec.setAction(action));
      f.cloud.dropNextSubmitAnswer();

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(f.events.reasons("a")).contains(Reason.SUBMISSION_RECOVERED);
    }
  }
}
