package io.bmspower.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.DrainSpec;
import io.bmspower.api.v1alpha1.FailedNode;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.testing.ControllerManager;
import io.bmspower.testing.KubeletStandIn;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Node rollouts end to end: the operator in-process, a real API server with the real
 * kube-controller-manager (node lifecycle, disruption, pod GC, taint eviction), the simulator over
 * HTTP, and the kubelet stand-in for the Nodes.
 */
class NodeRolloutIT {

  @BeforeAll
  static void controllers() {
    ControllerManager.shared();
  }

  static SimulatorFixture sim() {
    return SimulatorFixture.start(
        o -> {
          o.servers = 60;
          o.jobDuration = Duration.ofSeconds(1);
        });
  }

  static OperatorHarness operator(SimulatorFixture sim) {
    var h = new OperatorHarness(sim);
    h.createAkSkSecret("bms-credentials");
    h.startOperator();
    return h;
  }

  static String condition(BareMetalPowerAction r, String type) {
    if (r == null || r.getStatus() == null) {
      return "absent";
    }
    return r.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getStatus() + " " + c.getReason() + ": " + c.getMessage())
        .findFirst()
        .orElse("absent");
  }

  @Test
  void rollingRebootOfThirtyNodesFiveAtATime() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 30)) {
      for (String node : pool.names) {
        pool.pod("web-" + node, node, Map.of("app", "web"));
      }
      pool.rollout(
          "reboot-pool",
          PowerAction.Reboot,
          t -> {
            t.setMaxUnavailable(new IntOrString(5));
          });

      var done = h.awaitPhase("reboot-pool", Phase.Succeeded, Duration.ofMinutes(4));

      assertThat(pool.maxCordonedAtOnce()).isBetween(2, 5);
      for (String node : pool.names) {
        assertThat(pool.timesCordoned(node)).as(node + " cordoned (drained) once").isEqualTo(1);
        assertThat(pool.submissions(node)).as(node + "'s server rebooted once").isEqualTo(1);
        Node n = pool.node(node);
        assertThat(n.getSpec().getUnschedulable()).as(node + " uncordoned").isNotEqualTo(true);
        assertThat(n.getMetadata().getAnnotations()).doesNotContainKey(NodeApi.CORDONED_BY);
        assertThat(pool.pod("web-" + node)).as("evicted from " + node).isNull();
      }
      var nodes = done.getStatus().getNodes();
      assertThat(nodes.getTotal()).isEqualTo(30);
      assertThat(nodes.getSucceeded()).isEqualTo(30);
      assertThat(nodes.getInFlight()).isEmpty();
      assertThat(done.getStatus().getProgress()).isEqualTo("30/30");
      assertThat(condition(done, "Ready")).startsWith("True");
      assertThat(condition(done, "NodesCordoned")).startsWith("False");
    }
  }

  @Test
  void aPodDisruptionBudgetBlocksTheDrainAndTheNodeIsNotPowered() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 2)) {
      String guarded = pool.names.get(0);
      pool.pod("db-0", guarded, Map.of("app", "db"));
      h.client.resource(KubeletStandIn.keepOne(h.namespace, "db-budget", "db")).create();
      // The disruption controller has counted the pod: evictions are now really refused.
      KubeletStandIn.awaitBudgetCounted(h.client, h.namespace, "db-budget", 1);
      pool.rollout(
          "reboot-guarded",
          PowerAction.Reboot,
          t -> {
            t.setMaxFailures(1);
            var drain = new DrainSpec();
            drain.setTimeoutSeconds(4L);
            t.setDrain(drain);
          });

      var done = h.awaitPhase("reboot-guarded", Phase.PartiallySucceeded, Duration.ofMinutes(2));

      FailedNode failed = done.getStatus().getNodes().getFailedNodes().get(0);
      assertThat(failed.getName()).isEqualTo(guarded);
      assertThat(failed.getReason()).isEqualTo(NodeReasons.DRAIN_TIMEOUT);
      assertThat(failed.getMessage())
          .contains("so the server was not powered")
          .contains(h.namespace + "/db-0")
          .contains("db-budget");
      assertThat(pool.submissions(guarded)).as("never powered").isZero();
      assertThat(pool.pod("db-0")).as("the guarded pod stays").isNotNull();
      assertThat(pool.node(guarded).getSpec().getUnschedulable()).isNotEqualTo(true);
      assertThat(pool.submissions(pool.names.get(1))).isEqualTo(1);
      assertThat(h.events("reboot-guarded"))
          .extracting(e -> e.getReason())
          .contains(NodeReasons.DRAIN_TIMEOUT);
    }
  }

  @Test
  void aNodeThatNeverComesBackPausesTheRolloutUntilMaxFailuresIsRaised() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 3)) {
      String lost = pool.names.get(0);
      pool.broken.add(pool.serverOf.get(lost));
      pool.rollout("reboot-one-lost", PowerAction.Reboot, t -> t.setReadyTimeoutSeconds(8L));

      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> condition(h.get("reboot-one-lost"), "RolloutPaused").startsWith("True"));
      var paused = h.get("reboot-one-lost");
      assertThat(paused.getStatus().getPhase()).isEqualTo(Phase.Running);
      assertThat(condition(paused, "Stalled")).startsWith("True RolloutPaused");
      assertThat(paused.getStatus().getNodes().getFailedNodes())
          .extracting(FailedNode::getName, FailedNode::getReason)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(lost, NodeReasons.NOT_READY));
      assertThat(paused.getStatus().getNodes().getLeftCordoned()).containsExactly(lost);
      assertThat(pool.node(lost).getSpec().getUnschedulable()).isTrue();
      // The node lifecycle controller saw the silent kubelet too.
      await().atMost(Duration.ofSeconds(20)).until(() -> !NodePool.ready(pool.node(lost)));
      assertThat(pool.submissions(pool.names.get(1))).as("no new node started").isZero();
      assertThat(pool.submissions(pool.names.get(2))).isZero();

      var r = h.get("reboot-one-lost");
      r.getSpec().getNodes().setMaxFailures(1);
      h.client.resource(r).update();
      var done = h.awaitPhase("reboot-one-lost", Phase.PartiallySucceeded, Duration.ofMinutes(1));

      assertThat(done.getStatus().getNodes().getSucceeded()).isEqualTo(2);
      assertThat(pool.submissions(pool.names.get(1))).isEqualTo(1);
      assertThat(pool.submissions(pool.names.get(2))).isEqualTo(1);
      assertThat(condition(done, "NodesCordoned")).startsWith("True LeftCordoned").contains(lost);
    }
  }

  @Test
  void stopWithFencingTaintsAfterShutoffAndPodGcRemovesThePodsThenStartLiftsIt() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 1)) {
      String node = pool.names.get(0);
      // A pod the drain leaves (outside its podSelector): only fencing moves it off.
      pool.pod("stateful-0", node, Map.of("app", "db", "keep", "true"));
      pool.rollout(
          "stop-fenced",
          PowerAction.Stop,
          t -> {
            t.setFencing(true);
            var drain = new DrainSpec();
            drain.setPodSelector("keep!=true");
            t.setDrain(drain);
          });

      var stopped = h.awaitPhase("stop-fenced", Phase.Succeeded, Duration.ofMinutes(1));
      assertThat(sim.simulator.serverStatus(pool.serverOf.get(node))).isEqualTo("SHUTOFF");
      Node fenced = pool.node(node);
      assertThat(fenced.getSpec().getTaints())
          .anySatisfy(
              t -> {
                assertThat(t.getKey()).isEqualTo(NodeApi.OUT_OF_SERVICE);
                assertThat(t.getValue()).isEqualTo("nodeshutdown");
                assertThat(t.getEffect()).isEqualTo("NoExecute");
              });
      assertThat(fenced.getSpec().getUnschedulable()).isTrue();
      assertThat(stopped.getStatus().getNodes().getLeftCordoned()).containsExactly(node);
      // Taint eviction marks the pod terminating; pod GC force-deletes it on the dead node.
      await().atMost(Duration.ofSeconds(60)).until(() -> pool.pod("stateful-0") == null);
      assertThat(pool.kubelets.completedDeletions(node))
          .as("no kubelet finished it: the pod garbage collector did")
          .isZero();

      pool.rollout("start-again", PowerAction.Start, t -> {});
      h.awaitPhase("start-again", Phase.Succeeded, Duration.ofMinutes(1));
      Node back = pool.node(node);
      assertThat(back.getSpec().getUnschedulable()).isNotEqualTo(true);
      assertThat(back.getSpec().getTaints() == null ? List.of() : back.getSpec().getTaints())
          .noneMatch(t -> NodeApi.OUT_OF_SERVICE.equals(t.getKey()));
      assertThat(back.getMetadata().getAnnotations())
          .doesNotContainKeys(NodeApi.CORDONED_BY, NodeApi.FENCED_BY);
      assertThat(NodePool.ready(back)).isTrue();
    }
  }

  @Test
  void deletingARolloutMidDrainUncordonsItsNodeAndSaysSo() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 2)) {
      String node = pool.names.get(0);
      pool.pod("db-0", node, Map.of("app", "db"));
      h.client.resource(KubeletStandIn.noDisruption(h.namespace, "db-budget", "db")).create();
      pool.rollout("reboot-then-delete", PowerAction.Reboot, t -> {});
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Boolean.TRUE.equals(pool.node(node).getSpec().getUnschedulable()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> condition(h.get("reboot-then-delete"), "Progressing").contains("db-budget"));

      h.client.resource(h.get("reboot-then-delete")).delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> h.get("reboot-then-delete") == null);

      assertThat(pool.node(node).getSpec().getUnschedulable()).isNotEqualTo(true);
      assertThat(pool.submissions(node)).isZero();
      assertThat(
              h.client.v1().events().inNamespace("default").list().getItems().stream()
                  .filter(e -> node.equals(e.getInvolvedObject().getName()))
                  .map(e -> e.getReason() + ": " + e.getMessage()))
          .anyMatch(e -> e.startsWith("Uncordoned: " + h.namespace + "/reboot-then-delete"));
    }
  }

  @Test
  void aRolloutThePoliciesRefuseCordonsNothing() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 2)) {
      String tenant = "t" + pool.pool;
      h.client
          .namespaces()
          .withName(h.namespace)
          .edit(
              n ->
                  new io.fabric8.kubernetes.api.model.NamespaceBuilder(n)
                      .editMetadata()
                      .addToLabels("bmspower.io/tenant", tenant)
                      .endMetadata()
                      .build());
      var spec = new io.bmspower.api.v1alpha1.BareMetalPowerPolicySpec();
      spec.setActions(List.of(PowerAction.Start, PowerAction.Stop));
      spec.setNamespaceSelector(
          new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
              .addToMatchLabels("bmspower.io/tenant", tenant)
              .build());
      var policy = new io.bmspower.api.v1alpha1.BareMetalPowerPolicy();
      policy.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
              .withName("nodes-" + tenant)
              .build());
      policy.setSpec(spec);
      h.client.resource(policy).create();
      try {
        pool.rollout("reboot-refused", PowerAction.Reboot, t -> {});
        var failed = h.awaitPhase("reboot-refused", Phase.Failed, Duration.ofSeconds(30));
        assertThat(condition(failed, "Failed"))
            .startsWith("True NotPermitted: no node was cordoned")
            .contains("does not grant Reboot");
        for (String node : pool.names) {
          assertThat(pool.timesCordoned(node)).isZero();
          assertThat(pool.submissions(node)).isZero();
        }
      } finally {
        h.client.resource(policy).delete();
      }
    }
  }

  @Test
  void aResourceThatOnlyHasTheChildsNameIsNeverAdopted() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 1)) {
      String node = pool.names.get(0);
      // Someone's own action, named as the rollout's child for this node would be, on another
      // server.
      String other = sim.simulator.inventory().get(40);
      h.create("reboot-named-" + node, List.of(other), spec -> spec.setSuspend(true));
      pool.rollout("reboot-named", PowerAction.Reboot, t -> {});

      var failed = h.awaitPhase("reboot-named", Phase.Failed, Duration.ofSeconds(60));
      assertThat(failed.getStatus().getNodes().getFailedNodes())
          .extracting(FailedNode::getReason)
          .containsExactly(NodeReasons.NAME_CONFLICT);
      assertThat(pool.submissions(node)).isZero();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !Boolean.TRUE.equals(pool.node(node).getSpec().getUnschedulable()));
    }
  }

  @Test
  void deletingAFinishedStopLeavesItsNodeCordonedAndSaysSoOnTheNode() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 1)) {
      String node = pool.names.get(0);
      pool.rollout("stop-then-delete", PowerAction.Stop, t -> {});
      var stopped = h.awaitPhase("stop-then-delete", Phase.Succeeded, Duration.ofSeconds(60));
      assertThat(condition(stopped, "NodesCordoned")).startsWith("True LeftCordoned");

      h.client.resource(stopped).delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> h.get("stop-then-delete") == null);

      assertThat(pool.node(node).getSpec().getUnschedulable()).isTrue();
      assertThat(
              h.client.v1().events().inNamespace("default").list().getItems().stream()
                  .filter(e -> node.equals(e.getInvolvedObject().getName()))
                  .map(e -> e.getReason() + ": " + e.getMessage()))
          .anyMatch(
              e ->
                  e.startsWith("NodeLeftCordoned: " + h.namespace + "/stop-then-delete was deleted")
                      && e.contains("kubectl uncordon " + node));
    }
  }

  @Test
  void twoRolloutsNeverWorkOnOneNodeAtOnce() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 1)) {
      String node = pool.names.get(0);
      pool.pod("db-0", node, Map.of("app", "db"));
      var budget =
          h.client.resource(KubeletStandIn.noDisruption(h.namespace, "db-budget", "db")).create();
      pool.rollout("first", PowerAction.Reboot, t -> {});
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> condition(h.get("first"), "Progressing").contains("db-budget"));
      pool.rollout("second", PowerAction.Reboot, t -> {});
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  condition(h.get("second"), "Progressing")
                      .contains(
                          node + " waits: rollout " + h.namespace + "/first holds its cordon"));

      h.client.resource(budget).delete();
      h.client.resource(h.get("first")).delete();
      h.awaitPhase("second", Phase.Succeeded, Duration.ofSeconds(60));

      assertThat(pool.submissions(node)).as("rebooted once, by the second").isEqualTo(1);
      assertThat(pool.node(node).getSpec().getUnschedulable()).isNotEqualTo(true);
    }
  }

  @Test
  void suspendStartsNoNodeUntilResumed() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 2)) {
      h.create(
          "reboot-suspended",
          List.of(),
          spec -> {
            spec.setAction(PowerAction.Reboot);
            spec.setSuspend(true);
            var t = new io.bmspower.api.v1alpha1.NodeTarget();
            t.setNames(pool.names);
            spec.setNodes(t);
          });
      var suspended = h.awaitPhase("reboot-suspended", Phase.Suspended, Duration.ofSeconds(30));
      assertThat(condition(suspended, "Suspended")).startsWith("True");
      assertThat(suspended.getStatus().getNodes().getPending()).isEqualTo(2);
      for (String node : pool.names) {
        assertThat(pool.timesCordoned(node)).isZero();
      }

      var r = h.get("reboot-suspended");
      r.getSpec().setSuspend(false);
      h.client.resource(r).update();
      h.awaitPhase("reboot-suspended", Phase.Succeeded, Duration.ofSeconds(60));
      for (String node : pool.names) {
        assertThat(pool.submissions(node)).isEqualTo(1);
      }
    }
  }

  @Test
  void aDryRunResolvesAndReportsEachNodeAndTouchesNothing() {
    try (var sim = sim();
        var h = operator(sim);
        var pool = new NodePool(h, sim.simulator.inventory(), 2)) {
      String ghost = pool.pool + "-ghost";
      h.create(
          "reboot-dry",
          List.of(),
          spec -> {
            spec.setAction(PowerAction.Reboot);
            spec.setDryRun(true);
            var t = new io.bmspower.api.v1alpha1.NodeTarget();
            t.setNames(List.of(pool.names.get(0), pool.names.get(1), ghost));
            spec.setNodes(t);
          });
      var done = h.awaitPhase("reboot-dry", Phase.Failed, Duration.ofSeconds(30));
      assertThat(condition(done, "Complete"))
          .isEqualTo("True DryRun: dry run: 2 of 3 nodes map to known servers; nothing done");
      assertThat(done.getStatus().getNodes().getFailedNodes())
          .extracting(FailedNode::getName, FailedNode::getReason)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(ghost, NodeReasons.NODE_NOT_FOUND));
      for (String node : pool.names) {
        assertThat(pool.timesCordoned(node)).isZero();
        assertThat(pool.submissions(node)).isZero();
      }
    }
  }
}
