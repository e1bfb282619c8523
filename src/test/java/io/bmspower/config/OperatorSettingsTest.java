package io.bmspower.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void flagsWinOverEnvironmentVariables() {
    var s =
        OperatorSettings.parse(
            new String[] {"--actions-per-minute", "30", "--namespaces=a,b"},
            Map.of(
                "BMS_ACTIONS_PER_MINUTE",
                "20",
                "BMS_POLL_INTERVAL_MAX",
                "1m",
                "POD_NAMESPACE",
                "ops"));

    assertThat(s.actionsPerMinute).isEqualTo(30);
    assertThat(s.namespaces).containsExactlyInAnyOrder("a", "b");
    assertThat(s.pollIntervalMax).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.leaseNamespace).isEqualTo("ops");
  }

  @Test
  void everyBadValueIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                OperatorSettings.parse(
                    new String[] {
                      "--actions-per-minute", "0", "--poll-interval-min", "soon", "--nope", "x"
                    },
                    Map.of("BMS_DEFAULT_ENDPOINT", "bms.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "--actions-per-minute: invalid value '0' (expected N: must be at least 1)")
        .hasMessageContaining(
            "--poll-interval-min: invalid value 'soon' (expected DURATION: a duration like 500ms, 5s, 2m or 1h)")
        .hasMessageContaining("unknown option --nope")
        .hasMessageContaining("BMS_DEFAULT_ENDPOINT: invalid value 'bms.example.com'");
  }

  @Test
  void leaderElectionNeedsANamespace() {
    assertThatThrownBy(
            () -> OperatorSettings.parse(new String[] {"--leader-election", "true"}, Map.of()))
        .hasMessageContaining("leader election needs a Lease namespace");
  }

  @Test
  void anIntentMayNotExpireWhileItWaitsToBeMergedAndLeaseTimingsMustNest() {
    assertThatThrownBy(
            () ->
                OperatorSettings.parse(
                    new String[] {
                      "--batch-max-wait",
                      "30s",
                      "--max-intent-age",
                      "20s",
                      "--lease-renew-deadline",
                      "20s"
                    },
                    Map.of()))
        .hasMessageContaining("max-intent-age (PT20S) must exceed batch-max-wait (PT30S)")
        .hasMessageContaining("lease-retry-period < lease-renew-deadline < lease-duration");
  }

  @Test
  void theIdentityIsThePodName() {
    var s = OperatorSettings.parse(new String[] {}, Map.of("POD_NAME", "bpo-7d9f-x2"));

    assertThat(s.identity).isEqualTo("bpo-7d9f-x2");
    assertThat(s.maxIntentAge).isEqualTo(Duration.ofSeconds(60));
  }
}
