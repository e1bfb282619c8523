package io.bmspower.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import org.junit.jupiter.api.Test;

class RolloutLimitsTest {

  @Test
  void aCountAPercentRoundedDownAndAlwaysAtLeastOne() {
    assertThat(RolloutLimits.maxUnavailable(null, 30)).isEqualTo(1);
    assertThat(RolloutLimits.maxUnavailable(new IntOrString(5), 30)).isEqualTo(5);
    assertThat(RolloutLimits.maxUnavailable(new IntOrString(0), 30)).isEqualTo(1);
    assertThat(RolloutLimits.maxUnavailable(new IntOrString("20%"), 30)).isEqualTo(6);
    assertThat(RolloutLimits.maxUnavailable(new IntOrString("10%"), 9)).isEqualTo(1);
    assertThat(RolloutLimits.maxUnavailable(new IntOrString("7"), 30)).isEqualTo(7);
  }

  @Test
  void anUnreadableValueIsNamed() {
    assertThat(RolloutLimits.problem(new IntOrString("20%"))).isNull();
    assertThat(RolloutLimits.problem(new IntOrString("a lot")))
        .isEqualTo("nodes.maxUnavailable 'a lot' is neither a count nor a percentage like 20%");
  }
}
