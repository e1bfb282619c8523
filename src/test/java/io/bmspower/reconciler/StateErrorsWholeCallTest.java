package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.CloudAction;
import io.bmspower.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Open behaviour #1, reading (b): the whole action POST answers 400 BMS.0039 (already stopped),
 * BMS.0038 (already running) or BMS.0035-0037 (in transition), and no job. Each server is judged
 * from its state: those already in the target state are done, those in transition go again after a
 * backoff (bounded by maxAttempts), the rest are sent again without the done ones.
 */
class StateErrorsWholeCallTest {

  private static ReconcilerFixture fixture(int participants) {
    return new ReconcilerFixture(
        o -> {
          o.stateErrors = SimulatorOptions.StateErrors.whole_call;
          o.stopped = 3; // the last 3 of 50 servers are off
        },
        participants,
        participants > 1 ? Duration.ofMillis(300) : Duration.ZERO,
        3);
  }

  @ParameterizedTest(name = "merged={0}")
  @ValueSource(booleans = {false, true})
  void stoppingSomeStoppedServersStopsTheRunningOnes(boolean merged) {
    try (var f = fixture(merged ? 100 : 1)) {
      List<String> servers = new ArrayList<>(f.servers(0, 3)); // running
      servers.addAll(f.servers(47, 49)); // stopped
      f.create("a", servers, spec -> spec.setAction(PowerAction.Stop));
      if (merged) {
        f.create("b", f.servers(10, 12), spec -> spec.setAction(PowerAction.Stop));
        f.passNoWait("a");
        f.passNoWait("b");
        f.awaitIdle();
      }

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(status.getSucceeded()).isEqualTo(5);
      assertThat(status.getFailed()).isZero();
      assertThat(f.cloud.submissions().keySet())
          .containsExactlyInAnyOrderElementsOf(
              merged
                  ? List.of(
                      servers.get(0),
                      servers.get(1),
                      servers.get(2),
                      f.servers(10, 11).get(0),
                      f.servers(11, 12).get(0))
                  : servers.subList(0, 3));
      assertThat(f.cloud.submissions()).allSatisfy((id, n) -> assertThat(n).isOne());
      if (merged) {
        assertThat(f.runToEnd("b").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      }
    }
  }

  @Test
  void startingSomeRunningServersStartsTheStoppedOnes() {
    try (var f = fixture(1)) {
      List<String> servers = new ArrayList<>(f.servers(0, 2)); // running
      servers.addAll(f.servers(47, 50)); // stopped
      f.create("a", servers, spec -> spec.setAction(PowerAction.Start));

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(status.getSucceeded()).isEqualTo(5);
      assertThat(f.cloud.submissions().keySet())
          .containsExactlyInAnyOrderElementsOf(f.servers(47, 50));
      assertThat(f.cloud.submissions()).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void aServerInTransitionGoesAgainAfterItSettles() {
    try (var f = fixture(1)) {
      // Someone else stops server 0; ours stops 0..3 while 0 is powering off.
      f.cloud.submit(CloudAction.STOP, f.servers(0, 1));
      f.clock.advance(Duration.ofSeconds(2));
      f.create("a", f.servers(0, 4), spec -> spec.setAction(PowerAction.Stop));

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(status.getSucceeded()).isEqualTo(4);
      assertThat(f.cloud.submissions()).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(f.events.reasons("a")).contains(Reason.SUBMISSION_RECOVERED);
    }
  }

  @Test
  void aServerStuckInTransitionFailsAfterMaxAttempts() {
    try (var f =
        new ReconcilerFixture(
            o -> {
              o.stateErrors = SimulatorOptions.StateErrors.whole_call;
              o.jobDuration = Duration.ofHours(2); // server 0 stays powering off
            })) {
      f.cloud.submit(CloudAction.STOP, f.servers(0, 1)); // someone else's
      f.clock.advance(Duration.ofSeconds(2));
      f.create("a", f.servers(0, 3), spec -> spec.setAction(PowerAction.Reboot));

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.PartiallySucceeded);
      assertThat(status.getSucceeded()).isEqualTo(2);
      assertThat(status.getFailed()).isEqualTo(1);
      assertThat(status.getFailedServers().get(0).getCode()).isEqualTo("BMS.0036");
      assertThat(f.cloud.submissions()).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }
}
