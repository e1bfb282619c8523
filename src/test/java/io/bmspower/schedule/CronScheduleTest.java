package io.bmspower.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronScheduleTest {

  private static final ZoneId UTC = ZoneOffset.UTC;
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  @Nested
  class Syntax {

    @Test
    void aStarRunsEveryMinute() {
      assertThat(runs("* * * * *", UTC, "2026-01-15T10:00Z", "2026-01-15T10:03Z"))
          .containsExactly("2026-01-15T10:00Z", "2026-01-15T10:01Z", "2026-01-15T10:02Z");
    }

    @Test
    void numbersPickOneValue() {
      assertThat(runs("5 4 * * *", UTC, "2026-01-15T00:00Z", "2026-01-17T00:00Z"))
          .containsExactly("2026-01-15T04:05Z", "2026-01-16T04:05Z");
    }

    @Test
    void aRangeIncludesBothEnds() {
      assertThat(runs("0 9-11 * * *", UTC, "2026-01-15T00:00Z", "2026-01-16T10:00Z"))
          .containsExactly(
              "2026-01-15T09:00Z", "2026-01-15T10:00Z", "2026-01-15T11:00Z", "2026-01-16T09:00Z");
    }

    @Test
    void aStarWithAStepCountsFromTheFieldMinimum() {
      assertThat(runs("*/15 * * * *", UTC, "2026-01-15T10:00Z", "2026-01-15T11:00Z"))
          .containsExactly(
              "2026-01-15T10:00Z", "2026-01-15T10:15Z", "2026-01-15T10:30Z", "2026-01-15T10:45Z");
      assertThat(runs("0 */6 * * *", UTC, "2026-01-15T00:00Z", "2026-01-16T00:00Z"))
          .containsExactly(
              "2026-01-15T00:00Z", "2026-01-15T06:00Z", "2026-01-15T12:00Z", "2026-01-15T18:00Z");
    }

    @Test
    void aRangeWithAStepStopsAtTheRangeEnd() {
      assertThat(runs("10-30/10 * * * *", UTC, "2026-01-15T10:00Z", "2026-01-15T11:00Z"))
          .containsExactly("2026-01-15T10:10Z", "2026-01-15T10:20Z", "2026-01-15T10:30Z");
    }

    @Test
    void aStartWithAStepRunsToTheFieldMaximum() {
      assertThat(runs("50/5 * * * *", UTC, "2026-01-15T10:00Z", "2026-01-15T12:00Z"))
          .containsExactly(
              "2026-01-15T10:50Z", "2026-01-15T10:55Z", "2026-01-15T11:50Z", "2026-01-15T11:55Z");
      assertThat(runs("0 0 1/10 * *", UTC, "2026-01-01T00:00Z", "2026-02-01T00:00Z"))
          .containsExactly(
              "2026-01-01T00:00Z", "2026-01-11T00:00Z", "2026-01-21T00:00Z", "2026-01-31T00:00Z");
    }

    @Test
    void aListMixesNumbersRangesAndSteps() {
      assertThat(runs("0,30 8 * * *", UTC, "2026-01-15T00:00Z", "2026-01-16T00:00Z"))
          .containsExactly("2026-01-15T08:00Z", "2026-01-15T08:30Z");
      assertThat(runs("0 1,5-7,20/2 * * *", UTC, "2026-01-15T00:00Z", "2026-01-16T00:00Z"))
          .containsExactly(
              "2026-01-15T01:00Z",
              "2026-01-15T05:00Z",
              "2026-01-15T06:00Z",
              "2026-01-15T07:00Z",
              "2026-01-15T20:00Z",
              "2026-01-15T22:00Z");
    }

    @Test
    void monthsMayBeNamedInAnyCase() {
      assertThat(runs("0 0 1 jan,Jul *", UTC, "2026-01-01T00:00Z", "2027-01-02T00:00Z"))
          .containsExactly("2026-01-01T00:00Z", "2026-07-01T00:00Z", "2027-01-01T00:00Z");
      assertThat(runs("0 0 1 MAR-MAY *", UTC, "2026-01-01T00:00Z", "2027-01-01T00:00Z"))
          .containsExactly("2026-03-01T00:00Z", "2026-04-01T00:00Z", "2026-05-01T00:00Z");
    }

    @Test
    void weekdaysMayBeNamedInAnyCase() {
      // 2026-01-05 is a Monday.
      assertThat(runs("0 0 * * mon-Wed,SAT", UTC, "2026-01-05T00:00Z", "2026-01-12T00:00Z"))
          .containsExactly(
              "2026-01-05T00:00Z", "2026-01-06T00:00Z", "2026-01-07T00:00Z", "2026-01-10T00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 * * 0", "0 0 * * 7", "0 0 * * SUN", "0 0 * * sun"})
    void zeroAndSevenAreBothSunday(String expression) {
      assertThat(runs(expression, UTC, "2026-01-01T00:00Z", "2026-01-19T00:00Z"))
          .containsExactly("2026-01-04T00:00Z", "2026-01-11T00:00Z", "2026-01-18T00:00Z");
    }

    @Test
    void aRangeEndingAtSevenEndsOnSunday() {
      assertThat(runs("0 0 * * 5-7", UTC, "2026-01-01T00:00Z", "2026-01-08T00:00Z"))
          .containsExactly("2026-01-02T00:00Z", "2026-01-03T00:00Z", "2026-01-04T00:00Z");
    }

    @Test
    void aQuestionMarkMeansEveryDay() {
      assertThat(runs("0 0 ? * MON", UTC, "2026-01-01T00:00Z", "2026-02-01T00:00Z"))
          .isEqualTo(runs("0 0 * * MON", UTC, "2026-01-01T00:00Z", "2026-02-01T00:00Z"))
          .hasSize(4);
      assertThat(runs("0 0 1 * ?", UTC, "2026-01-01T00:00Z", "2026-04-01T00:00Z"))
          .containsExactly("2026-01-01T00:00Z", "2026-02-01T00:00Z", "2026-03-01T00:00Z");
    }

    @Test
    void surroundingAndRepeatedWhitespaceIsAccepted() {
      var cron = CronSchedule.parse("  0  8 *\t* *  ");

      assertThat(cron.expression()).isEqualTo("0  8 *\t* *");
      assertThat(cron.toString()).isEqualTo("CronSchedule[0  8 *\t* *]");
      assertThat(runs(cron.expression(), UTC, "2026-01-15T00:00Z", "2026-01-16T00:00Z"))
          .containsExactly("2026-01-15T08:00Z");
    }
  }

  @Nested
  class DayOfMonthAndDayOfWeek {

    @Test
    void whenBothAreRestrictedEitherSelectsTheDay() {
      // 2026-01-13 is a Tuesday; the Fridays are the 2nd, 9th, 16th, 23rd, 30th; Feb 13 is both.
      assertThat(runs("0 0 13 * FRI", UTC, "2026-01-01T00:00Z", "2026-02-14T00:00Z"))
          .containsExactly(
              "2026-01-02T00:00Z",
              "2026-01-09T00:00Z",
              "2026-01-13T00:00Z",
              "2026-01-16T00:00Z",
              "2026-01-23T00:00Z",
              "2026-01-30T00:00Z",
              "2026-02-06T00:00Z",
              "2026-02-13T00:00Z");
    }

    @Test
    void whenDayOfWeekIsAStarOnlyDayOfMonthCounts() {
      assertThat(runs("0 0 13 * *", UTC, "2026-01-01T00:00Z", "2026-03-01T00:00Z"))
          .containsExactly("2026-01-13T00:00Z", "2026-02-13T00:00Z");
      assertThat(runs("0 0 13 * */1", UTC, "2026-01-01T00:00Z", "2026-03-01T00:00Z"))
          .containsExactly("2026-01-13T00:00Z", "2026-02-13T00:00Z");
    }

    @Test
    void whenDayOfMonthIsAStarOnlyDayOfWeekCounts() {
      assertThat(runs("0 0 * * FRI", UTC, "2026-01-01T00:00Z", "2026-01-17T00:00Z"))
          .containsExactly("2026-01-02T00:00Z", "2026-01-09T00:00Z", "2026-01-16T00:00Z");
    }

    @Test
    void aStarWithAStepIsARestrictionAsInRobfigCron() {
      // Days 1, 11, 21, 31 or Mondays (5, 12, 19, 26).
      assertThat(runs("0 0 */10 * MON", UTC, "2026-01-01T00:00Z", "2026-02-01T00:00Z"))
          .containsExactly(
              "2026-01-01T00:00Z",
              "2026-01-05T00:00Z",
              "2026-01-11T00:00Z",
              "2026-01-12T00:00Z",
              "2026-01-19T00:00Z",
              "2026-01-21T00:00Z",
              "2026-01-26T00:00Z",
              "2026-01-31T00:00Z");
    }
  }

  @Nested
  class Macros {

    @ParameterizedTest
    @CsvSource({
      "@yearly,   0 0 1 1 *",
      "@annually, 0 0 1 1 *",
      "@monthly,  0 0 1 * *",
      "@weekly,   0 0 * * 0",
      "@daily,    0 0 * * *",
      "@midnight, 0 0 * * *",
      "@hourly,   0 * * * *",
      "@DAILY,    0 0 * * *"
    })
    void aMacroRunsLikeItsExpression(String macro, String expression) {
      var cron = CronSchedule.parse(macro);

      assertThat(first(8, macro, BERLIN, "2026-01-15T10:17Z"))
          .isEqualTo(first(8, expression, BERLIN, "2026-01-15T10:17Z"));
      assertThat(cron.expression()).isEqualTo(macro);
    }

    @Test
    void theMacrosLandWhereExpected() {
      assertThat(first(2, "@yearly", UTC, "2026-01-15T10:17Z"))
          .containsExactly("2027-01-01T00:00Z", "2028-01-01T00:00Z");
      assertThat(first(2, "@weekly", UTC, "2026-01-15T10:17Z"))
          .containsExactly("2026-01-18T00:00Z", "2026-01-25T00:00Z");
      assertThat(first(2, "@hourly", UTC, "2026-01-15T10:17Z"))
          .containsExactly("2026-01-15T11:00Z", "2026-01-15T12:00Z");
    }
  }

  @Nested
  class Errors {

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            ''                         | schedule is empty
            '   '                      | schedule is empty
            * * * *                    | expected 5 fields (minute hour day-of-month month day-of-week), got 4
            * * * * * *                | expected 5 fields (minute hour day-of-month month day-of-week), got 6
            60 * * * *                 | minute: 60 is out of range 0-59
            99999999999 * * * *        | minute: 99999999999 is out of range 0-59
            * 24 * * *                 | hour: 24 is out of range 0-23
            * * 0 * *                  | day-of-month: 0 is out of range 1-31
            * * 32 * *                 | day-of-month: 32 is out of range 1-31
            * * * 0 *                  | month: 0 is out of range 1-12
            * * * 13 *                 | month: 13 is out of range 1-12
            * * * * 8                  | day-of-week: 8 is out of range 0-7
            0-60 * * * *               | minute: 60 is out of range 0-59
            x * * * *                  | minute: "x" is not a number
            * 1.5 * * *                | hour: "1.5" is not a number
            * * * FOO *                | month: "FOO" is not a number or a month name (JAN-DEC)
            * * * MON *                | month: "MON" is not a number or a month name (JAN-DEC)
            * * * * FUNDAY             | day-of-week: "FUNDAY" is not a number or a weekday name (SUN-SAT)
            * * * * JAN                | day-of-week: "JAN" is not a number or a weekday name (SUN-SAT)
            5-1 * * * *                | minute: range 5-1 starts after it ends
            * * * * FRI-MON            | day-of-week: range FRI-MON starts after it ends
            1-2-3 * * * *              | minute: "1-2-3" is not a valid range
            -1 * * * *                 | minute: "-1" is not a valid range
            * 1- * * *                 | hour: "1-" is not a valid range
            */0 * * * *                | minute: step in "*/0" must be a positive number
            */x * * * *                | minute: step in "*/x" must be a positive number
            1-5/ * * * *               | minute: step in "1-5/" must be a positive number
            */2/3 * * * *              | minute: "*/2/3" has more than one step
            1,,2 * * * *               | minute: empty entry in list "1,,2"
            * * 1, * *                 | day-of-month: empty entry in list "1,"
            ? * * * *                  | minute: ? is only allowed in day-of-month and day-of-week
            * * * ? *                  | month: ? is only allowed in day-of-month and day-of-week
            @fortnightly               | unknown macro "@fortnightly"; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly
            @daily 0                   | unknown macro "@daily 0"; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly
            @every 5m                  | @every is not supported (Kubernetes CronJob does not accept it); write a 5-field expression such as */5 * * * *
            TZ=Europe/Berlin 0 8 * * * | a time zone prefix (TZ= or CRON_TZ=) is not allowed in the schedule; set spec.timeZone instead
            CRON_TZ=UTC 0 8 * * *      | a time zone prefix (TZ= or CRON_TZ=) is not allowed in the schedule; set spec.timeZone instead
            """)
    void aBadExpressionIsRefusedWithTheFieldAndTheProblem(String expression, String message) {
      assertThatThrownBy(() -> CronSchedule.parse(expression))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
    }

    @Test
    void aMissingExpressionIsEmpty() {
      assertThatThrownBy(() -> CronSchedule.parse(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("schedule is empty");
    }
  }

  @Nested
  class Calendar {

    @Test
    void theTwentyNinthOfFebruaryWaitsForALeapYear() {
      assertThat(first(2, "0 0 29 2 *", UTC, "2026-03-01T00:00Z"))
          .containsExactly("2028-02-29T00:00Z", "2032-02-29T00:00Z");
    }

    @Test
    void theTwentyNinthOfFebruaryIsFoundAcrossTheEightYearsAround2100() {
      assertThat(first(1, "0 0 29 2 *", UTC, "2096-03-01T00:00Z"))
          .containsExactly("2104-02-29T00:00Z");
    }

    @Test
    void theThirtyFirstSkipsShortMonths() {
      assertThat(runs("0 0 31 * *", UTC, "2026-01-01T00:00Z", "2027-01-01T00:00Z"))
          .containsExactly(
              "2026-01-31T00:00Z",
              "2026-03-31T00:00Z",
              "2026-05-31T00:00Z",
              "2026-07-31T00:00Z",
              "2026-08-31T00:00Z",
              "2026-10-31T00:00Z",
              "2026-12-31T00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 30 2 *", "0 0 31 4,6,9,11 *"})
    void aDayThatNeverExistsNeverRuns(String expression) {
      var steps = new LongAdder();

      var next = CronSchedule.parse(expression).nextAfter(instant("2026-01-01T00:00Z"), UTC, steps);

      assertThat(next).isEmpty();
      assertThat(steps.sum()).as("gives up without stepping through minutes").isLessThan(500);
    }

    @Test
    void theFieldsAreReadInTheZonesLocalTime() {
      var cron = CronSchedule.parse("0 9 * * *");
      var winter = instant("2026-01-15T00:00Z");
      var summer = instant("2026-07-15T00:00Z");

      assertThat(cron.nextAfter(winter, UTC)).contains(instant("2026-01-15T09:00Z"));
      assertThat(cron.nextAfter(winter, BERLIN)).contains(instant("2026-01-15T08:00Z"));
      assertThat(cron.nextAfter(summer, BERLIN)).contains(instant("2026-07-15T07:00Z"));
      assertThat(cron.nextAfter(winter, NEW_YORK)).contains(instant("2026-01-15T14:00Z"));
    }

    @Test
    void theLocalDayDecidesTheWeekday() {
      // Friday 2026-01-16 23:30 in New York is already Saturday in UTC.
      var cron = CronSchedule.parse("30 23 * * FRI");

      assertThat(cron.nextAfter(instant("2026-01-15T00:00Z"), NEW_YORK))
          .contains(instant("2026-01-17T04:30Z"));
      assertThat(cron.nextAfter(instant("2026-01-15T00:00Z"), UTC))
          .contains(instant("2026-01-16T23:30Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 20 * * 1-5", "0 7 * * 1-5", "0 7 * * MON-FRI"})
    void aWeekdayJobRunsOncePerWeekdayAndNeverAtTheWeekend(String expression) {
      String time = expression.startsWith("0 20") ? "20:00" : "07:00";

      // Saturday to Saturday, with the spring-forward Sunday in between.
      assertThat(runs(expression, BERLIN, "2026-03-28T00:00+01:00", "2026-04-04T00:00+02:00"))
          .containsExactly(
              "2026-03-30T" + time + "+02:00",
              "2026-03-31T" + time + "+02:00",
              "2026-04-01T" + time + "+02:00",
              "2026-04-02T" + time + "+02:00",
              "2026-04-03T" + time + "+02:00");
    }
  }

  @Nested
  class StrictlyAfter {

    private final CronSchedule hourly = CronSchedule.parse("0 * * * *");

    @Test
    void aRunAtTheGivenInstantIsNotNext() {
      assertThat(hourly.nextAfter(instant("2026-01-15T10:00Z"), UTC))
          .contains(instant("2026-01-15T11:00Z"));
    }

    @Test
    void aRunOneNanosecondLaterIsNext() {
      assertThat(hourly.nextAfter(instant("2026-01-15T10:00Z").minusNanos(1), UTC))
          .contains(instant("2026-01-15T10:00Z"));
    }

    @Test
    void secondsPastARunDoNotRepeatIt() {
      assertThat(hourly.nextAfter(instant("2026-01-15T10:00:30Z"), UTC))
          .contains(instant("2026-01-15T11:00Z"));
      assertThat(CronSchedule.parse("* * * * *").nextAfter(instant("2026-01-15T10:15:59Z"), UTC))
          .contains(instant("2026-01-15T10:16Z"));
    }
  }

  @Nested
  class DaylightSaving {

    @Test
    void berlinSpringForwardRunsTheMissingTimeOnceAtTheEndOfTheGap() {
      // 2026-03-29: 02:00 CET jumps to 03:00 CEST.
      assertThat(runs("30 2 * * *", BERLIN, "2026-03-27T00:00+01:00", "2026-03-31T00:00+02:00"))
          .containsExactly(
              "2026-03-27T02:30+01:00",
              "2026-03-28T02:30+01:00",
              "2026-03-29T03:00+02:00",
              "2026-03-30T02:30+02:00");
    }

    @Test
    void berlinFallBackRunsTheRepeatedTimeOnceAtItsFirstOccurrence() {
      // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice.
      assertThat(runs("30 2 * * *", BERLIN, "2026-10-24T00:00+02:00", "2026-10-27T00:00+01:00"))
          .containsExactly(
              "2026-10-24T02:30+02:00", "2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00");
      assertThat(first(1, "30 2 * * *", BERLIN, "2026-10-25T02:30+02:00"))
          .as("the second 02:30 is not a run")
          .containsExactly("2026-10-26T02:30+01:00");
    }

    @Test
    void newYorkSpringForwardRunsTheMissingTimeOnceAtTheEndOfTheGap() {
      // 2026-03-08: 02:00 EST jumps to 03:00 EDT.
      assertThat(runs("30 2 * * *", NEW_YORK, "2026-03-07T00:00-05:00", "2026-03-10T00:00-04:00"))
          .containsExactly(
              "2026-03-07T02:30-05:00", "2026-03-08T03:00-04:00", "2026-03-09T02:30-04:00");
    }

    @Test
    void newYorkFallBackRunsEachDailyTimeOnce() {
      // 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice, 02:30 once.
      assertThat(runs("30 2 * * *", NEW_YORK, "2026-10-31T00:00-04:00", "2026-11-03T00:00-05:00"))
          .containsExactly(
              "2026-10-31T02:30-04:00", "2026-11-01T02:30-05:00", "2026-11-02T02:30-05:00");
      assertThat(runs("30 1 * * *", NEW_YORK, "2026-10-31T00:00-04:00", "2026-11-03T00:00-05:00"))
          .containsExactly(
              "2026-10-31T01:30-04:00", "2026-11-01T01:30-04:00", "2026-11-02T01:30-05:00");
    }

    @ParameterizedTest
    @CsvSource({
      "30 2 * * *, Europe/Berlin",
      "30 2 * * *, America/New_York",
      "30 1 * * *, America/New_York",
      "0 0 * * *,   America/Santiago",
      "30 23 * * *, America/Santiago",
      "15 2 * * *,  Australia/Lord_Howe",
      "45 1 * * *,  Australia/Lord_Howe"
    })
    void aDailyJobRunsExactlyOnceEveryLocalDayOfTheYear(String expression, String zoneId) {
      var zone = ZoneId.of(zoneId);

      var days =
          runs(expression, zone, "2026-01-01T00:00Z", "2027-01-01T00:00Z").stream()
              .map(run -> OffsetDateTime.parse(run).atZoneSameInstant(zone).toLocalDate())
              .toList();

      assertThat(days).doesNotHaveDuplicates().hasSizeBetween(364, 366);
      for (int i = 1; i < days.size(); i++) {
        assertThat(days.get(i)).isEqualTo(days.get(i - 1).plusDays(1));
      }
    }

    @Test
    void berlinHourlyOnTheSpringForwardDayRunsEveryRealHourOnce() {
      var day = runs("0 * * * *", BERLIN, "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00");

      assertThat(day).hasSize(23).noneMatch(run -> run.contains("T02:"));
      assertThat(day.subList(0, 4))
          .containsExactly(
              "2026-03-29T00:00+01:00",
              "2026-03-29T01:00+01:00",
              "2026-03-29T03:00+02:00",
              "2026-03-29T04:00+02:00");
      assertThat(gaps(day)).containsOnly(Duration.ofHours(1));
    }

    @Test
    void berlinHourlyOnTheFallBackDayRunsTheRepeatedHourOnlyOnItsFirstPass() {
      var day = runs("0 * * * *", BERLIN, "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00");

      assertThat(day).hasSize(24).doesNotContain("2026-10-25T02:00+01:00");
      assertThat(day.subList(0, 5))
          .containsExactly(
              "2026-10-25T00:00+02:00",
              "2026-10-25T01:00+02:00",
              "2026-10-25T02:00+02:00",
              "2026-10-25T03:00+01:00",
              "2026-10-25T04:00+01:00");
    }

    @Test
    void newYorkHourlyAcrossBothChanges() {
      var spring = runs("0 * * * *", NEW_YORK, "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00");
      var fall = runs("0 * * * *", NEW_YORK, "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00");

      assertThat(spring)
          .hasSize(23)
          .startsWith("2026-03-08T00:00-05:00", "2026-03-08T01:00-05:00", "2026-03-08T03:00-04:00");
      assertThat(gaps(spring)).containsOnly(Duration.ofHours(1));
      assertThat(fall)
          .hasSize(24)
          .startsWith("2026-11-01T00:00-04:00", "2026-11-01T01:00-04:00", "2026-11-01T02:00-05:00")
          .doesNotContain("2026-11-01T01:00-05:00");
    }

    @Test
    void severalTimesInTheGapAreOneRunAtItsEnd() {
      assertThat(runs("*/15 * * * *", BERLIN, "2026-03-29T01:30+01:00", "2026-03-29T03:31+02:00"))
          .containsExactly(
              "2026-03-29T01:30+01:00",
              "2026-03-29T01:45+01:00",
              "2026-03-29T03:00+02:00",
              "2026-03-29T03:15+02:00",
              "2026-03-29T03:30+02:00");
    }

    @Test
    void nothingRunsDuringTheSecondPassOfARepeatedHour() {
      assertThat(runs("*/15 * * * *", BERLIN, "2026-10-25T02:30+02:00", "2026-10-25T03:16+01:00"))
          .containsExactly(
              "2026-10-25T02:30+02:00",
              "2026-10-25T02:45+02:00",
              "2026-10-25T03:00+01:00",
              "2026-10-25T03:15+01:00");
      assertThat(first(1, "*/15 * * * *", BERLIN, "2026-10-25T02:10+01:00"))
          .containsExactly("2026-10-25T03:00+01:00");
    }
  }

  @Nested
  class Cost {

    @Test
    void tenThousandSearchesOnASparseScheduleSkipWholeMonthsAndDays() {
      var cron = CronSchedule.parse("0 0 29 2 *");
      var steps = new LongAdder();
      var start = instant("2026-01-01T00:00Z");

      for (int i = 0; i < 10_000; i++) {
        var after = start.plus(Duration.ofDays(3L * i));
        var next = cron.nextAfter(after, BERLIN, steps).orElseThrow();

        assertThat(next).isAfter(after);
        assertThat(next.atZone(BERLIN).toLocalDate())
            .matches(d -> d.getMonthValue() == 2 && d.getDayOfMonth() == 29);
      }

      // Minute by minute would be about a million steps per search.
      assertThat(steps.sum() / 10_000).isLessThan(50);
    }

    @Test
    void aWeekdayScheduleTakesAFewStepsPerSearch() {
      var cron = CronSchedule.parse("0 7 * * 1-5");
      var steps = new LongAdder();
      var after = instant("2026-01-01T00:00Z");

      for (int i = 0; i < 10_000; i++) {
        after = cron.nextAfter(after, BERLIN, steps).orElseThrow();
      }

      assertThat(after.atZone(BERLIN).toLocalDate()).isAfter(LocalDate.of(2064, 1, 1));
      assertThat(steps.sum() / 10_000).isLessThan(10);
    }
  }

  /** Every run in [from, to) as offset date-times in the zone, e.g. 2026-03-29T03:00+02:00. */
  private static List<String> runs(String expression, ZoneId zone, String from, String to) {
    var cron = CronSchedule.parse(expression);
    var end = instant(to);
    var found = new ArrayList<String>();
    Optional<Instant> next = cron.nextAfter(instant(from).minusNanos(1), zone);
    while (next.isPresent() && next.get().isBefore(end)) {
      found.add(next.get().atZone(zone).toOffsetDateTime().toString());
      next = cron.nextAfter(next.get(), zone);
    }
    return found;
  }

  /** The first {@code count} runs strictly after {@code after}. */
  private static List<String> first(int count, String expression, ZoneId zone, String after) {
    var cron = CronSchedule.parse(expression);
    var found = new ArrayList<String>();
    var at = instant(after);
    for (int i = 0; i < count; i++) {
      at = cron.nextAfter(at, zone).orElseThrow();
      found.add(at.atZone(zone).toOffsetDateTime().toString());
    }
    return found;
  }

  private static List<Duration> gaps(List<String> runs) {
    var gaps = new ArrayList<Duration>();
    for (int i = 1; i < runs.size(); i++) {
      gaps.add(Duration.between(instant(runs.get(i - 1)), instant(runs.get(i))));
    }
    return gaps;
  }

  private static Instant instant(String offsetDateTime) {
    return OffsetDateTime.parse(offsetDateTime).toInstant();
  }
}
