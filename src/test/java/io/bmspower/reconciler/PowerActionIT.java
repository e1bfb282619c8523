package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.FailedServer;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.RetrySpec;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** End to end: the operator in-process, a real API server, the simulator over HTTP. */
class PowerActionIT {

  @Test
  void stopsTwentyFiveHundredServersInExactlyThreeActionCalls() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 3000;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = sim.simulator.inventory().subList(0, 2500);

      h.create("stop-2500", servers, spec -> {});
      var done = h.awaitPhase("stop-2500", Phase.Succeeded, Duration.ofSeconds(60));

      var status = done.getStatus();
      assertThat(status.getProgress()).isEqualTo("2500/2500");
      assertThat(status.getSucceeded()).isEqualTo(2500);
      assertThat(status.getFailed()).isZero();
      assertThat(status.getBatches())
          .hasSize(3)
          .allSatisfy(
              b -> {
                assertThat(b.getState()).isEqualTo(BatchState.Succeeded);
                assertThat(b.getJobId()).isNotBlank();
              });
      assertThat(status.getBatches())
          .extracting(BatchStatus::getSize)
          .containsExactly(1000, 1000, 500);
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(3);
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(status.getConditions())
          .extracting("type", "status")
          .contains(
              org.assertj.core.groups.Tuple.tuple("Complete", "True"),
              org.assertj.core.groups.Tuple.tuple("Failed", "False"));
      assertThat(h.events("stop-2500"))
          .extracting(e -> e.getReason())
          .contains("Accepted", "BatchSubmitted", "AllServersDone");
    }
  }

  @Test
  void serversFailingInSubJobsAreRetriedUpToMaxAttemptsThenReported() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 100;
                  o.failServers = 5;
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = sim.simulator.inventory().subList(0, 40);

      h.create(
          "retries",
          servers,
          spec -> {
            spec.setBatchSize(20);
            spec.setRetry(new RetrySpec(3));
          });
      var status =
          h.awaitPhase("retries", Phase.PartiallySucceeded, Duration.ofSeconds(60)).getStatus();

      assertThat(status.getSucceeded()).isEqualTo(35);
      assertThat(status.getFailed()).isEqualTo(5);
      assertThat(status.getFailureCounts()).containsEntry("BMS.0006", 5);
      assertThat(status.getFailedServers())
          .hasSize(5)
          .allSatisfy(
              f -> {
                assertThat(f.getCode()).isEqualTo("BMS.0006");
                assertThat(f.getAttempts()).isEqualTo(3);
                assertThat(f.getReason()).isNull();
              });
      assertThat(status.getFailureReasons())
          .containsEntry("BMS.0006", "Fail to operate baremetal server.");
      assertThat(status.getFailedServers())
          .extracting(FailedServer::getId)
          .containsExactlyInAnyOrderElementsOf(servers.subList(0, 5));
      var perServer = sim.stats().path("submissionsPerServer");
      servers.subList(0, 5).forEach(id -> assertThat(perServer.path(id).asInt()).isEqualTo(3));
      servers.subList(5, 40).forEach(id -> assertThat(perServer.path(id).asInt()).isEqualTo(1));
      assertThat(Conditions.isTrue(status.getConditions(), "Failed")).isTrue();
    }
  }

  @Test
  void unknownServersFailWithoutRetriesWhenTheCloudRejectsTheRequest() {
    assertUnknownServersFail(SimulatorOptions.UnknownIdMode.reject, 0);
  }

  @Test
  void unknownServersFailWithoutRetriesWhenTheCloudFailsTheirSubJob() {
    assertUnknownServersFail(SimulatorOptions.UnknownIdMode.fail, 1);
  }

  private void assertUnknownServersFail(
      SimulatorOptions.UnknownIdMode mode, int expectedUnknownSubmissions) {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 50;
                  o.unknownIds = mode;
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> ghosts = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
      List<String> servers = new ArrayList<>(sim.simulator.inventory().subList(0, 10));
      servers.add(3, ghosts.get(0));
      servers.add(ghosts.get(1));

      h.create("ghosts", servers, spec -> spec.setRetry(new RetrySpec(3)));
      var status =
          h.awaitPhase("ghosts", Phase.PartiallySucceeded, Duration.ofSeconds(60)).getStatus();

      assertThat(status.getSucceeded()).isEqualTo(10);
      assertThat(status.getFailed()).isEqualTo(2);
      assertThat(status.getFailedServers())
          .extracting(FailedServer::getId, FailedServer::getCode)
          .containsExactlyInAnyOrder(
              tuple(ghosts.get(0), "BMS.0040"), tuple(ghosts.get(1), "BMS.0040"));
      var stats = sim.stats();
      ghosts.forEach(
          id ->
              assertThat(stats.path("submissionsPerServer").path(id).asInt())
                  .isEqualTo(expectedUnknownSubmissions));
      sim.simulator
          .inventory()
          .subList(0, 10)
          .forEach(
              id -> assertThat(stats.path("submissionsPerServer").path(id).asInt()).isEqualTo(1));
      assertThat(h.events("ghosts")).extracting(e -> e.getReason()).contains("SomeServersFailed");
    }
  }

  @Test
  void convergesThroughA429StormAndFivePercent5xxWithoutSubmittingAnyServerTwice() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 400;
                  o.throttleEvery = 10;
                  o.throttleBurst = 4;
                  o.serverErrorRate = 0.05;
                  o.jobDuration = Duration.ofMillis(500);
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create("storm", sim.simulator.inventory(), spec -> spec.setBatchSize(100));
      var status = h.awaitPhase("storm", Phase.Succeeded, Duration.ofSeconds(120)).getStatus();

      var stats = sim.stats();
      assertThat(status.getSucceeded()).isEqualTo(400);
      assertThat(stats.path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(stats.path("serversSubmitted").asInt()).isEqualTo(400);
      assertThat(stats.path("actionCalls").asInt()).isEqualTo(4);
      assertThat(
              stats.path("requests").path("submit 429").asInt()
                  + stats.path("requests").path("getJob 429").asInt())
          .isPositive();
    }
  }

  @Test
  void aConnectionDroppedAfterTheActionWasAcceptedIsRecoveredWithoutASecondSubmission() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 200;
                  o.dropAfterAccept = 1;
                  o.jobDuration = Duration.ofSeconds(2);
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create("dropped", sim.simulator.inventory(), spec -> spec.setBatchSize(100));
      var status = h.awaitPhase("dropped", Phase.Succeeded, Duration.ofSeconds(60)).getStatus();

      var stats = sim.stats();
      assertThat(stats.path("requests").path("submit dropped").asInt()).isEqualTo(1);
      assertThat(stats.path("actionCalls").asInt()).isEqualTo(2);
      assertThat(stats.path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(status.getSucceeded()).isEqualTo(200);
      assertThat(status.getBatches())
          .anySatisfy(
              b -> {
                assertThat(b.getJobId()).isNull();
                assertThat(b.getMessage()).contains("100 taken, 0 not taken");
              });
      assertThat(h.events("dropped"))
          .extracting(e -> e.getReason())
          .contains("SubmissionUnanswered", "SubmissionRecovered");
    }
  }

  @Test
  void startAndRebootWorkLikeStop() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 30);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      var client = sim.client(sim.akSk());
      List<String> servers = sim.simulator.inventory().subList(0, 20);

      h.create("stop", servers, spec -> {});
      h.awaitPhase("stop", Phase.Succeeded, Duration.ofSeconds(30));
      assertThat(servers).allSatisfy(id -> assertThat(client.getServer(id).isOff()).isTrue());

      h.create("start", servers, spec -> spec.setAction(PowerAction.Start));
      h.awaitPhase("start", Phase.Succeeded, Duration.ofSeconds(30));
      assertThat(servers).allSatisfy(id -> assertThat(client.getServer(id).isOn()).isTrue());

      h.create("reboot", servers, spec -> spec.setAction(PowerAction.Reboot));
      var rebooted = h.awaitPhase("reboot", Phase.Succeeded, Duration.ofSeconds(30));
      assertThat(rebooted.getStatus().getSucceeded()).isEqualTo(20);
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(3);
    }
  }

  @Test
  void stoppingAlreadyStoppedServersCountsAsSuccess() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 10);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create("first", sim.simulator.inventory(), spec -> {});
      h.awaitPhase("first", Phase.Succeeded, Duration.ofSeconds(30));
      h.create("again", sim.simulator.inventory(), spec -> {});
      var again = h.awaitPhase("again", Phase.Succeeded, Duration.ofSeconds(30));

      assertThat(again.getStatus().getSucceeded()).isEqualTo(10);
      assertThat(again.getStatus().getFailedServers()).isEmpty();
    }
  }
}
