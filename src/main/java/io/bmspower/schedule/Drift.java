package io.bmspower.schedule;

import io.bmspower.cloud.ServerDetails;
import java.util.List;
import java.util.Map;

/**
 * Which servers of a window's selection are in the other power state: settled on (ACTIVE, no task)
 * while the window says Off, settled off while it says On. A server in transition or not found is
 * not drift: the former is on its way, the latter is reported by the runs.
 */
final class Drift {

  static final String OFF = "Off";
  static final String ON = "On";

  private Drift() {}

  static List<String> of(String desired, List<String> servers, Map<String, ServerDetails> states) {
    return servers.stream()
        .filter(
            id -> {
              ServerDetails s = states.get(id);
              return s != null && (OFF.equals(desired) ? s.isOn() : s.isOff());
            })
        .toList();
  }
}
