package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.FailedNode;
import io.bmspower.api.v1alpha1.NodeRolloutStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.nodes.NodeLedger;
import io.bmspower.nodes.NodeRecord;
import io.bmspower.nodes.NodeStep;
import java.time.Instant;
import java.util.List;

/**
 * A node rollout's status from its ledger: the counts, the nodes in flight, failed and left
 * cordoned, the phase and the conditions. Pure: the same ledger always gives the same status.
 */
final class NodeRolloutReport {

  /** Conditions in display order; the kstatus three first, as for server actions. */
  static final List<String> ORDER =
      List.of(
          "Ready",
          "Reconciling",
          "Stalled",
          "Accepted",
          "CredentialsValid",
          "Progressing",
          "RolloutPaused",
          "NodesCordoned",
          "Complete",
          "Failed",
          "Suspended");

  private NodeRolloutReport() {}

  /**
   * How many nodes are in flight (draining, powering, waiting for Ready): what maxUnavailable
   * bounds. A failed node left cordoned does not count: maxFailures bounds those, so at most
   * maxUnavailable + maxFailures nodes are ever cordoned by one rollout.
   */
  static int inFlight(NodeLedger ledger) {
    return (int) ledger.nodes.stream().filter(n -> n.step.inFlight()).count();
  }

  /** Failures of nodes the rollout started (unresolved nodes never started, so do not count). */
  static int rolloutFailures(NodeLedger ledger) {
    return (int)
        ledger.nodes.stream().filter(n -> n.step == NodeStep.Failed && !n.unresolved()).count();
  }

  static boolean paused(NodeLedger ledger, int maxFailures) {
    return rolloutFailures(ledger) > maxFailures;
  }

  static void write(
      BareMetalPowerActionStatus status,
      NodeLedger ledger,
      String configMap,
      PowerAction action,
      boolean suspended,
      int maxFailures,
      String progressNote,
      long generation,
      Instant now) {
    NodeRolloutStatus n = new NodeRolloutStatus();
    n.setStateConfigMap(configMap);
    n.setResolvedAt(ledger.resolvedAt);
    int total = ledger.nodes.size();
    int pending = (int) ledger.count(NodeStep.Pending);
    int draining = (int) ledger.count(NodeStep.Draining);
    int powering = (int) ledger.count(NodeStep.Powering);
    int waiting = (int) ledger.count(NodeStep.WaitingReady);
    int done = (int) ledger.count(NodeStep.Done);
    int failed = (int) ledger.count(NodeStep.Failed);
    n.setTotal(total);
    n.setPending(pending);
    n.setDraining(draining);
    n.setPowering(powering);
    n.setWaitingReady(waiting);
    n.setSucceeded(done);
    n.setFailed(failed);
    n.setInFlight(
        ledger.nodes.stream()
            .filter(r -> r.step.inFlight())
            .map(r -> r.node)
            .limit(NodeRolloutStatus.MAX_LISTED)
            .toList());
    n.setFailedNodes(
        ledger.nodes.stream()
            .filter(r -> r.step == NodeStep.Failed)
            .limit(NodeRolloutStatus.MAX_LISTED)
            .map(r -> new FailedNode(r.node, r.server, r.reason, r.message))
            .toList());
    List<String> cordoned = leftCordoned(ledger);
    n.setLeftCordoned(cordoned.stream().limit(NodeRolloutStatus.MAX_LISTED).toList());
    n.setLeftCordonedCount(cordoned.size());
    status.setNodes(n);
    status.setTotal(total);
    status.setSucceeded(done);
    status.setFailed(failed);
    status.setInProgress(draining + powering + waiting);
    status.setPending(pending);
    status.setProgress((done + failed) + "/" + total);

    var c = new StampedConditions(status.getConditions(), generation, now, ORDER::indexOf);
    c.set("Accepted", true, "NodesResolved", resolvedMessage(ledger));
    boolean paused = paused(ledger, maxFailures);
    boolean inFlight = draining + powering + waiting > 0;
    if (paused) {
      c.set(
          "RolloutPaused",
          true,
          "TooManyFailures",
          rolloutFailures(ledger)
              + " node(s) failed, more than nodes.maxFailures="
              + maxFailures
              + "; no new node starts. Raise nodes.maxFailures to go on.");
    } else {
      c.set("RolloutPaused", false, "WithinFailureBudget", "no more failures than allowed");
    }
    if (cordoned.isEmpty()) {
      c.set("NodesCordoned", false, "NoneLeft", "this resource leaves no node cordoned");
    } else {
      c.set(
          "NodesCordoned",
          true,
          "LeftCordoned",
          cordoned.size()
              + " node(s) stay cordoned by this resource: "
              + String.join(", ", cordoned.stream().limit(10).toList())
              + (cordoned.size() > 10 ? ", ..." : "")
              + (action == PowerAction.Stop
                  ? " (powered off; a Start with these nodes uncordons them)"
                  : " (not Ready again; uncordon them with kubectl uncordon once fixed)"));
    }
    // Over once nothing is pending or in flight and no failed node still waits for its uncordon.
    boolean finished =
        pending == 0 && !inFlight && ledger.nodes.stream().noneMatch(NodeRecord::releasePending);
    if (finished) {
      Phase phase =
          failed == 0 ? Phase.Succeeded : done > 0 ? Phase.PartiallySucceeded : Phase.Failed;
      status.setPhase(phase);
      if (status.getCompletionTime() == null) {
        status.setCompletionTime(Rfc3339.format(now));
      }
      String message = done + " of " + total + " nodes done, " + failed + " failed";
      boolean ok = phase == Phase.Succeeded;
      c.set("Ready", ok, ok ? "Succeeded" : phase.name(), message);
      c.set("Reconciling", false, phase.name(), message);
      c.set("Stalled", !ok, phase.name(), message);
      c.set("Progressing", false, phase.name(), message);
      c.set("Complete", ok || phase == Phase.PartiallySucceeded, phase.name(), message);
      c.set("Failed", failed > 0, failed > 0 ? "NodesFailed" : "NoneFailed", message);
      c.set("Suspended", false, "NotSuspended", "the rollout is over");
      return;
    }
    String message =
        (done + failed)
            + "/"
            + total
            + " nodes done"
            + (inFlight ? "; in flight: " + String.join(", ", n.getInFlight()) : "")
            + (progressNote == null ? "" : "; " + progressNote);
    c.set("Ready", false, "InProgress", message);
    c.set("Complete", false, "InProgress", message);
    c.set("Failed", failed > 0, failed > 0 ? "NodesFailed" : "NoneFailed", failed + " failed");
    if (paused && !inFlight) {
      status.setPhase(Phase.Running);
      c.set("Reconciling", false, "RolloutPaused", message);
      c.set("Stalled", true, "RolloutPaused", "the rollout is paused: too many failures");
      c.set("Progressing", false, "RolloutPaused", message);
      c.set("Suspended", false, "NotSuspended", "not suspended");
    } else if (suspended && !inFlight) {
      status.setPhase(Phase.Suspended);
      c.set("Reconciling", false, "Suspended", message);
      c.set("Stalled", false, "Suspended", message);
      c.set("Progressing", false, "Suspended", message);
      c.set("Suspended", true, "Suspended", "spec.suspend is true: no new node starts");
    } else {
      status.setPhase(Phase.Running);
      c.set("Reconciling", true, "RollingOut", message);
      c.set("Stalled", false, "RollingOut", message);
      c.set("Progressing", true, "RollingOut", message);
      c.set(
          "Suspended",
          suspended,
          suspended ? "Suspended" : "NotSuspended",
          suspended ? "no new node starts; the nodes in flight finish" : "not suspended");
    }
  }

  /** Nodes this resource cordoned that stay cordoned: powered off, or failed after power. */
  static List<String> leftCordoned(NodeLedger ledger) {
    return ledger.nodes.stream()
        .filter(r -> r.step.finished() && r.holdsCordon())
        .map(r -> r.node)
        .toList();
  }

  static String resolvedMessage(NodeLedger ledger) {
    long unresolved = ledger.nodes.stream().filter(NodeRecord::unresolved).count();
    return ledger.nodes.size()
        + " node(s) selected at "
        + ledger.resolvedAt
        + (unresolved > 0 ? ", " + unresolved + " of them without a known server" : "");
  }
}
