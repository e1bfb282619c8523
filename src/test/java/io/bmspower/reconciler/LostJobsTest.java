package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.simulator.SimulatorOptions;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Open behaviours #5 and #6: a job that cannot be found (404, or 400 with some code, or expired)
 * and a finished job without sub-jobs are judged from the servers' state, never polled forever and
 * never resubmitted blindly.
 */
class LostJobsTest {

  @ParameterizedTest(name = "not found answered {0}, sub-jobs {1}")
  @CsvSource({"404, complete", "400, complete", "400, missing", "400, empty", "404, partial"})
  void anExpiredJobIsJudgedFromTheServersState(int status, String subJobs) {
    try (var f =
        new ReconcilerFixture(
            o -> {
              o.jobNotFoundStatus = status;
              o.jobRetention = Duration.ofMillis(1);
              o.finishedJobSubJobs = SimulatorOptions.FinishedJobSubJobs.valueOf(subJobs);
            })) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.pass("a");
      f.pass("a");
      f.clock.advance(Duration.ofMinutes(2)); // the job ended and expired unseen

      var status1 = f.runToEnd("a").getStatus();

      assertThat(status1.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(status1.getSucceeded()).isEqualTo(5);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }
}
