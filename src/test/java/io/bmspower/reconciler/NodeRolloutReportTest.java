package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.nodes.NodeLedger;
import io.bmspower.nodes.NodeReasons;
import io.bmspower.nodes.NodeRecord;
import io.bmspower.nodes.NodeStep;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeRolloutReportTest {

  static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

  static NodeLedger ledger(NodeStep... steps) {
    NodeLedger l = new NodeLedger();
    l.resolvedAt = "2026-11-28T09:00:00Z";
    for (int i = 0; i < steps.length; i++) {
      NodeRecord r = new NodeRecord("node-" + i, "server-" + i);
      r.step = steps[i];
      r.cordoned = steps[i].inFlight();
      l.nodes.add(r);
    }
    return l;
  }

  static String condition(BareMetalPowerActionStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(Condition::getStatus)
        .findFirst()
        .orElse("absent");
  }

  @Test
  void maxUnavailableBoundsNodesInFlightNotFailedOnesLeftCordoned() {
    NodeLedger l = ledger(NodeStep.Draining, NodeStep.WaitingReady, NodeStep.Done, NodeStep.Failed);
    l.nodes.get(3).cordoned = true;
    assertThat(NodeRolloutReport.inFlight(l)).isEqualTo(2);
  }

  @Test
  void unresolvedNodesDoNotSpendTheFailureBudget() {
    NodeLedger l = ledger(NodeStep.Pending, NodeStep.Pending);
    l.nodes.add(NodeRecord.failedRecord("ghost", null, NodeReasons.NODE_NOT_FOUND, "no Node"));
    assertThat(NodeRolloutReport.paused(l, 0)).isFalse();
    l.nodes.get(0).step = NodeStep.Failed;
    l.nodes.get(0).reason = NodeReasons.NOT_READY;
    assertThat(NodeRolloutReport.paused(l, 0)).isTrue();
    assertThat(NodeRolloutReport.paused(l, 1)).isFalse();
  }

  @Test
  void aPausedRolloutIsStalledNotOver() {
    NodeLedger l = ledger(NodeStep.Failed, NodeStep.Pending, NodeStep.Done);
    l.nodes.get(0).reason = NodeReasons.NOT_READY;
    l.nodes.get(0).cordoned = true;
    var s = new BareMetalPowerActionStatus();
    NodeRolloutReport.write(s, l, "cm", PowerAction.Reboot, false, 0, null, 1, NOW);
    assertThat(s.getPhase()).isEqualTo(Phase.Running);
    assertThat(condition(s, "RolloutPaused")).isEqualTo("True");
    assertThat(condition(s, "Stalled")).isEqualTo("True");
    assertThat(condition(s, "NodesCordoned")).isEqualTo("True");
    assertThat(s.getNodes().getLeftCordoned()).containsExactly("node-0");
    assertThat(s.getProgress()).isEqualTo("2/3");
  }

  @Test
  void overWhenNothingIsPendingOrInFlight() {
    var s = new BareMetalPowerActionStatus();
    NodeRolloutReport.write(
        s, ledger(NodeStep.Done, NodeStep.Done), "cm", PowerAction.Reboot, false, 0, null, 1, NOW);
    assertThat(s.getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(condition(s, "Ready")).isEqualTo("True");
    assertThat(s.getCompletionTime()).isEqualTo("2026-11-28T10:00:00Z");

    NodeLedger partly = ledger(NodeStep.Done, NodeStep.Failed);
    var p = new BareMetalPowerActionStatus();
    NodeRolloutReport.write(p, partly, "cm", PowerAction.Stop, false, 5, null, 1, NOW);
    assertThat(p.getPhase()).isEqualTo(Phase.PartiallySucceeded);
  }

  @Test
  void notOverWhileAFailedNodeStillWaitsForItsUncordon() {
    NodeLedger l = ledger(NodeStep.Done, NodeStep.Failed);
    l.nodes.get(1).reason = NodeReasons.DRAIN_TIMEOUT;
    l.nodes.get(1).cordoned = true;
    var s = new BareMetalPowerActionStatus();
    NodeRolloutReport.write(s, l, "cm", PowerAction.Reboot, false, 5, null, 1, NOW);
    assertThat(s.getPhase()).isEqualTo(Phase.Running);
    l.nodes.get(1).cordoned = false;
    NodeRolloutReport.write(s, l, "cm", PowerAction.Reboot, false, 5, null, 1, NOW);
    assertThat(s.getPhase()).isEqualTo(Phase.PartiallySucceeded);
  }

  @Test
  void suspendedWithNothingInFlight() {
    var s = new BareMetalPowerActionStatus();
    NodeRolloutReport.write(
        s,
        ledger(NodeStep.Done, NodeStep.Pending),
        "cm",
        PowerAction.Reboot,
        true,
        0,
        null,
        1,
        NOW);
    assertThat(s.getPhase()).isEqualTo(Phase.Suspended);
    assertThat(condition(s, "Suspended")).isEqualTo("True");
  }
}
