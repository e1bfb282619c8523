package io.bmspower.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudClientSettings;
import io.bmspower.cloud.HttpBmsClient;
import io.bmspower.testing.MutableClock;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BmsSimulator#serverStatus}: the status the API shows, as power actions move it. */
class SimulatorServerStatusTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

  @Test
  void followsTheApiThroughStopRebootAndStart() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.servers = 3;
              o.jobDuration = Duration.ofSeconds(10);
            },
            clock)) {
      HttpBmsClient cloud = sim.client(sim.akSk(), CloudClientSettings.defaults(), clock);
      String a = sim.simulator.inventory().get(0);
      String b = sim.simulator.inventory().get(1);

      cloud.submit(CloudAction.STOP, List.of(a));
      cloud.submit(CloudAction.REBOOT, List.of(b));
      clock.advance(Duration.ofSeconds(5));
      assertThat(sim.simulator.serverStatus(a)).isEqualTo("ACTIVE");
      assertThat(sim.simulator.serverStatus(b)).isEqualTo("HARD_REBOOT");
      assertThat(cloud.getServer(b).status()).isEqualTo("HARD_REBOOT");

      clock.advance(Duration.ofSeconds(6));
      assertThat(sim.simulator.serverStatus(a)).isEqualTo("SHUTOFF");
      assertThat(cloud.getServer(a).status()).isEqualTo("SHUTOFF");
      assertThat(sim.simulator.serverStatus(b)).isEqualTo("ACTIVE");

      // A client of its own: one client's action budget allows two calls in a burst.
      sim.client(sim.akSk(), CloudClientSettings.defaults(), clock)
          .submit(CloudAction.START, List.of(a));
      clock.advance(Duration.ofSeconds(11));
      assertThat(sim.simulator.serverStatus(a)).isEqualTo("ACTIVE");
      assertThat(sim.simulator.serverStatus("0f0e0d0c-0b0a-4908-8706-050403020100")).isNull();
    }
  }
}
