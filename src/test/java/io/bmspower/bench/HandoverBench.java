package io.bmspower.bench;

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

  private static long awaitMoreCalls(SimulatorFixture sim, long than, Duration atMost)
      throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      long calls = sim.stats().path("actionCalls").asLong();
      if (calls > than) {
        return calls;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no action call within " + atMost);
  }

  private static String awaitHolder(OperatorHarness h, String previous)
      throws InterruptedException {
    for (int i = 0; i < 1200; i++) {
      Lease lease = h.client.leases().inNamespace(h.namespace).withName("bms-power-operator").get();
      String holder = lease == null ? null : lease.getSpec().getHolderIdentity();
      if (holder != null && !holder.isBlank() && !holder.equals(previous)) {
        return holder;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no new Lease holder within 2 minutes");
  }
}
