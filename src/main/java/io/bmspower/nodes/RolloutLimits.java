package io.bmspower.nodes;

import io.fabric8.kubernetes.api.model.IntOrString;

/** The rollout's bounds from the spec: how many nodes may be in flight at once. */
public final class RolloutLimits {

  private RolloutLimits() {}

  /**
   * {@code maxUnavailable} as a count: an integer as given, a percentage of {@code total} rounded
   * down; at least 1 either way (a rollout always makes progress). Unset: 1.
   */
  public static int maxUnavailable(IntOrString value, int total) {
    if (value == null) {
      return 1;
    }
    if (value.getIntVal() != null) {
      return Math.max(1, value.getIntVal());
    }
    String s = value.getStrVal().trim();
    if (s.endsWith("%")) {
      int percent = Integer.parseInt(s.substring(0, s.length() - 1).trim());
      return Math.max(1, (int) ((long) total * percent / 100));
    }
    return Math.max(1, Integer.parseInt(s));
  }

  /** A message for a person when {@code value} cannot be read; null when it can. */
  public static String problem(IntOrString value) {
    if (value == null || value.getIntVal() != null) {
      return null;
    }
    String s = value.getStrVal() == null ? "" : value.getStrVal().trim();
    if (!s.matches("\\d{1,6}%?")) {
      return "nodes.maxUnavailable '" + s + "' is neither a count nor a percentage like 20%";
    }
    if (s.endsWith("%") && Integer.parseInt(s.substring(0, s.length() - 1)) > 100) {
      return "nodes.maxUnavailable '" + s + "' is more than 100%";
    }
    return null;
  }
}
