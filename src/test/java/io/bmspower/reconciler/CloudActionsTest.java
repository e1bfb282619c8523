package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.CloudAction;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CloudActionsTest {

  @Test
  void everyResourceActionMapsToTheCloudActionOfTheSameName() {
    assertThat(CloudActions.of(PowerAction.Stop)).isEqualTo(CloudAction.STOP);
    assertThat(CloudActions.of(PowerAction.Start)).isEqualTo(CloudAction.START);
    assertThat(CloudActions.of(PowerAction.Reboot)).isEqualTo(CloudAction.REBOOT);
    assertThat(Arrays.stream(PowerAction.values()).map(CloudActions::of))
        .containsExactlyInAnyOrder(CloudAction.values());
  }
}
