package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.CloudAction;

/** Maps the resource's action to the cloud's: the one place the two vocabularies meet. */
final class CloudActions {

  private CloudActions() {}

  static CloudAction of(PowerAction action) {
    return switch (action) {
      case Stop -> CloudAction.STOP;
      case Start -> CloudAction.START;
      case Reboot -> CloudAction.REBOOT;
    };
  }
}
