package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The three readings of the cloud the issue names, played by the simulator over HTTP against the
 * real API server (each is also covered per reading in the unit tier): a whole action call refused
 * with BMS.0039, a server list whose count is capped at the page size, and a 502 that arrives after
 * the cloud created the job.
 */
class OpenReadingsIT {

  @Test
  void aWholeCallRefusedAsAlreadyStoppedStopsTheRunningServersAndCountsTheStoppedOnesDone() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 10;
                  o.stopped = 5;
                  o.stateErrors = SimulatorOptions.StateErrors.whole_call;
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create("rack", sim.simulator.inventory(), spec -> spec.setAction(PowerAction.Stop));
      var status = h.awaitPhase("rack", Phase.Succeeded, Duration.ofSeconds(60)).getStatus();

      assertThat(status.getSucceeded()).isEqualTo(10);
      assertThat(sim.stats().path("serversSubmitted").asInt()).as("the running five").isEqualTo(5);
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
    }
  }

  @Test
  void aListWhoseCountIsCappedAtThePageMakesNoServerPastTheFirstPageLookAbsent() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 2500;
                  o.listPaging = SimulatorOptions.ListPaging.capped_count;
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();
      List<String> servers = new ArrayList<>(sim.simulator.inventory().subList(1500, 1600));
      String ghost = UUID.randomUUID().toString();
      servers.add(ghost);

      // The cloud rejects the call for the unknown server; the list API finds which one it is.
      h.create("past-first-page", servers, spec -> {});
      var status =
          h.awaitPhase("past-first-page", Phase.PartiallySucceeded, Duration.ofSeconds(60))
              .getStatus();

      assertThat(status.getSucceeded()).isEqualTo(100);
      assertThat(status.getFailedServers())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.getId()).isEqualTo(ghost);
                assertThat(f.getCode()).isEqualTo("BMS.0040");
              });
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
    }
  }

  @Test
  void aServerErrorAfterTheCloudCreatedTheJobIsNotASecondReboot() {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 20;
                  o.post5xx = SimulatorOptions.PostServerErrors.after_accept;
                  o.post5xxRate = 1.0;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      h.startOperator();

      h.create("reboot", sim.simulator.inventory(), spec -> spec.setAction(PowerAction.Reboot));
      var status = h.awaitPhase("reboot", Phase.Succeeded, Duration.ofSeconds(60)).getStatus();

      assertThat(status.getSucceeded()).isEqualTo(20);
      assertThat(sim.stats().path("serversSubmitted").asInt()).isEqualTo(20);
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt())
          .as("every answer was a 5xx, yet no server was rebooted twice")
          .isEqualTo(1);
    }
  }
}
