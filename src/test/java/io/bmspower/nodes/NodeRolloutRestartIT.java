package io.bmspower.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.DrainSpec;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.testing.ControllerManager;
import io.bmspower.testing.KubeletStandIn;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.OperatorProcess;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator jar as a separate process, killed (SIGKILL) mid-drain and twice mid-rollout, then
 * started again: no node is cordoned (drained) twice and no server is powered twice, counted on the
 * Nodes themselves and by the simulator.
 */
class NodeRolloutRestartIT {

  static final Path WORK = Path.of("target/node-restarts");

  @BeforeAll
  static void controllers() {
    ControllerManager.shared();
  }

  static List<String> args(OperatorHarness h) {
    return List.of(
        "--namespaces", h.namespace,
        "--health-port", "0",
        "--leader-election", "false",
        "--ambiguous-grace", "2s",
        "--cloud-request-timeout", "5s",
        "--batch-linger", "1s",
        "--batch-max-wait", "5s",
        "--poll-interval-min", "500ms",
        "--poll-interval-max", "2s",
        "--retry-backoff-base", "500ms",
        "--retry-backoff-cap", "2s");
  }

  /** How many nodes of the rollout's ledger are in this step now (the ConfigMap's truth). */
  static long inStep(OperatorHarness h, String rollout, NodeStep step) {
    var cm = h.client.configMaps().inNamespace(h.namespace).withName(rollout + "-nodes").get();
    if (cm == null) {
      return 0;
    }
    return NodeLedger.parse(cm.getData().get(NodeLedger.KEY)).count(step);
  }

  @Test
  void killedMidDrainAndMidRolloutNoNodeIsDrainedOrPoweredTwice() throws Exception {
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 40;
                  o.jobDuration = Duration.ofSeconds(2);
                });
        var h = new OperatorHarness(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 10)) {
      h.createAkSkSecret("bms-credentials");
      for (String node : pool.names) {
        pool.pod("web-" + node, node, Map.of("app", "web-" + node));
      }
      String first = pool.names.get(0);
      pool.pod("db-0", first, Map.of("app", "db"));
      h.client.resource(KubeletStandIn.noDisruption(h.namespace, "db-budget", "db")).create();
      pool.rollout(
          "reboot-restarted",
          PowerAction.Reboot,
          t -> {
            t.setMaxUnavailable(new IntOrString(3));
            var drain = new DrainSpec();
            drain.setTimeoutSeconds(300L);
            t.setDrain(drain);
          });
      Map<String, String> env = Map.of("BMS_MAX_INTENT_AGE", "10s");

      // 1. Mid-drain: the first node is cordoned and its drain held by the budget.
      try (var p = OperatorProcess.start("first", WORK, env, args(h))) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> Boolean.TRUE.equals(pool.node(first).getSpec().getUnschedulable()));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> inStep(h, "reboot-restarted", NodeStep.Powering) > 0);
        p.kill();
      }
      assertThat(inStep(h, "reboot-restarted", NodeStep.Draining)).isGreaterThan(0);

      // 2. Mid-rollout: nodes waiting to be Ready again.
      try (var p = OperatorProcess.start("second", WORK, env, args(h))) {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> inStep(h, "reboot-restarted", NodeStep.WaitingReady) > 0);
        p.kill();
      }
      h.client
          .policy()
          .v1()
          .podDisruptionBudget()
          .inNamespace(h.namespace)
          .withName("db-budget")
          .delete();

      // 3. Mid-rollout again, as soon as a node's power action is recorded.
      try (var p = OperatorProcess.start("third", WORK, env, args(h))) {
        long done = inStep(h, "reboot-restarted", NodeStep.Done);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    inStep(h, "reboot-restarted", NodeStep.Done) > done
                        && inStep(h, "reboot-restarted", NodeStep.Powering) > 0);
        p.kill();
      }

      try (var p = OperatorProcess.start("fourth", WORK, env, args(h))) {
        h.awaitPhase("reboot-restarted", Phase.Succeeded, Duration.ofMinutes(4));
      }

      for (String node : pool.names) {
        assertThat(pool.timesCordoned(node)).as(node + " cordoned (drained) once").isEqualTo(1);
        assertThat(pool.submissions(node)).as(node + "'s server rebooted once").isEqualTo(1);
        assertThat(pool.node(node).getSpec().getUnschedulable()).isNotEqualTo(true);
        assertThat(pool.pod("web-" + node)).isNull();
      }
      assertThat(pool.pod("db-0")).isNull();
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
    }
  }
}
