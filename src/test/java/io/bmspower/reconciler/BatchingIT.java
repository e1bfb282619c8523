package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.RetrySpec;
import io.bmspower.reconciler.CrashSafetyIT.CrashAt;
import io.bmspower.reconciler.ReconcileHooks.Point;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Resources ready together share action calls; each keeps its own servers, counters and fate. */
class BatchingIT {

  private static final int RESOURCES = 20;
  private static final int EACH = 5;

  @Test
  void twentyResourcesOfFiveServersShareOneCallAndEachEndsWithItsOwnResult() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = RESOURCES * EACH;
                  o.failServerIds = List.of();
                  o.failServers = 2;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim)) {
      h.settings.batchLinger = Duration.ofSeconds(1);
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      createAll(h, sim);
      for (int i = 0; i < RESOURCES; i++) {
        h.awaitPhase(
            name(i), i == 0 ? Phase.PartiallySucceeded : Phase.Succeeded, Duration.ofSeconds(60));
      }

      var first = h.get(name(0)).getStatus();
      assertThat(first.getSucceeded()).isEqualTo(EACH - 2);
      assertThat(first.getFailed()).isEqualTo(2);
      for (int i = 1; i < RESOURCES; i++) {
        var status = h.get(name(i)).getStatus();
        assertThat(status.getSucceeded()).isEqualTo(EACH);
        assertThat(status.getFailedServers()).isEmpty();
      }
      var stats = sim.stats();
      // One merged call for the first attempts, and retries of resource 0's two failing servers.
      assertThat(stats.path("actionCalls").asInt()).isLessThanOrEqualTo(1 + 2);
      assertThat(stats.path("serversSubmitted").asInt()).isEqualTo(RESOURCES * EACH);
      Set<String> firstJobs = new HashSet<>();
      for (int i = 0; i < RESOURCES; i++) {
        firstJobs.add(
            h.get(name(i)).getStatus().getBatches().stream()
                .filter(b -> b.getAttempt() == 1)
                .map(BatchStatus::getJobId)
                .findFirst()
                .orElseThrow());
      }
      assertThat(firstJobs).hasSize(1);
      assertThat(stats.path("requests").path("getJob 200").asInt()).isLessThan(RESOURCES * 2);
    }
  }

  @Test
  void aResourceDeletedAndOneSuspendedMidRunLeaveTheOthersAlone() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = RESOURCES * EACH * 2;
                  o.jobDuration = Duration.ofSeconds(4);
                });
        var h = new OperatorHarness(sim)) {
      // One job at a time per resource: each second batch waits for its first job to end.
      h.settings.maxActiveJobsPerResource = 1;
      h.settings.batchLinger = Duration.ofSeconds(1);
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = sim.simulator.inventory();
      for (int i = 0; i < RESOURCES; i++) {
        int from = i * EACH * 2;
        h.create(name(i), servers.subList(from, from + EACH * 2), spec -> spec.setBatchSize(EACH));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                var r = h.get(name(0));
                return r.getStatus() != null
                    && r.getStatus().getBatches().stream()
                        .anyMatch(b -> b.getState() == BatchState.Running);
              });

      h.client.resource(h.get(name(0))).delete();
      h.client
          .resources(BareMetalPowerAction.class)
          .inNamespace(h.namespace)
          .withName(name(1))
          .edit(
              r -> {
                r.getSpec().setSuspend(true);
                return r;
              });

      await().atMost(Duration.ofSeconds(60)).until(() -> h.get(name(0)) == null);
      var suspended = h.awaitPhase(name(1), Phase.Suspended, Duration.ofSeconds(60)).getStatus();
      for (int i = 2; i < RESOURCES; i++) {
        assertThat(
                h.awaitPhase(name(i), Phase.Succeeded, Duration.ofSeconds(60))
                    .getStatus()
                    .getSucceeded())
            .isEqualTo(EACH * 2);
      }
      assertThat(suspended.getSucceeded()).isEqualTo(EACH);
      assertThat(suspended.getPending()).isEqualTo(EACH);
      var perServer = sim.stats().path("submissionsPerServer");
      // The deleted resource's second batch was never sent; the suspended one's neither.
      for (int i = 0; i < 2; i++) {
        List<String> own = servers.subList(i * EACH * 2, (i + 1) * EACH * 2);
        assertThat(own.stream().filter(id -> perServer.path(id).asInt() == 0).count())
            .as(name(i) + ": servers never sent")
            .isEqualTo(EACH);
      }
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
    }
  }

  @Test
  void aRestartAfterTheMergedCallRecoversEveryResourceWithoutASecondSubmission() throws Exception {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = RESOURCES * EACH;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim)) {
      h.settings.batchLinger = Duration.ofSeconds(1);
      h.createAkSkSecret("bms-credentials");
      var crash = new CrashAt(Point.AFTER_POST);
      h.startOperator(crash);

      createAll(h, sim);
      assertThat(crash.reached.await(30, TimeUnit.SECONDS)).isTrue();
      h.stopOperator();
      h.startOperator();

      for (int i = 0; i < RESOURCES; i++) {
        assertThat(
                h.awaitPhase(name(i), Phase.Succeeded, Duration.ofSeconds(60))
                    .getStatus()
                    .getSucceeded())
            .isEqualTo(EACH);
      }
      var stats = sim.stats();
      assertThat(stats.path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(stats.path("serversSubmitted").asInt()).isEqualTo(RESOURCES * EACH);
    }
  }

  private static void createAll(OperatorHarness h, SimulatorFixture sim) {
    List<String> servers = sim.simulator.inventory();
    for (int i = 0; i < RESOURCES; i++) {
      h.create(
          name(i),
          servers.subList(i * EACH, (i + 1) * EACH),
          spec -> spec.setRetry(new RetrySpec(2)));
    }
  }

  private static String name(int i) {
    return "node-" + i;
  }
}
