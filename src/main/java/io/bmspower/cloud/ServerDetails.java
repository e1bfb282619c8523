package io.bmspower.cloud;

import java.util.Locale;

/** The power-related fields of a server's details. */
public record ServerDetails(
    String id,
    String status,
    String taskState,
    String vmState,
    Integer powerState,
    String updated) {

  /** A power transition (powering-off, powering-on, reboot*) is under way. */
  public boolean isTransitioning() {
    return taskState != null && !taskState.isBlank();
  }

  /** Off and settled: SHUTOFF or vm_state stopped/shutoff or power_state 4, with no task. */
  public boolean isOff() {
    if (isTransitioning()) {
      return false;
    }
    String vm = vmState == null ? "" : vmState.toLowerCase(Locale.ROOT);
    return "SHUTOFF".equalsIgnoreCase(status)
        || vm.equals("stopped")
        || vm.equals("shutoff")
        || Integer.valueOf(4).equals(powerState);
  }

  /** Running and settled: ACTIVE with vm_state active (or power_state 1) and no task. */
  public boolean isOn() {
    return !isTransitioning()
        && "ACTIVE".equalsIgnoreCase(status)
        && ("active".equalsIgnoreCase(vmState) || Integer.valueOf(1).equals(powerState));
  }
}
