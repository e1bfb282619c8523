package io.bmspower.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * `helm upgrade` does not add new CRDs: a cluster upgraded from a version without policies and
 * schedules has only the BareMetalPowerAction CRD. The operator must still start and act (as if
 * there were no policies; schedules off), not fail to start or fail every action.
 */
class UpgradeWithoutNewCrdsIT {

  @Test
  void theOperatorRunsActionsWhenThePolicyAndScheduleCrdsAreMissing() {
    try (var plane = LocalControlPlane.startEmpty();
        var sim = SimulatorFixture.start(o -> o.servers = 10);
        var h = new OperatorHarness(sim, plane.newClient())) {
      LocalControlPlane.installActionCrdOnly(h.client);
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create("after-upgrade", sim.simulator.inventory(), spec -> {});
      var done = h.awaitPhase("after-upgrade", Phase.Succeeded, Duration.ofSeconds(60));

      assertThat(done.getStatus().getSucceeded()).isEqualTo(10);
      assertThat(done.getStatus().getConditions())
          .anySatisfy(
              c -> {
                assertThat(c.getType()).isEqualTo("Permitted");
                assertThat(c.getReason()).isEqualTo("NoPolicy");
              });
    }
  }
}
