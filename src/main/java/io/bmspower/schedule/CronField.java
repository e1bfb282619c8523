package io.bmspower.schedule;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One of the five fields of a cron expression: its name, its range and how its text is read. The
 * syntax is the one Kubernetes CronJob accepts (robfig/cron's standard parser).
 */
enum CronField {
  MINUTE("minute", 0, 59, 59, Map.of(), ""),
  HOUR("hour", 0, 23, 23, Map.of(), ""),
  DAY_OF_MONTH("day-of-month", 1, 31, 31, Map.of(), ""),
  MONTH(
      "month",
      1,
      12,
      12,
      names(1, "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
      " or a month name (JAN-DEC)"),
  // 7 is accepted as a second Sunday (as most crons do); '*' and 'a/n' still stop at 6 (SAT).
  DAY_OF_WEEK(
      "day-of-week",
      0,
      6,
      7,
      names(0, "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
      " or a weekday name (SUN-SAT)");

  /** The bits a field's text selects, and whether it was written as "every value". */
  record Values(long bits, boolean unrestricted) {}

  private final String label;
  private final int min;
  private final int max;
  private final int largestWritten;
  private final Map<String, Integer> names;
  private final String nameHint;

  CronField(
      String label,
      int min,
      int max,
      int largestWritten,
      Map<String, Integer> names,
      String nameHint) {
    this.label = label;
    this.min = min;
    this.max = max;
    this.largestWritten = largestWritten;
    this.names = names;
    this.nameHint = nameHint;
  }

  String label() {
    return label;
  }

  /**
   * Reads one field: a comma-separated list of {@code *}, {@code n}, {@code a-b}, each optionally
   * followed by {@code /step}; {@code a/step} runs from a to the field's maximum.
   *
   * <p>As in robfig/cron, the field counts as unrestricted (for the day-of-month/day-of-week rule)
   * when an entry is {@code *} or {@code ?} with no step above 1.
   *
   * @throws IllegalArgumentException naming this field and what is wrong with the text
   */
  Values parse(String text) {
    long bits = 0;
    boolean unrestricted = false;
    for (String entry : text.split(",", -1)) {
      if (entry.isEmpty()) {
        throw problem("empty entry in list \"" + text + "\"");
      }
      String[] rangeAndStep = entry.split("/", -1);
      if (rangeAndStep.length > 2) {
        throw problem("\"" + entry + "\" has more than one step");
      }
      String range = rangeAndStep[0];
      int start;
      int end;
      boolean everyValue = range.equals("*") || range.equals("?");
      if (everyValue) {
        if (range.equals("?") && this != DAY_OF_MONTH && this != DAY_OF_WEEK) {
          throw problem("? is only allowed in day-of-month and day-of-week");
        }
        start = min;
        end = max;
      } else {
        String[] lowAndHigh = range.split("-", -1);
        if (lowAndHigh.length > 2 || lowAndHigh[0].isEmpty() || range.endsWith("-")) {
          throw problem("\"" + entry + "\" is not a valid range");
        }
        start = value(lowAndHigh[0]);
        end = lowAndHigh.length == 2 ? value(lowAndHigh[1]) : start;
        if (start > end) {
          throw problem("range " + range + " starts after it ends");
        }
      }
      int step = 1;
      if (rangeAndStep.length == 2) {
        step = step(rangeAndStep[1], entry);
        if (!everyValue && !range.contains("-")) {
          // "a/n" means "a-max/n", as in robfig/cron.
          end = Math.max(start, max);
        }
      }
      // "*/2" picks values: the field is restricted; "*/1" is still every value.
      unrestricted |= everyValue && step == 1;
      for (int v = start; v <= end; v += step) {
        bits |= 1L << v;
      }
    }
    if (this == DAY_OF_WEEK && (bits & (1L << 7)) != 0) {
      bits = (bits & ~(1L << 7)) | 1L; // 7 is Sunday, like 0
    }
    return new Values(bits, unrestricted);
  }

  private int value(String text) {
    Integer named = names.get(text.toUpperCase(Locale.ROOT));
    if (named != null) {
      return named;
    }
    if (!text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw problem("\"" + text + "\" is not a number" + nameHint);
    }
    // Long digit strings cannot be in range; say so without overflowing.
    int value = text.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(text);
    if (value < min || value > largestWritten) {
      throw problem(text + " is out of range " + min + "-" + largestWritten);
    }
    return value;
  }

  private IllegalArgumentException problem(String what) {
    return new IllegalArgumentException(label + ": " + what);
  }

  private int step(String text, String entry) {
    boolean digits = !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    if (!digits || text.length() > 9 || Integer.parseInt(text) == 0) {
      throw problem("step in \"" + entry + "\" must be a positive number");
    }
    return Integer.parseInt(text);
  }

  private static Map<String, Integer> names(int first, String... names) {
    Map<String, Integer> byName = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      byName.put(names[i], first + i);
    }
    return Map.copyOf(byName);
  }
}
