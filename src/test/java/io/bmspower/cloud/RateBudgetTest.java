package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateBudgetTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Test
  void aSmallBurstGoesAtOnceThenPermitsComeAtTheSteadyRate() {
    var budget = new RateBudget("queries", 60, nanos::get);

    assertThat(budget.tryReserve()).isZero();
    assertThat(budget.tryReserve()).isZero();
    assertThat(budget.tryReserve()).isZero();
    long wait = budget.tryReserve();

    assertThat(Duration.ofNanos(wait)).isEqualTo(Duration.ofSeconds(1));
    advance(Duration.ofMillis(999));
    assertThat(budget.tryReserve()).isPositive();
    advance(Duration.ofMillis(1));
    assertThat(budget.tryReserve()).isZero();
  }

  @Test
  void aRefusedReservationTakesNothing() {
    var budget = new RateBudget("actions", 20, nanos::get);
    budget.tryReserve();

    long first = budget.tryReserve();
    long second = budget.tryReserve();

    assertThat(first).isEqualTo(second).isEqualTo(Duration.ofSeconds(3).toNanos());
  }

  @Test
  void aPauseStopsEveryCallerThenCallsResumeAtTheSteadyRateNotInABurst() {
    var budget = new RateBudget("queries", 60, nanos::get);
    budget.tryReserve();

    budget.pause(Duration.ofSeconds(10));

    assertThat(Duration.ofNanos(budget.tryReserve())).isEqualTo(Duration.ofSeconds(11));
    advance(Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(budget.tryReserve())).isEqualTo(Duration.ofSeconds(1));
    advance(Duration.ofSeconds(1));
    assertThat(budget.tryReserve()).isZero();
    assertThat(budget.tryReserve()).isPositive();
    assertThat(budget.throttles()).isEqualTo(1);
  }

  @Test
  void aShorterPauseDoesNotShortenALongerOne() {
    var budget = new RateBudget("queries", 60, nanos::get);

    budget.pause(Duration.ofSeconds(30));
    budget.pause(Duration.ofSeconds(1));

    assertThat(Duration.ofNanos(budget.tryReserve())).isEqualTo(Duration.ofSeconds(31));
    assertThat(budget.throttles()).isEqualTo(2);
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
