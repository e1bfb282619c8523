package io.bmspower.cloud;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The power-related fields of a server's details, with its name and its tags ({@code
 * __type_baremetal}, {@code key=value}, ...: never null, empty when the answer had none).
 */
public record ServerDetails(
    String id,
    String status,
    String taskState,
    String vmState,
    Integer powerState,
    String updated,
    String name,
    List<String> tags) {

  public ServerDetails {
    tags = tags == null ? List.of() : tags.stream().filter(Objects::nonNull).toList();
  }

  /** Without a name or tags. */
  public ServerDetails(
      String id,
      String status,
      String taskState,
      String vmState,
      Integer powerState,
      String updated) {
    this(id, status, taskState, vmState, powerState, updated, null, List.of());
  }

  /** It carries this tag, exactly as written ({@code key=value}). */
  public boolean hasTag(String tag) {
    return tags.contains(tag);
  }

  /** It carries every one of these tags (true for none). */
  public boolean hasAllTags(Collection<String> wanted) {
    return tags.containsAll(wanted);
  }

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
