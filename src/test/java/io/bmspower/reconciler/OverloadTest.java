package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.simulator.SimulatorOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Open behaviour #10 (BMS.0212 system overloaded, on the POST or in a sub-job) is retried with
 * backoff and bounded; #7 an AK locked after failed signatures is not pinned on the Secret.
 */
class OverloadTest {

  @ParameterizedTest
  @EnumSource(
      value = SimulatorOptions.Overload.class,
      names = {"post", "subjob"})
  void aLastingOverloadFailsTheServersAfterMaxAttempts(SimulatorOptions.Overload where) {
    try (var f =
        new ReconcilerFixture(
            o -> {
              o.overload = where;
              o.overloadRate = 1.0;
            })) {
      f.create("a", f.servers(0, 3), spec -> {});

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Failed);
      assertThat(status.getFailed()).isEqualTo(3);
      assertThat(status.getFailedServers())
          .allSatisfy(s -> assertThat(s.getCode()).isEqualTo("BMS.0212"));
      assertThat(f.cloud.submissions().values())
          .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3));
    }
  }

  @Test
  void anEndpointThatCannotBeReachedIsWaitedOutNotChargedToTheBatch() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 3), spec -> {});
      // More refusals than retry.maxAttempts (3), none of which reached the cloud.
      for (int i = 0; i < 5; i++) {
        f.cloud.failNextSubmit(
            CloudException.network("submit", false, new java.net.ConnectException("refused")));
        f.passNoWait("a");
        f.awaitIdle();
        f.pass("a");
        assertThat(f.api.get("a").getStatus().getPhase()).isNotEqualTo(Phase.Failed);
        f.clock.advance(Duration.ofMinutes(2));
      }

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(3).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void aLockedAkIsNotPinnedOnTheSecret() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 3), spec -> {});
      f.cloud.failNextSubmit(
          new CloudException(
              401,
              "APIG.0301",
              "Incorrect IAM authentication information: AK access failed to reach the"
                  + " limit,forbidden.",
              null,
              ErrorClass.CREDENTIALS,
              null,
              null));

      var status = f.runToEnd("a").getStatus(); // the Secret never changes

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(3).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }
}
