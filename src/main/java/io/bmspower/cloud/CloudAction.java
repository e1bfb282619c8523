package io.bmspower.cloud;

/** A batch power action of the BMS API, named as the action call's body names it. */
public enum CloudAction {
  STOP("os-stop"),
  START("os-start"),
  REBOOT("reboot");

  private final String wireName;

  CloudAction(String wireName) {
    this.wireName = wireName;
  }

  /** The key of the action call's body: {@code os-stop}, {@code os-start} or {@code reboot}. */
  public String wireName() {
    return wireName;
  }

  /** The action a body key names, or null. */
  public static CloudAction fromWireName(String name) {
    for (CloudAction a : values()) {
      if (a.wireName.equals(name)) {
        return a;
      }
    }
    return null;
  }
}
