package io.bmspower.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * A standard 5-field cron schedule ({@code minute hour day-of-month month day-of-week}) as
 * Kubernetes CronJob accepts it (robfig/cron's standard parser), evaluated in a time zone's local
 * time.
 *
 * <p>Syntax per field: {@code *}, numbers, ranges {@code a-b}, steps {@code *}{@code /n}, {@code
 * a-b/n} and {@code a/n} (a through the field's maximum), and comma-separated lists of these.
 * Months may be written {@code JAN}-{@code DEC} and weekdays {@code SUN}-{@code SAT} (any case);
 * day-of-week 0 and 7 are both Sunday; {@code ?} means {@code *} in day-of-month and day-of-week.
 * The macros {@code @yearly}, {@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily},
 * {@code @midnight} and {@code @hourly} stand for their usual expressions. {@code @every} and
 * {@code TZ=}/{@code CRON_TZ=} prefixes are refused, as CronJob refuses them: the zone comes from
 * spec.timeZone.
 *
 * <p>Days follow the Vixie-cron rule: when both day-of-month and day-of-week are restricted, a day
 * matches if either does ({@code 0 0 13 * FRI} runs every 13th and every Friday); when one of them
 * is {@code *} or {@code ?}, only the other counts.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CronSchedule {

  /**
   * How far ahead {@link #nextAfter} looks before it says "never": eight years, so every Feb 29 is
   * found, even across 2100, which is not a leap year.
   */
  static final int SEARCH_YEARS = 8;

  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  private static final String FIELDS = "minute hour day-of-month month day-of-week";

  private final String expression;
  private final long minutes;
  private final long hours;
  private final long daysOfMonth;
  private final long months;
  private final long daysOfWeek;
  private final boolean dayOfMonthRestricted;
  private final boolean dayOfWeekRestricted;

  private CronSchedule(String expression, CronField.Values[] fields) {
    this.expression = expression;
    this.minutes = fields[0].bits();
    this.hours = fields[1].bits();
    this.daysOfMonth = fields[2].bits();
    this.months = fields[3].bits();
    this.daysOfWeek = fields[4].bits();
    this.dayOfMonthRestricted = !fields[2].unrestricted();
    this.dayOfWeekRestricted = !fields[4].unrestricted();
  }

  /**
   * Parses a schedule as Kubernetes CronJob would (see the class comment for the syntax).
   *
   * @throws IllegalArgumentException with a message that names the field and the problem, e.g.
   *     {@code hour: 24 is out of range 0-23}
   */
  public static CronSchedule parse(String expression) {
    String text = expression == null ? "" : expression.trim();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("schedule is empty");
    }
    String upper = text.toUpperCase(Locale.ROOT);
    if (upper.startsWith("TZ=") || upper.startsWith("CRON_TZ=")) {
      throw new IllegalArgumentException(
          "a time zone prefix (TZ= or CRON_TZ=) is not allowed in the schedule;"
              + " set spec.timeZone instead");
    }
    String fieldsText = text;
    if (text.startsWith("@")) {
      fieldsText = macro(text);
    }
    String[] parts = fieldsText.split("\\s+");
    if (parts.length != 5) {
      throw new IllegalArgumentException("expected 5 fields (" + FIELDS + "), got " + parts.length);
    }
    CronField[] order = CronField.values();
    CronField.Values[] fields = new CronField.Values[5];
    for (int i = 0; i < 5; i++) {
      fields[i] = order[i].parse(parts[i]);
    }
    return new CronSchedule(text, fields);
  }

  private static String macro(String text) {
    String name = text.toLowerCase(Locale.ROOT);
    if (name.startsWith("@every")) {
      throw new IllegalArgumentException(
          "@every is not supported (Kubernetes CronJob does not accept it);"
              + " write a 5-field expression such as */5 * * * *");
    }
    String fields = MACROS.get(name);
    if (fields == null) {
      throw new IllegalArgumentException(
          "unknown macro \""
              + text
              + "\"; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly");
    }
    return fields;
  }

  /** The expression as written (surrounding whitespace removed). */
  public String expression() {
    return expression;
  }

  /**
   * The first scheduled instant strictly after {@code after}, with the fields matched against the
   * zone's local (wall-clock) time.
   *
   * <p>Daylight saving time: a scheduled local time that does not exist (the spring-forward gap,
   * e.g. 02:30 on the last Sunday of March in Europe/Berlin) runs once, at the first instant after
   * the gap (03:00 local); several scheduled times in one gap, and a scheduled time right at the
   * gap's end, are that one run. A local time that exists twice (fall-back, e.g. 02:30 on the last
   * Sunday of October in Europe/Berlin) runs once, at its first occurrence; nothing runs during the
   * repeated hour's second pass. So a daily job runs exactly once every local day, DST days
   * included, and {@code 0 * * * *} runs at the first 02:00 of a fall-back night only.
   *
   * <p>The search skips whole months, days and hours that cannot match, so its cost does not grow
   * with the minutes between runs.
   *
   * @return empty when nothing matches within {@value #SEARCH_YEARS} years (e.g. {@code 0 0 30 2
   *     *})
   */
  public Optional<Instant> nextAfter(Instant after, ZoneId zone) {
    return nextAfter(after, zone, new LongAdder());
  }

  /** {@link #nextAfter(Instant, ZoneId)}, adding each search step to {@code steps} (for tests). */
  Optional<Instant> nextAfter(Instant after, ZoneId zone, LongAdder steps) {
    ZoneRules rules = zone.getRules();
    LocalDateTime wallClock = LocalDateTime.ofInstant(after, zone);
    LocalDateTime horizon = wallClock.plusYears(SEARCH_YEARS);
    // Wall times at or before the clock at "after" map to instants at or before it (see instantOf),
    // so the search starts at the next whole minute.
    LocalDateTime from = wallClock.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    while (true) {
      Optional<LocalDateTime> match = firstMatchFrom(from, horizon, steps);
      if (match.isEmpty()) {
        return Optional.empty();
      }
      Instant at = instantOf(match.get(), rules);
      if (at.isAfter(after)) {
        return Optional.of(at);
      }
      // Only in a repeated hour, or a gap already run: this wall time's run is behind "after".
      from = match.get().plusMinutes(1);
    }
  }

  /** The first local minute at or after {@code from} that matches every field. */
  private Optional<LocalDateTime> firstMatchFrom(
      LocalDateTime from, LocalDateTime horizon, LongAdder steps) {
    LocalDateTime t = from;
    while (!t.isAfter(horizon)) {
      steps.increment();
      int month = nextSetBit(months, t.getMonthValue());
      if (month != t.getMonthValue()) {
        t =
            month < 0
                ? LocalDate.of(t.getYear() + 1, nextSetBit(months, 1), 1).atStartOfDay()
                : LocalDate.of(t.getYear(), month, 1).atStartOfDay();
        continue;
      }
      LocalDate day = t.toLocalDate();
      if (!dayMatches(day)) {
        t = nextDayToTry(day).atStartOfDay();
        continue;
      }
      int hour = nextSetBit(hours, t.getHour());
      if (hour < 0) {
        t = day.plusDays(1).atStartOfDay();
        continue;
      }
      if (hour != t.getHour()) {
        t = day.atTime(hour, 0);
      }
      int minute = nextSetBit(minutes, t.getMinute());
      if (minute < 0) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      return Optional.of(t.withMinute(minute));
    }
    return Optional.empty();
  }

  private boolean dayMatches(LocalDate day) {
    boolean dayOfMonth = isSet(daysOfMonth, day.getDayOfMonth());
    boolean dayOfWeek = isSet(daysOfWeek, day.getDayOfWeek().getValue() % 7);
    if (dayOfMonthRestricted && dayOfWeekRestricted) {
      return dayOfMonth || dayOfWeek; // Vixie cron: either restriction selects the day
    }
    return dayOfMonth && dayOfWeek; // the unrestricted one matches every day
  }

  /** The next day that may match after {@code day} did not. */
  private LocalDate nextDayToTry(LocalDate day) {
    if (dayOfWeekRestricted) {
      return day.plusDays(1);
    }
    // Only day-of-month counts: jump straight to its next value (or the next month).
    int next = nextSetBit(daysOfMonth, day.getDayOfMonth() + 1);
    return next < 0 || next > day.lengthOfMonth()
        ? day.withDayOfMonth(1).plusMonths(1)
        : day.withDayOfMonth(next);
  }

  /**
   * The instant a scheduled local time runs at: the transition instant when the time falls in a
   * gap, the earlier occurrence when it falls in an overlap.
   */
  private static Instant instantOf(LocalDateTime local, ZoneRules rules) {
    ZoneOffsetTransition transition = rules.getTransition(local);
    if (transition == null) {
      return local.toInstant(rules.getOffset(local));
    }
    if (transition.isGap()) {
      return transition.getInstant();
    }
    // Clocks went back, so the offset before the transition is the larger: the earlier instant.
    return local.toInstant(transition.getOffsetBefore());
  }

  private static boolean isSet(long bits, int value) {
    return (bits & (1L << value)) != 0;
  }

  private static int nextSetBit(long bits, int from) {
    long remaining = bits & (-1L << from);
    return remaining == 0 ? -1 : Long.numberOfTrailingZeros(remaining);
  }

  @Override
  public String toString() {
    return "CronSchedule[" + expression + "]";
  }
}
