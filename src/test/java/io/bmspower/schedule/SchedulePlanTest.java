package io.bmspower.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bmspower.api.v1alpha1.BareMetalPowerScheduleSpec;
import io.bmspower.api.v1alpha1.ConcurrencyPolicy;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.ServerSelector;
import io.bmspower.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The schedule's decisions over a window, moved through time by a clock the test owns. */
class SchedulePlanTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final LocalDate MONDAY =
      LocalDate.of(2026, 3, 23); // DST starts on Sunday the 29th

  private static Instant at(LocalDate day, int hour, int minute) {
    return ZonedDateTime.of(day, LocalTime.of(hour, minute), BERLIN).toInstant();
  }

  private static SchedulePlan.Parsed window(Consumer<BareMetalPowerScheduleSpec> configure) {
    var spec = new BareMetalPowerScheduleSpec();
    spec.setSchedule("0 20 * * 1-5");
    spec.setEndSchedule("0 7 * * 1-5");
    spec.setTimeZone("Europe/Berlin");
    spec.setSelector(new ServerSelector());
    configure.accept(spec);
    return SchedulePlan.parse(spec);
  }

  private static SchedulePlan.Step decide(SchedulePlan.Parsed p, Instant last, Instant now) {
    return SchedulePlan.decide(
        p, last, now, null, false, SchedulePlan.Overrides.NONE, null, ConcurrencyPolicy.Allow);
  }

  @Test
  void aWeekOfPassesEveryMinuteRunsOneStopAndOneStartPerWeekdayAcrossTheDstChange() {
    var p = window(s -> {});
    var clock = new MutableClock(at(MONDAY, 0, 0));
    Instant last = clock.instant();
    List<SchedulePlan.Event> ran = new ArrayList<>();
    while (clock.instant().isBefore(at(MONDAY.plusDays(14), 0, 0))) {
      var step = decide(p, last, clock.instant());
      if (step.kind() == SchedulePlan.Kind.RUN) {
        ran.add(step.event());
        last = step.event().at();
      }
      clock.advance(Duration.ofMinutes(7));
    }

    assertThat(ran).hasSize(20);
    for (var e : ran) {
      ZonedDateTime local = e.at().atZone(BERLIN);
      assertThat(local.getDayOfWeek().getValue()).isBetween(1, 5);
      assertThat(local.getHour()).isEqualTo(e.action() == PowerAction.Stop ? 20 : 7);
      assertThat(local.getMinute()).isZero();
    }
  }

  @Test
  void anOperatorDownOverNightRunsOnlyTheMostRecentEvent() {
    var p = window(s -> {});
    // Down from Monday 19:00 to Tuesday 08:00: Stop at 20:00 and Start at 07:00 were missed.
    var step = decide(p, at(MONDAY, 19, 0), at(MONDAY.plusDays(1), 8, 0));

    assertThat(step.kind()).isEqualTo(SchedulePlan.Kind.RUN);
    assertThat(step.event())
        .isEqualTo(new SchedulePlan.Event(PowerAction.Start, at(MONDAY.plusDays(1), 7, 0)));
    assertThat(step.missed()).isEqualTo(2);
    assertThat(step.next())
        .isEqualTo(new SchedulePlan.Event(PowerAction.Stop, at(MONDAY.plusDays(1), 20, 0)));
  }

  @Test
  void aRunPastItsStartingDeadlineIsSkippedNotStartedLate() {
    var p = window(s -> {});
    var step =
        SchedulePlan.decide(
            p,
            at(MONDAY, 19, 0),
            at(MONDAY, 20, 10),
            300L,
            false,
            SchedulePlan.Overrides.NONE,
            null,
            ConcurrencyPolicy.Allow);

    assertThat(step.kind()).isEqualTo(SchedulePlan.Kind.SKIP);
    assertThat(step.reason()).contains("starting deadline (300s)");
  }

  @Test
  void suspendedHoldsTheRunAndAfterwardsTheMostRecentStarts() {
    var p = window(s -> {});
    var held =
        SchedulePlan.decide(
            p,
            at(MONDAY, 19, 0),
            at(MONDAY, 20, 0),
            null,
            true,
            SchedulePlan.Overrides.NONE,
            null,
            ConcurrencyPolicy.Allow);
    var resumed = decide(p, at(MONDAY, 19, 0), at(MONDAY, 21, 0));

    assertThat(held.kind()).isEqualTo(SchedulePlan.Kind.NONE);
    assertThat(held.reason()).isEqualTo("suspended");
    assertThat(resumed.kind()).isEqualTo(SchedulePlan.Kind.RUN);
    assertThat(resumed.event().at()).isEqualTo(at(MONDAY, 20, 0));
  }

  @Test
  void skipNextRunSkipsOneRunAndPostponeKeepsTheFleetOnUntilItsTime() {
    var p = window(s -> {});
    var skipped =
        SchedulePlan.decide(
            p,
            at(MONDAY, 19, 0),
            at(MONDAY, 20, 0),
            null,
            false,
            new SchedulePlan.Overrides(true, null),
            null,
            ConcurrencyPolicy.Allow);
    Instant eleven = at(MONDAY, 23, 0);
    var postponed =
        SchedulePlan.decide(
            p,
            at(MONDAY, 19, 0),
            at(MONDAY, 20, 0),
            null,
            false,
            new SchedulePlan.Overrides(false, eleven),
            null,
            ConcurrencyPolicy.Allow);
    var atEleven =
        SchedulePlan.decide(
            p,
            at(MONDAY, 19, 0),
            eleven,
            null,
            false,
            new SchedulePlan.Overrides(false, eleven),
            null,
            ConcurrencyPolicy.Allow);

    assertThat(skipped.kind()).isEqualTo(SchedulePlan.Kind.SKIP);
    assertThat(postponed.kind()).isEqualTo(SchedulePlan.Kind.NONE);
    assertThat(postponed.reason()).startsWith("postponed until");
    assertThat(atEleven.kind()).isEqualTo(SchedulePlan.Kind.RUN);
    assertThat(atEleven.event())
        .isEqualTo(new SchedulePlan.Event(PowerAction.Stop, at(MONDAY, 20, 0)));
  }

  @Test
  void holidaysAreNotRuns() {
    var p = window(s -> s.setSkipDates(List.of(MONDAY.toString())));
    var step = decide(p, at(MONDAY, 6, 0), at(MONDAY, 21, 0));

    assertThat(step.kind()).isEqualTo(SchedulePlan.Kind.NONE);
    assertThat(step.next())
        .isEqualTo(new SchedulePlan.Event(PowerAction.Start, at(MONDAY.plusDays(1), 7, 0)));
  }

  @Test
  void concurrencyPolicyForbidSkipsAndReplaceSaysSo() {
    var p = window(s -> {});
    var forbid =
        SchedulePlan.decide(
            p,
            at(MONDAY, 19, 0),
            at(MONDAY, 20, 0),
            null,
            false,
            SchedulePlan.Overrides.NONE,
            "older-run",
            ConcurrencyPolicy.Forbid);
    var replace =
        SchedulePlan.decide(
            p,
            at(MONDAY, 19, 0),
            at(MONDAY, 20, 0),
            null,
            false,
            SchedulePlan.Overrides.NONE,
            "older-run",
            ConcurrencyPolicy.Replace);
    var allow = decide(p, at(MONDAY, 19, 0), at(MONDAY, 20, 0));

    assertThat(forbid.kind()).isEqualTo(SchedulePlan.Kind.SKIP);
    assertThat(forbid.reason()).contains("older-run is still going");
    assertThat(replace.kind()).isEqualTo(SchedulePlan.Kind.RUN);
    assertThat(replace.replace()).isTrue();
    assertThat(allow.replace()).isFalse();
  }

  @Test
  void everyProblemOfTheSpecIsNamed() {
    assertThatThrownBy(
            () ->
                window(
                    s -> {
                      s.setSchedule("61 20 * * *");
                      s.setTimeZone("Europe/Atlantis");
                      s.setSkipDates(List.of("2026-13-01"));
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schedule \"61 20 * * *\": minute")
        .hasMessageContaining("timeZone: Europe/Atlantis")
        .hasMessageContaining("skipDates: 2026-13-01");
  }
}
