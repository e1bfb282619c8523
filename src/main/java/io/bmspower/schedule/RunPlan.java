package io.bmspower.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the schedule controller should do now: the pure decision, following Kubernetes CronJob's
 * rules for missed runs.
 *
 * <ul>
 *   <li>Of the scheduled times in {@code (lastScheduled, now]}, only the most recent is run; the
 *       older ones are missed for good.
 *   <li>With a starting deadline, that most recent time is skipped when it is more than {@code
 *       startingDeadlineSeconds} before now (a run exactly at the deadline still starts).
 *   <li>More than {@value #TOO_MANY_MISSED} scheduled times in the window is "too many missed"
 *       (CronJob warns about it); counting stops at {@value #TOO_MANY_MISSED} + 1.
 *   <li>A time whose local date is a skip day (a holiday) is not a run at all: it is never due,
 *       never counted and never next.
 * </ul>
 *
 * <p>Cost: counting walks forward from {@code lastScheduled} with {@link CronSchedule#nextAfter}
 * and stops at the 101st run, and a skip day costs one step (the walk jumps past the whole local
 * day). Only when there are too many to count is the most recent run searched for separately, by
 * looking back from now over windows that double (1h, 2h, 4h, ...) until one holds a run or reaches
 * {@code lastScheduled}. So an operator that was down for a year with {@code * * * * *} takes about
 * 101 + 60 steps, not half a million. The starting deadline does not shorten the walk: a run older
 * than the deadline is still reported, as {@code skippedTooLate}.
 */
public final class RunPlan {

  /** CronJob's limit: more missed start times than this is "too many missed start times". */
  public static final int TOO_MANY_MISSED = 100;

  private static final Duration FIRST_LOOK_BACK = Duration.ofHours(1);

  private RunPlan() {}

  /**
   * The controller's decision.
   *
   * @param due the most recent scheduled time in {@code (lastScheduled, now]}, to run now; empty
   *     when there is none or it missed its starting deadline
   * @param missed how many scheduled times fall in {@code (lastScheduled, now]}, the due one
   *     included (so 1 is a controller that woke up on time); at most {@value
   *     RunPlan#TOO_MANY_MISSED} + 1
   * @param next the first scheduled time after now (and after {@code lastScheduled}) that is not on
   *     a skip day; empty when there is none within {@value CronSchedule#SEARCH_YEARS} years
   * @param skippedTooLate the most recent scheduled time when it missed its starting deadline
   */
  public record Decision(
      Optional<Instant> due, int missed, Optional<Instant> next, Optional<Instant> skippedTooLate) {

    /** Whether more than {@value RunPlan#TOO_MANY_MISSED} runs were missed, as CronJob counts. */
    public boolean tooManyMissed() {
      return missed > TOO_MANY_MISSED;
    }
  }

  /**
   * Decides what to run at {@code now}.
   *
   * @param cron the schedule
   * @param zone the zone its fields are read in (spec.timeZone)
   * @param lastScheduled the last run time recorded, or the schedule's creation time if it never
   *     ran; exclusive
   * @param now the current time; inclusive
   * @param startingDeadlineSeconds how late a run may still start; null for no deadline
   * @param skipDay local dates on which nothing runs (holidays)
   * @throws IllegalArgumentException when {@code startingDeadlineSeconds} is negative
   */
  public static Decision decide(
      CronSchedule cron,
      ZoneId zone,
      Instant lastScheduled,
      Instant now,
      Long startingDeadlineSeconds,
      Predicate<LocalDate> skipDay) {
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(lastScheduled, "lastScheduled");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(skipDay, "skipDay");
    if (startingDeadlineSeconds != null && startingDeadlineSeconds < 0) {
      throw new IllegalArgumentException(
          "startingDeadlineSeconds must not be negative, got " + startingDeadlineSeconds);
    }
    Runs runs = new Runs(cron, zone, skipDay);

    int missed = 0;
    Optional<Instant> latest = Optional.empty();
    Optional<Instant> run = runs.nextAfter(lastScheduled, now);
    while (run.isPresent()) {
      missed++;
      latest = run;
      if (missed > TOO_MANY_MISSED) {
        break; // CronJob stops counting here too
      }
      run = runs.nextAfter(run.get(), now);
    }
    if (missed > TOO_MANY_MISSED) {
      latest = runs.latestIn(lastScheduled, now);
    }

    Optional<Instant> due = latest;
    Optional<Instant> skippedTooLate = Optional.empty();
    if (latest.isPresent()
        && startingDeadlineSeconds != null
        && latest.get().plusSeconds(startingDeadlineSeconds).isBefore(now)) {
      due = Optional.empty();
      skippedTooLate = latest;
    }

    // After lastScheduled too: a clock behind the recorded run must not offer that run again.
    Instant from = lastScheduled.isAfter(now) ? lastScheduled : now;
    Instant horizon = from.atZone(zone).plusYears(CronSchedule.SEARCH_YEARS).toInstant();
    Optional<Instant> next = runs.nextAfter(from, horizon);
    return new Decision(due, missed, next, skippedTooLate);
  }

  /** The schedule's runs: its times in the zone, minus those on skip days. */
  private record Runs(CronSchedule cron, ZoneId zone, Predicate<LocalDate> skipDay) {

    /** The first run strictly after {@code after} and at or before {@code until}. */
    Optional<Instant> nextAfter(Instant after, Instant until) {
      Instant cursor = after;
      while (true) {
        Optional<Instant> time = cron.nextAfter(cursor, zone);
        if (time.isEmpty() || time.get().isAfter(until)) {
          return Optional.empty();
        }
        LocalDate day = time.get().atZone(zone).toLocalDate();
        if (!skipDay.test(day)) {
          return time;
        }
        // A skip day has no runs at all: continue from the last instant of that local day.
        cursor = day.plusDays(1).atStartOfDay(zone).toInstant().minusNanos(1);
      }
    }

    /**
     * The most recent run in {@code (after, until]}, found by looking back from {@code until} over
     * windows that double, so it costs about the runs in the last window, not in the whole span.
     */
    Optional<Instant> latestIn(Instant after, Instant until) {
      Duration span = Duration.between(after, until);
      Duration lookBack = FIRST_LOOK_BACK;
      while (true) {
        boolean whole = lookBack.compareTo(span) >= 0;
        Instant windowStart = whole ? after : until.minus(lookBack);
        Optional<Instant> latest = Optional.empty();
        for (Optional<Instant> run = nextAfter(windowStart, until);
            run.isPresent();
            run = nextAfter(run.get(), until)) {
          latest = run;
        }
        if (latest.isPresent() || whole) {
          return latest;
        }
        lookBack = lookBack.multipliedBy(2);
      }
    }
  }
}
