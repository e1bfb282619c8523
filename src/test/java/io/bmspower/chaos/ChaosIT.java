package io.bmspower.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code make chaos} in small, through the same {@link ChaosRun}: the operator jar SIGKILLed three
 * times while a few hundred servers over twelve resources are worked, default readings. Needs
 * {@code target/bms-power-operator.jar} ({@code package} runs before the integration tests).
 */
class ChaosIT {

  @Test
  void threeKillsLoseNothingAndSubmitNothingTwice() throws Exception {
    ChaosRun.Config base = new ChaosRun.Config();
    base.seed = 3;
    base.kills = 3;
    base.servers = 300;
    base.resources = 12;
    base.runTimeout = Duration.ofMinutes(4);
    ChaosRun.Config config = base.with("it-default", java.util.List.of());

    ChaosRun.Result result = new ChaosRun(config).runWithin(config.runTimeout);

    System.out.println(result.line());
    assertThat(result.aborted()).as(result.line()).isNull();
    assertThat(result.kills()).as(result.line()).isEqualTo(3);
    assertThat(result.twice()).as(result.line()).isZero();
    assertThat(result.lost()).as(result.line()).isZero();
    assertThat(result.wrong()).as(result.line()).isZero();
    assertThat(result.notConverged()).as(result.line()).isZero();
    assertThat(result.passed()).as(result.line()).isTrue();
  }
}
