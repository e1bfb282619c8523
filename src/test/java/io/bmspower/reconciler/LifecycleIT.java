package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.DeletionPolicy;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.RetrySpec;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Deletion, suspend, dry run, deadline, and the size of a big status. */
class LifecycleIT {

  @Test
  void deletionWithWaitHoldsUntilTheRunningJobEndsAndStartsNothingNew() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 30;
                  o.jobDuration = Duration.ofSeconds(4);
                });
        var h = new OperatorHarness(sim)) {
      h.settings.maxActiveJobsPerResource = 1;
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create("wait", sim.simulator.inventory(), spec -> spec.setBatchSize(10));
      awaitRunningJob(h, "wait");
      h.client.resource(h.get("wait")).delete();

      await()
          .pollDelay(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(2))
          .until(() -> h.get("wait") != null);
      await().atMost(Duration.ofSeconds(30)).until(() -> h.get("wait") == null);
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(1);
    }
  }

  @Test
  void deletionWithAbandonReleasesAtOnce() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 30;
                  o.jobDuration = Duration.ofSeconds(30);
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create(
          "abandon",
          sim.simulator.inventory(),
          spec -> spec.setDeletionPolicy(DeletionPolicy.Abandon));
      awaitRunningJob(h, "abandon");
      h.client.resource(h.get("abandon")).delete();

      await().atMost(Duration.ofSeconds(5)).until(() -> h.get("abandon") == null);
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(1);
    }
  }

  @Test
  void suspendSubmitsNothingAndResumeFinishes() throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.servers = 30);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create(
          "paused",
          sim.simulator.inventory(),
          spec -> {
            spec.setBatchSize(10);
            spec.setSuspend(true);
          });
      var suspended = h.awaitPhase("paused", Phase.Suspended, Duration.ofSeconds(30));
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(2))
          .until(() -> sim.stats().path("actionCalls").asInt() == 0);
      assertThat(Conditions.isTrue(suspended.getStatus().getConditions(), "Suspended")).isTrue();

      h.client
          .resources(BareMetalPowerAction.class)
          .inNamespace(h.namespace)
          .withName("paused")
          .edit(
              r -> {
                r.getSpec().setSuspend(false);
                return r;
              });
      var done = h.awaitPhase("paused", Phase.Succeeded, Duration.ofSeconds(30));

      assertThat(done.getStatus().getSucceeded()).isEqualTo(30);
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(3);
      assertThat(h.events("paused"))
          .extracting(e -> e.getReason())
          .contains("Suspended", "Resumed");
    }
  }

  @Test
  void dryRunChecksEverythingAndMakesNoActionCall() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 2500);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> withGhost = new ArrayList<>(sim.simulator.inventory().subList(0, 100));
      withGhost.add(UUID.randomUUID().toString());

      h.create("dry", sim.simulator.inventory(), spec -> spec.setDryRun(true));
      h.create("dry-ghost", withGhost, spec -> spec.setDryRun(true));
      var dry = h.awaitPhase("dry", Phase.Succeeded, Duration.ofSeconds(30)).getStatus();
      var ghost = h.awaitPhase("dry-ghost", Phase.Failed, Duration.ofSeconds(30)).getStatus();

      assertThat(sim.stats().path("actionCalls").asInt()).as("a dry run calls nothing").isZero();
      assertThat(dry.getPlannedBatches()).isEqualTo(3);
      assertThat(dry.getBatches())
          .hasSize(3)
          .allSatisfy(b -> assertThat(b.getState()).isEqualTo(BatchState.Pending));
      assertThat(Conditions.find(dry.getConditions(), "Complete").orElseThrow().getReason())
          .isEqualTo("DryRunSucceeded");
      assertThat(ghost.getFailedServers())
          .singleElement()
          .satisfies(f -> assertThat(f.getCode()).isEqualTo("BMS.0040"));
      assertThat(sim.stats().path("actionCalls").asInt()).isZero();
      // Each dry run reads the list page by page (2,500 servers: three pages, fewer when the few
      // servers it looks for are cheaper to GET one by one).
      assertThat(sim.requests("listServers 200")).isBetween(2L, 6L);
      assertThat(sim.requests("getServer 200")).isZero();
    }
  }

  @Test
  void theDeadlineEndsTheActionAsFailed() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 10;
                  o.jobDuration = Duration.ofSeconds(20);
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create("late", sim.simulator.inventory(), spec -> spec.setActiveDeadlineSeconds(3L));
      var failed = h.awaitPhase("late", Phase.Failed, Duration.ofSeconds(30)).getStatus();

      assertThat(Conditions.find(failed.getConditions(), "Failed").orElseThrow().getReason())
          .isEqualTo("DeadlineExceeded");
      assertThat(failed.getCompletionTime()).isNotNull();
    }
  }

  @Test
  void tenThousandServersWithAHundredFailuresKeepTheStatusUnder16KiB() throws Exception {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 10_000;
                  o.failServers = 100;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = new ArrayList<>(sim.simulator.inventory());
      // Spread the failing servers over every batch.
      java.util.Collections.shuffle(servers, new java.util.Random(7));

      h.create("big", servers, spec -> spec.setRetry(new RetrySpec(3)));
      var status =
          h.awaitPhase("big", Phase.PartiallySucceeded, Duration.ofSeconds(240)).getStatus();

      int bytes = Serialization.asJson(status).getBytes(StandardCharsets.UTF_8).length;
      assertThat(status.getFailed()).isEqualTo(100);
      assertThat(status.getFailedServers()).hasSize(100);
      assertThat(bytes).as("status size in bytes").isLessThan(16 * 1024);
      System.out.println("status of 10,000 servers with 100 failures: " + bytes + " bytes");
      java.nio.file.Files.writeString(
          java.nio.file.Path.of("target/big-status.json"), Serialization.asJson(status));
    }
  }

  private static void awaitRunningJob(OperatorHarness h, String name) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var r = h.get(name);
              return r != null
                  && r.getStatus() != null
                  && r.getStatus().getBatches().stream()
                      .anyMatch(b -> b.getState() == BatchState.Running && b.getJobId() != null);
            });
  }
}
