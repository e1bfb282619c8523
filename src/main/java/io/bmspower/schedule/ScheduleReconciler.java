package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.bmspower.api.v1alpha1.BareMetalPowerScheduleStatus;
import io.bmspower.api.v1alpha1.BareMetalPowerScheduleStatus.ScheduledRun;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.reconciler.CloudAccess;
import io.bmspower.reconciler.EventRecorder;
import io.bmspower.reconciler.Rfc3339;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles {@link BareMetalPowerSchedule}: observes its runs, asks {@link SchedulePlan} what is
 * due, creates the run (idempotent by name) or records the skip, checks a window's desired power
 * state, writes the status, and comes back at the next scheduled time (or sooner, to watch runs).
 */
@ControllerConfiguration(name = "baremetalpowerschedule")
public class ScheduleReconciler implements Reconciler<BareMetalPowerSchedule> {

  private static final Logger LOG = LoggerFactory.getLogger(ScheduleReconciler.class);

  private final ScheduleRuns store;
  private final ScheduleCloud cloud;
  private final DriftCheck driftCheck;
  private final EventRecorder events;
  private final Clock clock;
  private final Duration recheck;

  /**
   * @param recheck the longest a schedule sleeps: runs in progress are looked at this often
   * @param driftInterval how often a window's selection is checked for drift
   */
  public ScheduleReconciler(
      KubernetesClient kubernetes,
      CloudAccess cloud,
      Clock clock,
      Duration recheck,
      Duration driftInterval) {
    this.store = new ScheduleRuns(kubernetes);
    this.cloud = new ScheduleCloud(cloud);
    this.events = new EventRecorder(kubernetes, clock);
    this.clock = clock;
    this.recheck = recheck;
    this.driftCheck = new DriftCheck(this.cloud, store, events, driftInterval, recheck);
  }

  /**
   * What one pass learned on the way, for its end: one per pass, since JOSDK reconciles different
   * schedules at once on one reconciler.
   */
  private static final class PassState {
    /** A run was skipped for the skip-next-run annotation: remove it once that is written. */
    boolean skipNextUsed;

    /** Why the due run could not start (reason, message), or null. */
    String[] blocked;
  }

  @Override
  public UpdateControl<BareMetalPowerSchedule> reconcile(
      BareMetalPowerSchedule cached, Context<BareMetalPowerSchedule> context) {
    BareMetalPowerSchedule schedule = Serialization.clone(cached);
    if (schedule.getStatus() == null) {
      schedule.setStatus(new BareMetalPowerScheduleStatus());
    }
    BareMetalPowerScheduleStatus before = Serialization.clone(schedule.getStatus());
    Instant now = clock.instant();
    PassState state = new PassState();
    Duration wake;
    try {
      wake = pass(schedule, now, state);
    } catch (CloudException e) {
      ScheduleConditions.of(schedule, now)
          .set(
              "Ready",
              false,
              "CloudUnavailable",
              "the cloud did not answer as needed (" + e.getMessage() + "); retrying by itself");
      wake = recheck;
    } catch (RuntimeException e) {
      // Never left to JOSDK's bounded retry: a schedule that stops waking misses its runs.
      LOG.atWarn()
          .setMessage("schedule pass failed; retried")
          .addKeyValue("schedule", schedule.getMetadata().getName())
          .setCause(e)
          .log();
      ScheduleConditions.of(schedule, now).set("Ready", false, "ReconcileError", "retrying: " + e);
      wake = recheck;
    }
    try {
      if (!schedule.getStatus().equals(before) && !store.writeStatus(schedule)) {
        return UpdateControl.<BareMetalPowerSchedule>noUpdate()
            .rescheduleAfter(Duration.ofMillis(300));
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "could not write the status of {}: {}", schedule.getMetadata().getName(), e.toString());
      return UpdateControl.<BareMetalPowerSchedule>noUpdate().rescheduleAfter(recheck);
    }
    if (state.skipNextUsed && !store.consumeSkipNext(schedule)) {
      // Only once the skip is recorded (a lost write leaves the annotation to skip that run again);
      // a failed removal is tried again at once, and the next pass knows the skip was used.
      return UpdateControl.<BareMetalPowerSchedule>noUpdate()
          .rescheduleAfter(Duration.ofMillis(300));
    }
    return wake == null
        ? UpdateControl.noUpdate()
        : UpdateControl.<BareMetalPowerSchedule>noUpdate().rescheduleAfter(wake);
  }

  private Duration pass(BareMetalPowerSchedule schedule, Instant now, PassState state) {
    var status = schedule.getStatus();
    var conditions = ScheduleConditions.of(schedule, now);
    SchedulePlan.Parsed parsed;
    try {
      parsed = SchedulePlan.parse(schedule.getSpec());
    } catch (IllegalArgumentException e) {
      if (!conditions.is("Valid", "InvalidSchedule")) {
        events.event(schedule, true, "InvalidSchedule", e.getMessage());
      }
      conditions.set("Valid", false, "InvalidSchedule", e.getMessage());
      conditions.set("Ready", false, "InvalidSchedule", e.getMessage());
      return null;
    }
    conditions.set("Valid", true, "Valid", "schedule, time zone and skip dates are valid");
    List<BareMetalPowerAction> runs = store.observe(schedule);
    boolean suspended = Boolean.TRUE.equals(schedule.getSpec().getSuspend());
    // Never ran: from its creation, as CronJob; a creation after this clock's now (skew) from
    // when the operator first saw it.
    if (status.getFirstSeen() == null) {
      status.setFirstSeen(Rfc3339.format(now));
    }
    Instant created = Instant.parse(schedule.getMetadata().getCreationTimestamp());
    Instant seen = Instant.parse(status.getFirstSeen());
    Instant last =
        status.getLastScheduleTime() != null
            ? Instant.parse(status.getLastScheduleTime())
            : created.isAfter(seen) ? seen : created;
    // The due run itself, made by a pass whose status write was lost, is not "another run" for the
    // concurrency policy: which event is due does not depend on the active runs.
    var overrides = overrides(schedule, last, now, state);
    var due =
        SchedulePlan.decide(
            parsed,
            last,
            now,
            schedule.getSpec().getStartingDeadlineSeconds(),
            suspended,
            overrides,
            null,
            schedule.getSpec().getConcurrencyPolicy());
    String dueRun =
        due.event() == null ? null : Runs.name(schedule, due.event().action(), due.event().at());
    List<BareMetalPowerAction> active =
        runs.stream()
            .filter(r -> !Runs.finished(r) && !r.getMetadata().getName().equals(dueRun))
            .toList();
    var step =
        SchedulePlan.decide(
            parsed,
            last,
            now,
            schedule.getSpec().getStartingDeadlineSeconds(),
            suspended,
            overrides,
            active.isEmpty() ? null : active.get(0).getMetadata().getName(),
            schedule.getSpec().getConcurrencyPolicy());
    if (step.missed() > RunPlan.TOO_MANY_MISSED && step.kind() != SchedulePlan.Kind.NONE) {
      events.event(
          schedule,
          true,
          "TooManyMissedRuns",
          "more than " + RunPlan.TOO_MANY_MISSED + " runs missed; only the most recent one counts");
    }
    Duration wait = null;
    switch (step.kind()) {
      case RUN -> wait = run(schedule, parsed, step, active, state);
      case SKIP -> skip(schedule, step, state);
      case NONE -> {}
    }
    active = store.observe(schedule).stream().filter(r -> !Runs.finished(r)).toList();
    status.setActive(
        active.stream()
            .map(
                r ->
                    new ScheduledRun(
                        r.getMetadata().getName(),
                        r.getSpec().getAction().name(),
                        Runs.scheduledAt(r).toString()))
            .toList());
    status.setNextScheduleTime(step.next() == null ? null : Rfc3339.format(step.next().at()));
    status.setNextAction(step.next() == null ? null : step.next().action().name());
    String held = step.kind() == SchedulePlan.Kind.NONE ? step.reason() : null;
    conditions.set(
        "Suspended",
        suspended,
        suspended ? "SuspendedBySpec" : "NotSuspended",
        suspended ? "spec.suspend is true: no new run starts" : "spec.suspend is false");
    String[] blocked = state.blocked;
    if (blocked != null) {
      // The due run could not start (credentials, policy): say so, keep trying.
      if (!conditions.is("Ready", blocked[0])) {
        events.event(schedule, true, blocked[0], blocked[1]);
      }
      conditions.set(
          "Ready", false, blocked[0], "the run for " + step.event().at() + " waits: " + blocked[1]);
      return recheck;
    }
    conditions.set(
        "Ready",
        true,
        held != null ? "Waiting" : active.isEmpty() ? "Scheduled" : "RunActive",
        held != null
            ? "the run for " + step.event().at() + " is " + held
            : "next: "
                + (step.next() == null
                    ? "none within 5 years"
                    : step.next().action() + " at " + Rfc3339.format(step.next().at())));
    if (parsed.window() && status.getDesiredPower() != null && active.isEmpty()) {
      Duration drift = driftCheck.check(schedule, now);
      wait = min(wait, drift);
    } else if (!parsed.window()) {
      conditions.remove("InDesiredState");
    }
    Duration untilNext =
        step.next() == null ? recheck : Duration.between(now, step.next().at()).plusMillis(50);
    // Never longer than recheck: runs in progress are watched, and a clock that jumps is followed.
    return min(min(wait, untilNext), recheck);
  }

  private Duration run(
      BareMetalPowerSchedule schedule,
      SchedulePlan.Parsed parsed,
      SchedulePlan.Step step,
      List<BareMetalPowerAction> active,
      PassState state) {
    var status = schedule.getStatus();
    var access = cloud.resolve(schedule);
    if (!access.ok()) {
      state.blocked = new String[] {access.reason(), access.message()};
      return recheck;
    }
    List<String> servers;
    try {
      servers = ServerSelection.resolve(access.client(), schedule.getSpec().getSelector());
    } catch (ServerSelection.TooLarge e) {
      skip(schedule, step.skipped(e.getMessage()), state);
      return null;
    }
    if (servers.isEmpty()) {
      skip(schedule, step.skipped("the selector matches no server"), state);
      return null;
    }
    PowerAction action = step.event().action();
    String name = Runs.name(schedule, action, step.event().at());
    if (store.foreign(schedule, name)) {
      skip(
          schedule,
          step.skipped(
              "a BareMetalPowerAction named " + name + " exists and is not this schedule's run"),
          state);
      return null;
    }
    if (step.replace()) {
      for (BareMetalPowerAction r : active) {
        store.delete(r);
        events.event(
            schedule,
            false,
            "RunReplaced",
            "deleted run " + r.getMetadata().getName() + " (concurrencyPolicy Replace)");
      }
    }
    Boolean created =
        store.create(schedule, Runs.build(schedule, name, action, step.event().at(), servers));
    if (created == null) {
      skip(
          schedule,
          step.skipped(
              "a BareMetalPowerAction named " + name + " exists and is not this schedule's run"),
          state);
      return null;
    }
    status.setLastScheduleTime(Rfc3339.format(step.event().at()));
    status.setLastAction(action.name());
    status.setDesiredPower(
        parsed.window() ? (action == PowerAction.Stop ? Drift.OFF : Drift.ON) : null);
    status.setDrift(null);
    // Unknown again until the new run ends and the next check reads the servers.
    ScheduleConditions.of(schedule, clock.instant()).remove("InDesiredState");
    if (Boolean.TRUE.equals(created)) {
      events.event(
          schedule,
          false,
          "RunCreated",
          "created "
              + name
              + ": "
              + action
              + " of "
              + servers.size()
              + " server(s) for "
              + Rfc3339.format(step.event().at()));
    }
    return recheck;
  }

  private void skip(BareMetalPowerSchedule schedule, SchedulePlan.Step step, PassState state) {
    var status = schedule.getStatus();
    status.setLastScheduleTime(Rfc3339.format(step.event().at()));
    status.setLastSkipped(
        Rfc3339.format(step.event().at()) + " " + step.event().action() + ": " + step.reason());
    // A skipped run leaves nothing to enforce until the next one.
    status.setDesiredPower(null);
    status.setDrift(null);
    ScheduleConditions.of(schedule, clock.instant()).remove("InDesiredState");
    events.event(
        schedule,
        false,
        "RunSkipped",
        step.event().action()
            + " for "
            + Rfc3339.format(step.event().at())
            + " skipped: "
            + step.reason());
    if (step.reason().startsWith("skip-next-run")) {
      state.skipNextUsed = true;
    }
  }

  private SchedulePlan.Overrides overrides(
      BareMetalPowerSchedule schedule, Instant last, Instant now, PassState state) {
    Map<String, String> a = schedule.getMetadata().getAnnotations();
    if (a == null) {
      return SchedulePlan.Overrides.NONE;
    }
    boolean skipNext = "true".equalsIgnoreCase(a.get(BareMetalPowerSchedule.SKIP_NEXT_RUN));
    String skipped = schedule.getStatus().getLastSkipped();
    if (skipNext
        && skipped != null
        && skipped.startsWith(Rfc3339.format(last))
        && skipped.contains("skip-next-run")
        && now.isBefore(last.plus(Duration.ofMinutes(1)))) {
      // Used by the run just skipped, but its removal failed: remove it now, skip nothing more.
      skipNext = false;
      state.skipNextUsed = true;
    }
    Instant postpone = null;
    String until = a.get(BareMetalPowerSchedule.POSTPONE_UNTIL);
    if (until != null) {
      try {
        postpone = Instant.parse(until);
      } catch (java.time.format.DateTimeParseException e) {
        events.event(
            schedule,
            true,
            "InvalidAnnotation",
            BareMetalPowerSchedule.POSTPONE_UNTIL + " must be an RFC 3339 time, not " + until);
      }
    }
    return new SchedulePlan.Overrides(skipNext, postpone);
  }

  private static Duration min(Duration a, Duration b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    Duration m = a.compareTo(b) <= 0 ? a : b;
    return m.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : m;
  }
}
