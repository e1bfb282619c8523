package io.bmspower.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RunPlanTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final CronSchedule HOURLY = CronSchedule.parse("0 * * * *");
  private static final CronSchedule DAILY_AT_SEVEN = CronSchedule.parse("0 7 * * *");
  private static final CronSchedule EVERY_MINUTE = CronSchedule.parse("* * * * *");
  private static final Predicate<LocalDate> NO_HOLIDAYS = day -> false;

  @Test
  void nothingIsDueBeforeTheNextScheduledTime() {
    var decision =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T10:00+01:00"),
            at("2026-01-15T10:30+01:00"),
            null,
            NO_HOLIDAYS);

    assertThat(decision.due()).isEmpty();
    assertThat(decision.missed()).isZero();
    assertThat(decision.tooManyMissed()).isFalse();
    assertThat(decision.skippedTooLate()).isEmpty();
    assertThat(decision.next()).contains(at("2026-01-15T11:00+01:00"));
  }

  @Test
  void aTimeThatHasJustPassedIsDueAndCountsAsOne() {
    var decision =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T10:00+01:00"),
            at("2026-01-15T11:00:05+01:00"),
            null,
            NO_HOLIDAYS);

    assertThat(decision.due()).contains(at("2026-01-15T11:00+01:00"));
    assertThat(decision.missed()).isEqualTo(1);
    assertThat(decision.next()).contains(at("2026-01-15T12:00+01:00"));
  }

  @Test
  void nowIsInsideTheWindowAndLastScheduledIsNot() {
    var justDue =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T10:00+01:00"),
            at("2026-01-15T11:00+01:00"),
            null,
            NO_HOLIDAYS);
    var alreadyRun =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T11:00+01:00"),
            at("2026-01-15T11:00+01:00"),
            null,
            NO_HOLIDAYS);

    assertThat(justDue.due()).contains(at("2026-01-15T11:00+01:00"));
    assertThat(alreadyRun.due()).isEmpty();
    assertThat(alreadyRun.missed()).isZero();
    assertThat(alreadyRun.next()).contains(at("2026-01-15T12:00+01:00"));
  }

  @Test
  void afterSeveralMissedTimesOnlyTheMostRecentIsDue() {
    var decision =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T06:00+01:00"),
            at("2026-01-15T10:30+01:00"),
            null,
            NO_HOLIDAYS);

    assertThat(decision.due()).contains(at("2026-01-15T10:00+01:00"));
    assertThat(decision.missed()).isEqualTo(4);
    assertThat(decision.tooManyMissed()).isFalse();
    assertThat(decision.next()).contains(at("2026-01-15T11:00+01:00"));
  }

  @Test
  void aTimeOlderThanTheStartingDeadlineIsSkippedNotRun() {
    var decision =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T08:00+01:00"),
            at("2026-01-15T10:30+01:00"),
            600L,
            NO_HOLIDAYS);

    assertThat(decision.due()).isEmpty();
    assertThat(decision.skippedTooLate()).contains(at("2026-01-15T10:00+01:00"));
    assertThat(decision.missed()).isEqualTo(2);
    assertThat(decision.next()).contains(at("2026-01-15T11:00+01:00"));
  }

  @Test
  void aTimeWithinTheStartingDeadlineIsDue() {
    var within =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T08:00+01:00"),
            at("2026-01-15T10:30+01:00"),
            3600L,
            NO_HOLIDAYS);
    var exactlyAtTheDeadline =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T09:00+01:00"),
            at("2026-01-15T10:10+01:00"),
            600L,
            NO_HOLIDAYS);

    assertThat(within.due()).contains(at("2026-01-15T10:00+01:00"));
    assertThat(within.skippedTooLate()).isEmpty();
    assertThat(exactlyAtTheDeadline.due()).contains(at("2026-01-15T10:00+01:00"));
  }

  @Test
  void aHolidayIsNeitherDueNorCounted() {
    // Good Friday 2026-04-03 is a holiday; the operator was down from Thursday to Saturday.
    var decision =
        RunPlan.decide(
            DAILY_AT_SEVEN,
            BERLIN,
            at("2026-04-02T07:00+02:00"),
            at("2026-04-04T08:00+02:00"),
            null,
            holidays("2026-04-03"));

    assertThat(decision.due()).contains(at("2026-04-04T07:00+02:00"));
    assertThat(decision.missed()).isEqualTo(1);
    assertThat(decision.next()).contains(at("2026-04-05T07:00+02:00"));
  }

  @Test
  void onAHolidayNothingIsDueAndNextIsTheFollowingWorkingDay() {
    var decision =
        RunPlan.decide(
            DAILY_AT_SEVEN,
            BERLIN,
            at("2026-04-02T07:00+02:00"),
            at("2026-04-03T09:00+02:00"),
            null,
            holidays("2026-04-03"));

    assertThat(decision.due()).isEmpty();
    assertThat(decision.missed()).isZero();
    assertThat(decision.skippedTooLate()).isEmpty();
    assertThat(decision.next()).contains(at("2026-04-04T07:00+02:00"));
  }

  @Test
  void nextSkipsSeveralHolidaysInARow() {
    var decision =
        RunPlan.decide(
            DAILY_AT_SEVEN,
            BERLIN,
            at("2026-12-23T07:00+01:00"),
            at("2026-12-23T12:00+01:00"),
            null,
            holidays("2026-12-24", "2026-12-25", "2026-12-26"));

    assertThat(decision.next()).contains(at("2026-12-27T07:00+01:00"));
  }

  @Test
  void oneHundredMissedIsNotTooManyButOneHundredAndOneIs() {
    var hundred =
        RunPlan.decide(
            EVERY_MINUTE,
            BERLIN,
            at("2026-01-15T10:00+01:00"),
            at("2026-01-15T11:40+01:00"),
            null,
            NO_HOLIDAYS);
    var hundredAndOne =
        RunPlan.decide(
            EVERY_MINUTE,
            BERLIN,
            at("2026-01-15T10:00+01:00"),
            at("2026-01-15T11:41+01:00"),
            null,
            NO_HOLIDAYS);

    assertThat(hundred.missed()).isEqualTo(100);
    assertThat(hundred.tooManyMissed()).isFalse();
    assertThat(hundredAndOne.missed()).isEqualTo(101);
    assertThat(hundredAndOne.tooManyMissed()).isTrue();
    assertThat(hundredAndOne.due()).contains(at("2026-01-15T11:41+01:00"));
  }

  @Test
  void aYearDownWithAnEveryMinuteScheduleStopsCountingAndRunsTheLatest() {
    var decision =
        RunPlan.decide(
            EVERY_MINUTE,
            BERLIN,
            at("2025-01-15T10:00+01:00"),
            at("2026-01-15T10:00:30+01:00"),
            null,
            NO_HOLIDAYS);

    assertThat(decision.missed()).isEqualTo(RunPlan.TOO_MANY_MISSED + 1);
    assertThat(decision.tooManyMissed()).isTrue();
    assertThat(decision.due()).contains(at("2026-01-15T10:00+01:00"));
    assertThat(decision.next()).contains(at("2026-01-15T10:01+01:00"));
  }

  @Test
  void aYearDownLooksAtAFewHundredTimesNotEveryMinuteOfTheYear() {
    var looked = new AtomicInteger();
    Predicate<LocalDate> countingNoHolidays =
        day -> {
          looked.incrementAndGet();
          return false;
        };

    RunPlan.decide(
        EVERY_MINUTE,
        BERLIN,
        at("2025-01-15T10:00+01:00"),
        at("2026-01-15T10:00:30+01:00"),
        null,
        countingNoHolidays);

    // 101 counted, about 60 in the last hour, and the next one.
    assertThat(looked.get()).isLessThan(500);
  }

  @Test
  void tooManyMissedStillHonoursTheStartingDeadline() {
    var decision =
        RunPlan.decide(
            EVERY_MINUTE,
            BERLIN,
            at("2025-01-15T10:00+01:00"),
            at("2026-01-15T10:00:30+01:00"),
            10L,
            NO_HOLIDAYS);

    assertThat(decision.tooManyMissed()).isTrue();
    assertThat(decision.due()).isEmpty();
    assertThat(decision.skippedTooLate()).contains(at("2026-01-15T10:00+01:00"));
  }

  @Test
  void tooManyMissedFindsTheLatestRunBeforeAHoliday() {
    var decision =
        RunPlan.decide(
            EVERY_MINUTE,
            BERLIN,
            at("2025-01-15T10:00+01:00"),
            at("2026-01-15T10:00:30+01:00"),
            null,
            holidays("2026-01-15"));

    assertThat(decision.tooManyMissed()).isTrue();
    assertThat(decision.due()).contains(at("2026-01-14T23:59+01:00"));
    assertThat(decision.next()).contains(at("2026-01-16T00:00+01:00"));
  }

  @Test
  void anOperatorDownAcrossSpringForwardRunsOnlyTheLatestDailyTime() {
    var daily = CronSchedule.parse("30 2 * * *");

    var decision =
        RunPlan.decide(
            daily,
            BERLIN,
            at("2026-03-27T02:30+01:00"),
            at("2026-03-30T12:00+02:00"),
            null,
            NO_HOLIDAYS);
    var onTheDay =
        RunPlan.decide(
            daily,
            BERLIN,
            at("2026-03-28T02:30+01:00"),
            at("2026-03-29T12:00+02:00"),
            null,
            NO_HOLIDAYS);

    assertThat(decision.due()).contains(at("2026-03-30T02:30+02:00"));
    assertThat(decision.missed()).isEqualTo(3);
    assertThat(decision.next()).contains(at("2026-03-31T02:30+02:00"));
    assertThat(onTheDay.due()).contains(at("2026-03-29T03:00+02:00"));
    assertThat(onTheDay.missed()).isEqualTo(1);
  }

  @Test
  void anOperatorDownAcrossFallBackCountsTheRepeatedHourOnce() {
    var decision =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-10-25T00:00+02:00"),
            at("2026-10-25T04:30+01:00"),
            null,
            NO_HOLIDAYS);

    // 01:00+02, 02:00+02, 03:00+01, 04:00+01; not the second 02:00.
    assertThat(decision.missed()).isEqualTo(4);
    assertThat(decision.due()).contains(at("2026-10-25T04:00+01:00"));
    assertThat(decision.next()).contains(at("2026-10-25T05:00+01:00"));
  }

  @Test
  void aRunRecordedDuringTheFirstPassIsNotRepeatedInTheSecond() {
    var decision =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-10-25T02:00+02:00"),
            at("2026-10-25T02:30+01:00"),
            null,
            NO_HOLIDAYS);

    assertThat(decision.due()).isEmpty();
    assertThat(decision.missed()).isZero();
    assertThat(decision.next()).contains(at("2026-10-25T03:00+01:00"));
  }

  @Test
  void aClockBehindTheRecordedRunDoesNotOfferItAgain() {
    var decision =
        RunPlan.decide(
            HOURLY,
            BERLIN,
            at("2026-01-15T11:00+01:00"),
            at("2026-01-15T10:59+01:00"),
            null,
            NO_HOLIDAYS);

    assertThat(decision.due()).isEmpty();
    assertThat(decision.missed()).isZero();
    assertThat(decision.next()).contains(at("2026-01-15T12:00+01:00"));
  }

  @Test
  void aScheduleThatNeverFiresHasNoNext() {
    var decision =
        RunPlan.decide(
            CronSchedule.parse("0 0 30 2 *"),
            BERLIN,
            at("2026-01-01T00:00+01:00"),
            at("2026-06-01T00:00+02:00"),
            null,
            NO_HOLIDAYS);

    assertThat(decision.due()).isEmpty();
    assertThat(decision.missed()).isZero();
    assertThat(decision.next()).isEmpty();
  }

  @Test
  void whenEveryDayIsAHolidayThereIsNoNext() {
    var decision =
        RunPlan.decide(
            DAILY_AT_SEVEN,
            BERLIN,
            at("2026-01-01T07:00+01:00"),
            at("2026-01-10T08:00+01:00"),
            null,
            day -> true);

    assertThat(decision.due()).isEmpty();
    assertThat(decision.missed()).isZero();
    assertThat(decision.next()).isEmpty();
  }

  @Test
  void aNegativeStartingDeadlineIsRefused() {
    assertThatThrownBy(
            () ->
                RunPlan.decide(
                    HOURLY,
                    BERLIN,
                    at("2026-01-15T10:00+01:00"),
                    at("2026-01-15T11:00+01:00"),
                    -1L,
                    NO_HOLIDAYS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("startingDeadlineSeconds must not be negative, got -1");
  }

  private static Predicate<LocalDate> holidays(String... days) {
    Set<LocalDate> holidays = Stream.of(days).map(LocalDate::parse).collect(Collectors.toSet());
    return holidays::contains;
  }

  private static Instant at(String offsetDateTime) {
    return OffsetDateTime.parse(offsetDateTime).toInstant();
  }
}
