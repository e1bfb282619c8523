package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** End to end: the operator in-process, a real API server, the simulator over HTTP. */
class PowerActionIT {

  @Test
  void stopsTwentyFiveHundredServersInExactlyThreeActionCalls() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 3000;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = sim.simulator.inventory().subList(0, 2500);

      h.create("stop-2500", servers, spec -> {});
      var done = h.awaitPhase("stop-2500", Phase.Succeeded, Duration.ofSeconds(60));

      var status = done.getStatus();
      assertThat(status.getProgress()).isEqualTo("2500/2500");
      assertThat(status.getSucceeded()).isEqualTo(2500);
      assertThat(status.getFailed()).isZero();
      assertThat(status.getBatches())
          .hasSize(3)
          .allSatisfy(
              b -> {
                assertThat(b.getState()).isEqualTo(BatchState.Succeeded);
                assertThat(b.getJobId()).isNotBlank();
              });
      assertThat(status.getBatches())
          .extracting(BatchStatus::getSize)
          .containsExactly(1000, 1000, 500);
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(3);
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(status.getConditions())
          .extracting("type", "status")
          .contains(
              org.assertj.core.groups.Tuple.tuple("Complete", "True"),
              org.assertj.core.groups.Tuple.tuple("Failed", "False"));
      assertThat(h.events("stop-2500"))
          .extracting(e -> e.getReason())
          .contains("Accepted", "BatchSubmitted", "AllServersDone");
    }
  }
}
