package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerScheduleSpec;
import io.bmspower.api.v1alpha1.ConcurrencyPolicy;
import io.bmspower.api.v1alpha1.PowerAction;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The schedule's pure decision at one moment: which run is due (only the most recent of either
 * cron, CronJob's rule), and whether it runs, waits (suspended, postponed) or is skipped (the
 * skip-next-run annotation, the concurrency policy, its starting deadline). No I/O: the reconciler
 * acts on the answer.
 */
final class SchedulePlan {

  /** A scheduled moment and the action it runs. */
  record Event(PowerAction action, Instant at) {}

  enum Kind {
    /** Create the run for {@link Step#event}. */
    RUN,
    /** Record {@link Step#event} as skipped, for {@link Step#reason}; it never runs. */
    SKIP,
    /** Nothing due (or suspended: the run waits, as CronJob's). */
    NONE
  }

  /** What to do now, and what comes next. */
  record Step(Kind kind, Event event, String reason, Event next, int missed, boolean replace) {

    /** This step's event, skipped for {@code why} instead (found when acting on it). */
    Step skipped(String why) {
      return new Step(Kind.SKIP, event, why, next, 0, false);
    }
  }

  /** The overrides a person set on the schedule (annotations). */
  record Overrides(boolean skipNext, Instant postponeUntil) {
    static final Overrides NONE = new Overrides(false, null);
  }

  /** The spec, checked: both crons, the zone, the skip dates. */
  record Parsed(
      CronSchedule start,
      PowerAction startAction,
      CronSchedule end,
      PowerAction endAction,
      ZoneId zone,
      Set<LocalDate> skipDates) {

    boolean window() {
      return end != null;
    }
  }

  private SchedulePlan() {}

  /** Parses the spec; a message a person can act on when it is wrong. */
  static Parsed parse(BareMetalPowerScheduleSpec spec) {
    List<String> problems = new ArrayList<>();
    CronSchedule start = cron("schedule", spec.getSchedule(), problems);
    CronSchedule end =
        spec.getEndSchedule() == null ? null : cron("endSchedule", spec.getEndSchedule(), problems);
    ZoneId zone = null;
    try {
      zone = ZoneId.of(spec.getTimeZone() == null ? "UTC" : spec.getTimeZone());
    } catch (DateTimeException e) {
      problems.add("timeZone: " + spec.getTimeZone() + " is not an IANA time zone");
    }
    Set<LocalDate> skip = new HashSet<>();
    for (String d : spec.getSkipDates()) {
      try {
        skip.add(LocalDate.parse(d));
      } catch (DateTimeParseException e) {
        problems.add("skipDates: " + d + " is not a date (YYYY-MM-DD)");
      }
    }
    PowerAction action = spec.getTemplate().getAction();
    if (end != null && action == PowerAction.Reboot) {
      problems.add("endSchedule needs template.action Stop or Start");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    PowerAction opposite =
        end == null ? null : action == PowerAction.Stop ? PowerAction.Start : PowerAction.Stop;
    return new Parsed(start, action, end, opposite, zone, Set.copyOf(skip));
  }

  private static CronSchedule cron(String field, String expression, List<String> problems) {
    try {
      return CronSchedule.parse(expression);
    } catch (IllegalArgumentException e) {
      problems.add(field + " \"" + expression + "\": " + e.getMessage());
      return null;
    }
  }

  static Step decide(
      Parsed p,
      Instant lastScheduled,
      Instant now,
      Long startingDeadlineSeconds,
      boolean suspended,
      Overrides overrides,
      String activeRun,
      ConcurrencyPolicy policy) {
    List<Event> due = new ArrayList<>();
    List<Event> tooLate = new ArrayList<>();
    List<Event> next = new ArrayList<>();
    int missed = 0;
    for (int i = 0; i < (p.window() ? 2 : 1); i++) {
      CronSchedule cron = i == 0 ? p.start() : p.end();
      PowerAction action = i == 0 ? p.startAction() : p.endAction();
      RunPlan.Decision d =
          RunPlan.decide(
              cron,
              p.zone(),
              lastScheduled,
              now,
              startingDeadlineSeconds,
              day -> p.skipDates().contains(day));
      d.due().ifPresent(at -> due.add(new Event(action, at)));
      d.skippedTooLate().ifPresent(at -> tooLate.add(new Event(action, at)));
      d.next().ifPresent(at -> next.add(new Event(action, at)));
      missed += d.missed();
    }
    Comparator<Event> byTime = Comparator.comparing(Event::at);
    Event upcoming = next.stream().min(byTime).orElse(null);
    Optional<Event> latest = due.stream().max(byTime);
    Optional<Event> late = tooLate.stream().max(byTime);
    if (late.isPresent() && (latest.isEmpty() || late.get().at().isAfter(latest.get().at()))) {
      return new Step(
          Kind.SKIP,
          late.get(),
          "missed its starting deadline (" + startingDeadlineSeconds + "s)",
          upcoming,
          missed,
          false);
    }
    if (latest.isEmpty()) {
      return new Step(Kind.NONE, null, null, upcoming, missed, false);
    }
    Event event = latest.get();
    if (suspended) {
      return new Step(Kind.NONE, event, "suspended", upcoming, missed, false);
    }
    if (overrides.postponeUntil() != null && now.isBefore(overrides.postponeUntil())) {
      // Held, not skipped: at that time the most recent run of either cron starts.
      return new Step(
          Kind.NONE,
          event,
          "postponed until " + overrides.postponeUntil(),
          upcoming,
          missed,
          false);
    }
    if (overrides.skipNext()) {
      return new Step(Kind.SKIP, event, "skip-next-run annotation", upcoming, missed, false);
    }
    if (activeRun != null && policy == ConcurrencyPolicy.Forbid) {
      return new Step(
          Kind.SKIP,
          event,
          "concurrencyPolicy Forbid: run " + activeRun + " is still going",
          upcoming,
          missed,
          false);
    }
    return new Step(
        Kind.RUN,
        event,
        null,
        upcoming,
        missed,
        activeRun != null && policy == ConcurrencyPolicy.Replace);
  }
}
