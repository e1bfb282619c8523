package io.bmspower.bench;

import static org.awaitility.Awaitility.await;

import io.bmspower.config.OperatorSettings;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.OperatorProcess;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Leader handover as the chart's defaults make it: two operator processes (the jar) with leader
 * election and the default Lease timings, a stream of work, the leader killed with SIGKILL.
 * Measures the time from the kill to the first action call the new leader makes (the simulator sees
 * it). Target: at most the lease duration + 10 s.
 */
final class HandoverBench {

  static final Path WORK = Path.of("target/bench-handover");

  /** The report line; contains MISSED when the target does not hold. */
  String run() throws Exception {
    OperatorSettings defaults = new OperatorSettings();
    Duration target = defaults.leaseDuration.plusSeconds(10);
    LocalControlPlane.get();
    try (var sim = SimulatorFixture.start(o -> o.servers = 200);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      List<String> args =
          List.of(
              "--namespaces",
              h.namespace,
              "--health-port",
              "0",
              "--leader-election",
              "true",
              "--lease-namespace",
              h.namespace);
      try (var first = OperatorProcess.start("first", WORK, Map.of(), args);
          var second = OperatorProcess.start("second", WORK, Map.of(), args)) {
        String leader = awaitHolder(h, null);
        List<String> servers = sim.simulator.inventory();
        h.create("before", servers.subList(0, 100), spec -> spec.setBatchSize(1));
        long calls = awaitMoreCalls(sim, 0, Duration.ofSeconds(60));

        OperatorProcess killed = leader.equals(first.name()) ? first : second;
        long killedAt = System.nanoTime();
        killed.kill();
        // Work that arrives during the handover, as a kubectl apply would bring it.
        h.create("during", servers.subList(100, 200), spec -> spec.setBatchSize(1));
        awaitMoreCalls(sim, sim.stats().path("actionCalls").asLong(), Duration.ofMinutes(3));
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        String newLeader = awaitHolder(h, leader);
        boolean holds = seconds <= target.toSeconds();
        return String.format(
            "handover: SIGKILL of the leader (%s) to the first action call of the new one (%s):"
                + " %.1fs (lease %ds; target <= %ds) | %s; %d calls before the kill",
            leader,
            newLeader,
            seconds,
            defaults.leaseDuration.toSeconds(),
            target.toSeconds(),
            holds ? "holds" : "MISSED",
            calls);
      }
    }
  }

  private static long awaitMoreCalls(SimulatorFixture sim, long than, Duration atMost) {
    return await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> sim.stats().path("actionCalls").asLong(), calls -> calls > than);
  }

  private static String awaitHolder(OperatorHarness h, String previous) {
    return await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Lease lease =
                  h.client.leases().inNamespace(h.namespace).withName("bms-power-operator").get();
              return lease == null ? null : lease.getSpec().getHolderIdentity();
            },
            holder -> holder != null && !holder.isBlank() && !holder.equals(previous));
  }
}
