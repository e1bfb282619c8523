package io.bmspower.api.v1alpha1;

/** The power action to apply to every listed server. */
public enum PowerAction {
  /** Forcibly power the servers off (os-stop, type HARD). */
  Stop,
  /** Power the servers on (os-start). */
  Start,
  /** Forcibly restart the servers (reboot, type HARD). */
  Reboot
}
