package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.bmspower.api.v1alpha1.BareMetalPowerScheduleStatus;
import io.bmspower.api.v1alpha1.BareMetalPowerScheduleStatus.ScheduledRun;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.reconciler.CloudAccess;
import io.bmspower.reconciler.EventRecorder;
import io.bmspower.reconciler.ServerDirectory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
  static final int DRIFT_SHOWN = 20;

  private final KubernetesClient kubernetes;
  private final CloudAccess cloud;
  private final EventRecorder events;
  private final Clock clock;
  private final Duration recheck;
  private final Duration driftInterval;

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
    this.kubernetes = kubernetes;
    this.cloud = cloud;
    this.events = new EventRecorder(kubernetes, clock);
    this.clock = clock;
    this.recheck = recheck;
    this.driftInterval = driftInterval;
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
    Duration wake;
    try {
      wake = pass(schedule, now);
    } catch (CloudException e) {
      conditions(schedule, now)
          .set(
              "Ready",
              false,
              "CloudUnavailable",
              "the cloud did not answer as needed (" + e.getMessage() + "); retrying by itself");
      wake = recheck;
    }
    if (!schedule.getStatus().equals(before) && !write(schedule)) {
      return UpdateControl.<BareMetalPowerSchedule>noUpdate()
          .rescheduleAfter(Duration.ofMillis(300));
    }
    return wake == null
        ? UpdateControl.noUpdate()
        : UpdateControl.<BareMetalPowerSchedule>noUpdate().rescheduleAfter(wake);
  }

  private Duration pass(BareMetalPowerSchedule schedule, Instant now) {
    var status = schedule.getStatus();
    var conditions = conditions(schedule, now);
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
    List<BareMetalPowerAction> runs = observeRuns(schedule);
    List<BareMetalPowerAction> active = runs.stream().filter(r -> !Runs.finished(r)).toList();
    boolean suspended = Boolean.TRUE.equals(schedule.getSpec().getSuspend());
    // Never ran: from its creation, as CronJob; a creation after this clock's now (skew) from
    // when the operator first saw it.
    if (status.getFirstSeen() == null) {
      status.setFirstSeen(rfc(now));
    }
    Instant created = Instant.parse(schedule.getMetadata().getCreationTimestamp());
    Instant seen = Instant.parse(status.getFirstSeen());
    Instant last =
        status.getLastScheduleTime() != null
            ? Instant.parse(status.getLastScheduleTime())
            : created.isAfter(seen) ? seen : created;
    var step =
        SchedulePlan.decide(
            parsed,
            last,
            now,
            schedule.getSpec().getStartingDeadlineSeconds(),
            suspended,
            overrides(schedule),
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
      case RUN -> wait = run(schedule, parsed, step, active);
      case SKIP -> skip(schedule, step);
      case NONE -> {}
    }
    active = observeRuns(schedule).stream().filter(r -> !Runs.finished(r)).toList();
    status.setActive(
        active.stream()
            .map(
                r ->
                    new ScheduledRun(
                        r.getMetadata().getName(),
                        r.getSpec().getAction().name(),
                        Runs.scheduledAt(r).toString()))
            .toList());
    status.setNextScheduleTime(step.next() == null ? null : rfc(step.next().at()));
    status.setNextAction(step.next() == null ? null : step.next().action().name());
    String held = step.kind() == SchedulePlan.Kind.NONE ? step.reason() : null;
    conditions.set(
        "Suspended",
        suspended,
        suspended ? "SuspendedBySpec" : "NotSuspended",
        suspended ? "spec.suspend is true: no new run starts" : "spec.suspend is false");
    conditions.set(
        "Ready",
        true,
        held != null ? "Waiting" : active.isEmpty() ? "Scheduled" : "RunActive",
        held != null
            ? "the run for " + step.event().at() + " is " + held
            : "next: "
                + (step.next() == null
                    ? "none within 5 years"
                    : step.next().action() + " at " + rfc(step.next().at())));
    if (parsed.window() && status.getDesiredPower() != null && active.isEmpty()) {
      Duration drift = checkDrift(schedule, now);
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
      List<BareMetalPowerAction> active) {
    var status = schedule.getStatus();
    var access = access(schedule);
    if (!access.ok()) {
      conditions(schedule, clock.instant()).set("Ready", false, access.reason(), access.message());
      return recheck;
    }
    List<String> servers;
    try {
      servers = ServerSelection.resolve(access.client(), schedule.getSpec().getSelector());
    } catch (ServerSelection.TooLarge e) {
      skip(
          schedule,
          new SchedulePlan.Step(
              SchedulePlan.Kind.SKIP, step.event(), e.getMessage(), step.next(), 0, false));
      return null;
    }
    if (servers.isEmpty()) {
      skip(
          schedule,
          new SchedulePlan.Step(
              SchedulePlan.Kind.SKIP,
              step.event(),
              "the selector matches no server",
              step.next(),
              0,
              false));
      return null;
    }
    if (step.replace()) {
      for (BareMetalPowerAction r : active) {
        kubernetes.resource(r).delete();
        events.event(
            schedule,
            false,
            "RunReplaced",
            "deleted run " + r.getMetadata().getName() + " (concurrencyPolicy Replace)");
      }
    }
    PowerAction action = step.event().action();
    String name = Runs.name(schedule, action, step.event().at());
    boolean created = create(Runs.build(schedule, name, action, step.event().at(), servers));
    status.setLastScheduleTime(rfc(step.event().at()));
    status.setLastAction(action.name());
    status.setDesiredPower(
        parsed.window() ? (action == PowerAction.Stop ? Drift.OFF : Drift.ON) : null);
    status.setDrift(null);
    // Unknown again until the new run ends and the next check reads the servers.
    conditions(schedule, clock.instant()).remove("InDesiredState");
    if (created) {
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
              + rfc(step.event().at()));
    }
    return recheck;
  }

  private void skip(BareMetalPowerSchedule schedule, SchedulePlan.Step step) {
    var status = schedule.getStatus();
    status.setLastScheduleTime(rfc(step.event().at()));
    status.setLastSkipped(
        rfc(step.event().at()) + " " + step.event().action() + ": " + step.reason());
    // A skipped run leaves nothing to enforce until the next one.
    status.setDesiredPower(null);
    status.setDrift(null);
    conditions(schedule, clock.instant()).remove("InDesiredState");
    events.event(
        schedule,
        false,
        "RunSkipped",
        step.event().action() + " for " + rfc(step.event().at()) + " skipped: " + step.reason());
    if (step.reason().startsWith("skip-next-run")) {
      consumeSkipNext(schedule);
    }
  }

  /**
   * Reads the selection's power state inside a window, reports servers in the other state, and with
   * enforce puts them back with one corrective run at a time.
   */
  private Duration checkDrift(BareMetalPowerSchedule schedule, Instant now) {
    var status = schedule.getStatus();
    var drift = status.getDrift();
    if (drift != null
        && drift.getCheckedAt() != null
        && now.isBefore(Instant.parse(drift.getCheckedAt()).plus(driftInterval))) {
      return Duration.between(now, Instant.parse(drift.getCheckedAt()).plus(driftInterval));
    }
    var access = access(schedule);
    if (!access.ok()) {
      return recheck;
    }
    List<String> servers =
        ServerSelection.resolve(access.client(), schedule.getSpec().getSelector());
    var states = ServerDirectory.lookup(access.client(), servers);
    List<String> drifted = Drift.of(status.getDesiredPower(), servers, states);
    var next = drift == null ? new BareMetalPowerScheduleStatus.Drift() : drift;
    int before = next.getCount() == null ? 0 : next.getCount();
    next.setCheckedAt(rfc(now));
    next.setCount(drifted.size());
    next.setServers(drifted.subList(0, Math.min(DRIFT_SHOWN, drifted.size())));
    status.setDrift(next);
    var conditions = conditions(schedule, now);
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
    if (Boolean.TRUE.equals(schedule.getSpec().getEnforce())) {
      int n = (next.getCorrections() == null ? 0 : next.getCorrections()) + 1;
      PowerAction action = Drift.OFF.equals(desired) ? PowerAction.Stop : PowerAction.Start;
      Instant windowAt = Instant.parse(status.getLastScheduleTime());
      String name = Runs.correctionName(schedule, action, windowAt, n);
      create(Runs.build(schedule, name, action, now.truncatedTo(ChronoUnit.SECONDS), drifted));
      next.setCorrections(n);
      next.setCorrectedBy(name);
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

  private CloudAccess.Access access(BareMetalPowerSchedule schedule) {
    return cloud.resolve(
        schedule.getMetadata().getNamespace(),
        "schedule:" + schedule.getMetadata().getUid(),
        schedule.getSpec().getTemplate().getCloud());
  }

  private List<BareMetalPowerAction> observeRuns(BareMetalPowerSchedule schedule) {
    List<BareMetalPowerAction> runs =
        kubernetes
            .resources(BareMetalPowerAction.class)
            .inNamespace(schedule.getMetadata().getNamespace())
            .withLabel(BareMetalPowerSchedule.SCHEDULE_LABEL, Runs.label(schedule))
            .list()
            .getItems()
            .stream()
            .filter(r -> Runs.ownedBy(r, schedule))
            .sorted(Comparator.comparing(Runs::scheduledAt).reversed())
            .toList();
    var status = schedule.getStatus();
    runs.stream()
        .filter(r -> Runs.phase(r) == Phase.Succeeded && r.getStatus().getCompletionTime() != null)
        .map(r -> r.getStatus().getCompletionTime())
        .max(Comparator.naturalOrder())
        .ifPresent(status::setLastSuccessfulTime);
    prune(schedule, runs);
    return runs;
  }

  /** Deletes finished runs beyond the history limits, oldest first. */
  private void prune(BareMetalPowerSchedule schedule, List<BareMetalPowerAction> newestFirst) {
    int keepOk = Objects.requireNonNullElse(schedule.getSpec().getSuccessfulRunsHistoryLimit(), 3);
    int keepFailed = Objects.requireNonNullElse(schedule.getSpec().getFailedRunsHistoryLimit(), 1);
    int ok = 0;
    int failed = 0;
    for (BareMetalPowerAction r : newestFirst) {
      if (!Runs.finished(r)) {
        continue;
      }
      boolean success = Runs.phase(r) == Phase.Succeeded;
      int seen = success ? ++ok : ++failed;
      if (seen > (success ? keepOk : keepFailed)) {
        try {
          kubernetes.resource(r).delete();
        } catch (KubernetesClientException e) {
          LOG.debug("could not delete old run {}: {}", r.getMetadata().getName(), e.getMessage());
        }
      }
    }
  }

  /** Creates the run; false when it exists already (an earlier pass or process made it). */
  private boolean create(BareMetalPowerAction run) {
    try {
      kubernetes.resource(run).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  private SchedulePlan.Overrides overrides(BareMetalPowerSchedule schedule) {
    Map<String, String> a = schedule.getMetadata().getAnnotations();
    if (a == null) {
      return SchedulePlan.Overrides.NONE;
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
    return new SchedulePlan.Overrides(
        "true".equalsIgnoreCase(a.get(BareMetalPowerSchedule.SKIP_NEXT_RUN)), postpone);
  }

  private void consumeSkipNext(BareMetalPowerSchedule schedule) {
    try {
      kubernetes
          .resources(BareMetalPowerSchedule.class)
          .inNamespace(schedule.getMetadata().getNamespace())
          .withName(schedule.getMetadata().getName())
          .edit(
              s -> {
                s.getMetadata().getAnnotations().remove(BareMetalPowerSchedule.SKIP_NEXT_RUN);
                return s;
              });
    } catch (KubernetesClientException e) {
      LOG.warn("could not remove {}: {}", BareMetalPowerSchedule.SKIP_NEXT_RUN, e.getMessage());
    }
  }

  private boolean write(BareMetalPowerSchedule schedule) {
    try {
      kubernetes
          .resources(BareMetalPowerSchedule.class)
          .inNamespace(schedule.getMetadata().getNamespace())
          .resource(schedule)
          .updateStatus();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  private ScheduleConditions conditions(BareMetalPowerSchedule schedule, Instant now) {
    long generation = Objects.requireNonNullElse(schedule.getMetadata().getGeneration(), 1L);
    return new ScheduleConditions(schedule.getStatus(), generation, now);
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

  private static String rfc(Instant at) {
    return at.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
