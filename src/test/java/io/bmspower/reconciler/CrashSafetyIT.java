package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.reconciler.ReconcileHooks.Point;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator is stopped at each point of a submission, as a crash would stop it, and a new one
 * takes over: every server is submitted exactly once and the action ends Succeeded.
 */
class CrashSafetyIT {

  /** Freezes the reconcile thread at the point on its first visit, then lets it die. */
  static final class CrashAt implements ReconcileHooks {
    final Point point;
    final CountDownLatch reached = new CountDownLatch(1);
    final AtomicBoolean fired = new AtomicBoolean();

    CrashAt(Point point) {
      this.point = point;
    }

    @Override
    public void at(Point p) {
      if (p == point && fired.compareAndSet(false, true)) {
        reached.countDown();
        try {
          Thread.sleep(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("simulated crash at " + point);
      }
    }
  }

  static Stream<Arguments> pointsWithBatchingOnAndOff() {
    // BEFORE_STATUS_WRITE is where tests inject conflicts; as a crash it is BEFORE_INTENT again.
    return Stream.of(Point.values())
        .filter(p -> p != Point.BEFORE_STATUS_WRITE)
        .flatMap(p -> Stream.of(Arguments.of(p, true), Arguments.of(p, false)));
  }

  @ParameterizedTest(name = "{0}, batching across resources {1}")
  @MethodSource("pointsWithBatchingOnAndOff")
  void aRestartAtAnyPointSubmitsEveryServerExactlyOnce(Point point, boolean batching)
      throws Exception {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 300;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim)) {
      h.settings.batchAcrossResources = batching;
      h.createAkSkSecret("bms-credentials");
      var crash = new CrashAt(point);
      h.startOperator(crash);

      h.create("crash", sim.simulator.inventory(), spec -> spec.setBatchSize(100));
      assertThat(crash.reached.await(30, TimeUnit.SECONDS))
          .as("the crash point was reached")
          .isTrue();
      h.stopOperator();
      h.startOperator();
      var status = h.awaitPhase("crash", Phase.Succeeded, Duration.ofSeconds(60)).getStatus();

      var stats = sim.stats();
      assertThat(status.getSucceeded()).isEqualTo(300);
      assertThat(stats.path("serversSubmitted").asInt()).isEqualTo(300);
      assertThat(stats.path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(stats.path("actionCalls").asInt()).isEqualTo(3);
    }
  }
}
