package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The situations that broke "at most one action per server per attempt, and a status that tells the
 * truth", each reproduced as a user would meet it.
 */
class AtMostOnceIT {

  @Test
  void reorderingTheServersWhileABatchRunsSubmitsNoServerTwice() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 2000;
                  o.jobDuration = Duration.ofSeconds(3);
                });
        var h = new OperatorHarness(sim)) {
      h.settings.maxActiveJobsPerResource = 1;
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = sim.simulator.inventory();
      h.create("reorder", servers, spec -> spec.setBatchSize(1000));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> hasBatchIn(h.get("reorder"), BatchState.Running));

      List<String> reordered = new ArrayList<>(servers.subList(1000, 2000));
      reordered.addAll(servers.subList(0, 1000));
      h.client
          .resources(BareMetalPowerAction.class)
          .inNamespace(h.namespace)
          .withName("reorder")
          .edit(
              r -> {
                r.getSpec().setServers(reordered);
                return r;
              });

      var status = h.awaitPhase("reorder", Phase.Succeeded, Duration.ofSeconds(60)).getStatus();
      var stats = sim.stats();
      assertThat(status.getSucceeded()).isEqualTo(2000);
      assertThat(stats.path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(stats.path("serversSubmitted").asInt()).isEqualTo(2000);
      assertThat(stats.path("actionCalls").asInt()).isEqualTo(2);
    }
  }

  @Test
  void oneServerSpelledInTwoCasesIsOneServerSubmittedOnce() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 10);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = new ArrayList<>(sim.simulator.inventory().subList(0, 3));
      servers.add(servers.get(0).toUpperCase(Locale.ROOT));
      h.create("cases", servers, spec -> {});

      var status = h.awaitPhase("cases", Phase.Succeeded, Duration.ofSeconds(30)).getStatus();
      assertThat(status.getTotal()).isEqualTo(3);
      assertThat(status.getSucceeded()).isEqualTo(3);
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(sim.requests("submit 400")).isZero();
    }
  }

  @Test
  void anUnknownServerOfOneResourceFailsOnlyThatResourcesServer() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 10);
        var h = new OperatorHarness(sim)) {
      // A merge window wide enough that both first passes land in it, however slow the machine.
      h.settings.batchLinger = Duration.ofSeconds(4);
      h.settings.batchMaxWait = Duration.ofSeconds(6);
      h.settings.maxIntentAge = Duration.ofSeconds(8);
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = sim.simulator.inventory();
      List<String> unknown =
          List.of("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002");
      List<String> withUnknown = new ArrayList<>(servers.subList(5, 8));
      withUnknown.addAll(unknown);
      h.create("innocent", servers.subList(0, 5), spec -> {});
      h.create("with-unknown", withUnknown, spec -> {});

      var innocent = h.awaitPhase("innocent", Phase.Succeeded, Duration.ofSeconds(60)).getStatus();
      var guilty =
          h.awaitPhase("with-unknown", Phase.PartiallySucceeded, Duration.ofSeconds(60))
              .getStatus();
      assertThat(innocent.getSucceeded()).isEqualTo(5);
      assertThat(innocent.getFailedServers()).isEmpty();
      assertThat(guilty.getSucceeded()).isEqualTo(3);
      assertThat(sim.requests("submit 400"))
          .as("the merged call, then with-unknown's own call, refused for BMS.0040")
          .isEqualTo(2);
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(2);
      assertThat(guilty.getFailureCounts()).isEqualTo(Map.of("BMS.0040", 2));
      assertThat(guilty.getFailedServers())
          .extracting(f -> f.getId())
          .containsExactlyInAnyOrderElementsOf(unknown);
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
    }
  }

  @Test
  void twoResourcesSharingAServerBothSucceedAndNoCallListsItTwice() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 10;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim)) {
      h.settings.batchLinger = Duration.ofSeconds(2);
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = sim.simulator.inventory();
      String shared = servers.get(4);
      h.create("first", servers.subList(0, 5), spec -> {});
      h.create("second", servers.subList(4, 8), spec -> {});

      var first = h.awaitPhase("first", Phase.Succeeded, Duration.ofSeconds(60)).getStatus();
      var second = h.awaitPhase("second", Phase.Succeeded, Duration.ofSeconds(60)).getStatus();
      assertThat(first.getSucceeded()).isEqualTo(5);
      assertThat(second.getSucceeded()).isEqualTo(4);
      assertThat(sim.requests("submit 400")).as("calls refused, e.g. for a duplicate ID").isZero();
      var perServer = sim.stats().path("submissionsPerServer");
      servers.subList(0, 8).stream()
          .filter(id -> !id.equals(shared))
          .forEach(id -> assertThat(perServer.path(id).asInt()).as(id).isEqualTo(1));
      assertThat(perServer.path(shared).asInt())
          .as("the shared server: once per resource, one after the other")
          .isEqualTo(2);
      assertThat(h.events("second"))
          .as("the later resource said whom it waited for")
          .anySatisfy(
              e -> {
                assertThat(e.getReason()).isEqualTo("WaitingForOtherAction");
                assertThat(e.getMessage()).contains("first");
              });
    }
  }

  @Test
  void aJobIdSurvivesAConflictingStatusWriteAndTheResourceFinishesFromItsJob() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 10;
                  o.latency = Duration.ofSeconds(2);
                  o.jobDuration = Duration.ofSeconds(10);
                });
        var h = new OperatorHarness(sim)) {
      h.settings.batchAcrossResources = false;
      h.createAkSkSecret("bms-credentials");
      var conflict = new TouchBeforeTheJobIdWrite(h, "reboot");
      h.startOperator(conflict);
      h.create("reboot", sim.simulator.inventory(), spec -> spec.setAction(PowerAction.Reboot));
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> hasBatchIn(h.get("reboot"), BatchState.Submitting));

      h.client
          .resources(BareMetalPowerAction.class)
          .inNamespace(h.namespace)
          .withName("reboot")
          .edit(
              r -> {
                r.getMetadata().setAnnotations(Map.of("touched", "while submitting"));
                return r;
              });

      var status = h.awaitPhase("reboot", Phase.Succeeded, Duration.ofSeconds(90)).getStatus();
      assertThat(conflict.touched).as("the write after the POST was made to conflict").isTrue();
      BatchStatus batch = status.getBatches().get(0);
      assertThat(batch.getJobId()).as("the job ID was recorded").isNotNull();
      assertThat(sim.requests("getJob 200")).as("the job was polled").isPositive();
      assertThat(batch.getFinishedAt())
          .as("finished when the job ended, not earlier")
          .isGreaterThan(batch.getSubmittedAt());
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(
              java.time.Duration.between(
                  java.time.Instant.parse(batch.getSubmittedAt()),
                  java.time.Instant.parse(batch.getFinishedAt())))
          .as("the resource waited for the 10 s job")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(10));
    }
  }

  /**
   * Changes the resource right before the first status write after the action call returned, so
   * that write (the one recording the job ID) conflicts for certain.
   */
  private static final class TouchBeforeTheJobIdWrite implements ReconcileHooks {
    private final OperatorHarness h;
    private final String name;
    private volatile boolean posted;
    volatile boolean touched;

    TouchBeforeTheJobIdWrite(OperatorHarness h, String name) {
      this.h = h;
      this.name = name;
    }

    @Override
    public void at(Point point) {
      if (point == Point.AFTER_POST) {
        posted = true;
      } else if (point == Point.BEFORE_STATUS_WRITE && posted && !touched) {
        touched = true;
        h.client
            .resources(BareMetalPowerAction.class)
            .inNamespace(h.namespace)
            .withName(name)
            .edit(
                r -> {
                  r.getMetadata().setAnnotations(Map.of("touched", "before the job ID write"));
                  return r;
                });
      }
    }
  }

  private static boolean hasBatchIn(BareMetalPowerAction r, BatchState state) {
    return r != null
        && r.getStatus() != null
        && r.getStatus().getBatches().stream().anyMatch(b -> b.getState() == state);
  }
}
