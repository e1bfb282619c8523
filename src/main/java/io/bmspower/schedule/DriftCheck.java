package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.bmspower.api.v1alpha1.BareMetalPowerScheduleStatus;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.reconciler.EventRecorder;
import io.bmspower.reconciler.Rfc3339;
import io.bmspower.reconciler.ServerDirectory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Inside a window, whether the selection is in the power state the window's last run set: reads it
 * every drift interval, reports servers in the other state, and with enforce puts them back with a
 * corrective run (at most {@link #MAX_CORRECTIONS} per window).
 */
final class DriftCheck {

  static final int DRIFT_SHOWN = 20;

  /** Corrective runs per window at most: a correction that fails is not retried forever. */
  static final int MAX_CORRECTIONS = 3;

  private final ScheduleCloud cloud;
  private final ScheduleRuns runs;
  private final EventRecorder events;
  private final Duration driftInterval;
  private final Duration recheck;

  DriftCheck(
      ScheduleCloud cloud,
      ScheduleRuns runs,
      EventRecorder events,
      Duration driftInterval,
      Duration recheck) {
    this.cloud = cloud;
    this.runs = runs;
    this.events = events;
    this.driftInterval = driftInterval;
    this.recheck = recheck;
  }

  /**
   * Reads the selection's power state inside a window, reports servers in the other state, and with
   * enforce puts them back with one corrective run at a time.
   */
  Duration check(BareMetalPowerSchedule schedule, Instant now) {
    var status = schedule.getStatus();
    var drift = status.getDrift();
    if (drift != null
        && drift.getCheckedAt() != null
        && now.isBefore(Instant.parse(drift.getCheckedAt()).plus(driftInterval))) {
      return Duration.between(now, Instant.parse(drift.getCheckedAt()).plus(driftInterval));
    }
    var access = cloud.resolve(schedule);
    if (!access.ok()) {
      return recheck;
    }
    List<String> servers =
        ServerSelection.resolve(access.client(), schedule.getSpec().getSelector());
    var states = ServerDirectory.lookup(access.client(), servers);
    List<String> drifted = Drift.of(status.getDesiredPower(), servers, states);
    var next = drift == null ? new BareMetalPowerScheduleStatus.Drift() : drift;
    int before = next.getCount() == null ? 0 : next.getCount();
    next.setCheckedAt(Rfc3339.format(now));
    next.setCount(drifted.size());
    next.setServers(drifted.subList(0, Math.min(DRIFT_SHOWN, drifted.size())));
    status.setDrift(next);
    var conditions = ScheduleConditions.of(schedule, now);
    String desired = status.getDesiredPower();
    if (drifted.isEmpty()) {
      conditions.set(
          "InDesiredState", true, "InDesiredState", "every selected server is " + desired);
      return driftInterval;
    }
    String message =
        drifted.size()
            + " selected server(s) are "
            + (Drift.OFF.equals(desired) ? "on" : "off")
            + " inside the window (desired "
            + desired
            + "), first: "
            + String.join(", ", next.getServers());
    conditions.set("InDesiredState", false, "Drift", message);
    if (before != drifted.size()) {
      events.event(schedule, true, "Drift", message);
    }
    int done = next.getCorrections() == null ? 0 : next.getCorrections();
    if (Boolean.TRUE.equals(schedule.getSpec().getEnforce()) && done >= MAX_CORRECTIONS) {
      conditions.set(
          "InDesiredState",
          false,
          "EnforceGaveUp",
          message
              + "; "
              + MAX_CORRECTIONS
              + " corrective runs in this window did not fix it (see their status); no more"
              + " until the next run");
      return driftInterval;
    }
    if (Boolean.TRUE.equals(schedule.getSpec().getEnforce())) {
      int n = done + 1;
      PowerAction action = Drift.OFF.equals(desired) ? PowerAction.Stop : PowerAction.Start;
      Instant windowAt = Instant.parse(status.getLastScheduleTime());
      String name = Runs.correctionName(schedule, action, windowAt, n);
      Boolean created =
          runs.create(
              schedule,
              Runs.build(schedule, name, action, now.truncatedTo(ChronoUnit.SECONDS), drifted));
      next.setCorrections(n);
      next.setCorrectedBy(name);
      if (!Boolean.TRUE.equals(created)) {
        return recheck;
      }
      events.event(
          schedule,
          false,
          "DriftCorrected",
          "created "
              + name
              + ": "
              + action
              + " of the "
              + drifted.size()
              + " server(s) found "
              + (Drift.OFF.equals(desired) ? "on" : "off"));
      return recheck;
    }
    return driftInterval;
  }
}
