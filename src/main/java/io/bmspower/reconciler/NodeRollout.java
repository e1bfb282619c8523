package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.DrainSpec;
import io.bmspower.api.v1alpha1.NodeMapping;
import io.bmspower.api.v1alpha1.NodeTarget;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.nodes.DrainPlan;
import io.bmspower.nodes.NodeApi;
import io.bmspower.nodes.NodeLedger;
import io.bmspower.nodes.NodeReasons;
import io.bmspower.nodes.NodeRecord;
import io.bmspower.nodes.NodeStep;
import io.bmspower.nodes.RolloutLimits;
import io.bmspower.nodes.ServerIdMapping;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BareMetalPowerAction with spec.nodes: a rolling power action over Kubernetes Nodes. The node
 * set is resolved once into a ConfigMap the resource owns; each pass moves nodes through cordon and
 * drain, the power action (a child BareMetalPowerAction per node, so every server goes through the
 * same crash-safe submission as any other), waiting for Ready and uncordon, at most maxUnavailable
 * at a time.
 *
 * <p>Crash safety: a step is recorded in the ConfigMap (optimistic lock) before what it starts
 * (cordon, child creation), and what finishes a step (uncordon, fencing) is done before the step is
 * recorded, each idempotent; a node never goes back to an earlier step, so a restart at any point
 * neither drains nor powers a node twice.
 */
final class NodeRollout {

  private static final Logger LOG = LoggerFactory.getLogger(NodeRollout.class);

  /** The child actions of a rollout carry this label (value: the parent's name, or its hash). */
  static final String ROLLOUT_LABEL = "bmspower.io/node-rollout";

  /** The child action's node. */
  static final String NODE_ANNOTATION = "bmspower.io/node";

  static final String NOT_PERMITTED = "NotPermitted";

  static final Duration TICK = Duration.ofSeconds(1);
  static final Duration RETRY = Duration.ofSeconds(10);

  private final KubernetesClient kubernetes;
  private final NodeApi nodes;
  private final CloudTargetResolver resolver;
  private final PolicyAdmission admission;
  private final EventRecorder events;
  private final NodeMapping defaultMapping;
  private final Clock clock;

  /** With leader election: node changes only while this instance holds the Lease. */
  private volatile LeaseFence fence = LeaseFence.NONE;

  NodeRollout(
      KubernetesClient kubernetes,
      CloudTargetResolver resolver,
      PolicyAdmission admission,
      EventRecorder events,
      NodeMapping defaultMapping,
      Clock clock) {
    this.kubernetes = kubernetes;
    this.nodes = new NodeApi(kubernetes);
    this.resolver = resolver;
    this.admission = admission;
    this.events = events;
    this.defaultMapping = defaultMapping == null ? new NodeMapping() : defaultMapping;
    this.clock = clock;
  }

  void fence(LeaseFence fence) {
    this.fence = fence;
  }

  static boolean applies(BareMetalPowerAction r) {
    return r.getSpec() != null && r.getSpec().getNodes() != null;
  }

  UpdateControl<BareMetalPowerAction> reconcile(
      BareMetalPowerAction cached, Collection<BareMetalPowerAction> live) {
    try {
      return pass(cached, live);
    } catch (ForeignState | IllegalStateException e) {
      BareMetalPowerAction r = Serialization.clone(cached);
      if (r.getStatus() == null) {
        r.setStatus(new BareMetalPowerActionStatus());
      }
      String reason = e instanceof ForeignState ? "StateConfigMapTaken" : "NodeStateUnreadable";
      return stalled(cached, r, reason, e.getMessage(), RETRY);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return UpdateControl.<BareMetalPowerAction>noUpdate()
            .rescheduleAfter(Duration.ofMillis(300));
      }
      BareMetalPowerAction r = Serialization.clone(cached);
      if (r.getStatus() == null) {
        r.setStatus(new BareMetalPowerActionStatus());
      }
      String message =
          e.getCode() == 403
              ? "the operator is not allowed to do what node rollouts need ("
                  + e.getStatus().getMessage()
                  + "); install the chart with nodeActions.enabled=true or grant nodes"
                  + " get/list/patch, pods list, pods/eviction create and configmaps"
                  + " get/create/update"
              : "the Kubernetes API refused a node step (HTTP "
                  + e.getCode()
                  + ": "
                  + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage())
                  + "); retrying";
      return stalled(
          cached, r, e.getCode() == 403 ? "Forbidden" : "KubernetesApiError", message, RETRY);
    }
  }

  private UpdateControl<BareMetalPowerAction> pass(
      BareMetalPowerAction cached, Collection<BareMetalPowerAction> live) {
    BareMetalPowerAction r = Serialization.clone(cached);
    if (r.getStatus() == null) {
      r.setStatus(new BareMetalPowerActionStatus());
    }
    BareMetalPowerActionStatus status = r.getStatus();
    if (status.getPhase() != null && status.getPhase().isTerminal()) {
      return UpdateControl.noUpdate();
    }
    Instant now = clock.instant();
    if (status.getStartTime() == null) {
      status.setStartTime(Rfc3339.format(now));
    }
    status.setObservedGeneration(r.getMetadata().getGeneration());
    String problem = RolloutLimits.problem(r.getSpec().getNodes().getMaxUnavailable());
    if (problem != null) {
      return stalled(cached, r, "InvalidSpec", problem, null);
    }
    ConfigMap cm = stateMap(r);
    if (cm == null) {
      if (status.getNodes() != null && status.getNodes().getResolvedAt() != null) {
        return stalled(
            cached,
            r,
            "NodeStateLost",
            "the ConfigMap "
                + stateName(r)
                + " holding the resolved nodes and their steps was deleted; this resource does"
                + " nothing more, so that no node is drained or powered twice. Delete it and"
                + " create a new one.",
            null);
      }
      Resolved resolved = resolve(r, now);
      if (NOT_PERMITTED.equals(resolved.reason)) {
        return notPermitted(cached, r, resolved.problem);
      }
      if (resolved.problem != null) {
        return stalled(cached, r, resolved.reason, resolved.problem, RETRY);
      }
      cm = createStateMap(r, resolved.ledger);
      events.event(r, false, "NodesResolved", NodeRolloutReport.resolvedMessage(resolved.ledger));
    }
    NodeLedger ledger = NodeLedger.parse(cm.getData().get(NodeLedger.KEY));
    if (Boolean.TRUE.equals(r.getSpec().getDryRun())) {
      return dryRun(cached, r, ledger);
    }
    if (!fence.holds()) {
      // Not the leader (any more): change no Node; the leader carries the rollout on.
      return UpdateControl.<BareMetalPowerAction>noUpdate().rescheduleAfter(RETRY);
    }
    Pass pass = new Pass(r, ledger, live, now);
    pass.advance();
    pass.start();
    if (!ledger.json().equals(cm.getData().get(NodeLedger.KEY))) {
      cm.getData().put(NodeLedger.KEY, ledger.json());
      try {
        kubernetes.configMaps().resource(cm).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          LOG.debug("node state of {} changed meanwhile; the pass is redone", r.getMetadata());
          return UpdateControl.<BareMetalPowerAction>noUpdate()
              .rescheduleAfter(Duration.ofMillis(300));
        }
        throw e;
      }
    }
    pass.afterWrite.forEach(Runnable::run);
    pass.events.forEach(Runnable::run);
    NodeRolloutReport.write(
        status,
        ledger,
        cm.getMetadata().getName(),
        r.getSpec().getAction(),
        Boolean.TRUE.equals(r.getSpec().getSuspend()),
        maxFailures(r),
        pass.note,
        r.getMetadata().getGeneration(),
        now);
    if (!writeStatus(cached, r)) {
      return UpdateControl.<BareMetalPowerAction>noUpdate().rescheduleAfter(Duration.ofMillis(300));
    }
    if (status.getPhase().isTerminal()) {
      events.event(
          r,
          status.getPhase() != Phase.Succeeded,
          status.getPhase().name(),
          status.getProgress() + " nodes done, " + status.getFailed() + " failed");
      return UpdateControl.noUpdate();
    }
    boolean idle =
        ledger.nodes.stream().noneMatch(n -> n.step.inFlight())
            && (Boolean.TRUE.equals(r.getSpec().getSuspend())
                || NodeRolloutReport.paused(ledger, maxFailures(r)));
    return UpdateControl.<BareMetalPowerAction>noUpdate().rescheduleAfter(idle ? RETRY : TICK);
  }

  /** One pass over the ledger: each node in flight moves on as far as it can, new nodes start. */
  private final class Pass {
    final BareMetalPowerAction r;
    final NodeLedger ledger;
    final Map<String, BareMetalPowerAction> children = new HashMap<>();
    final Map<String, BareMetalPowerAction> everyAction = new HashMap<>();
    final Instant now;
    final String owner;
    final PowerAction action;
    final NodeTarget target;
    final DrainSpec drain;
    final List<Runnable> afterWrite = new ArrayList<>();
    final List<Runnable> events = new ArrayList<>();
    String note;

    Pass(
        BareMetalPowerAction r,
        NodeLedger ledger,
        Collection<BareMetalPowerAction> live,
        Instant now) {
      this.r = r;
      this.ledger = ledger;
      this.now = now;
      this.owner = owner(r);
      this.action = r.getSpec().getAction();
      this.target = r.getSpec().getNodes();
      this.drain = target.getDrain() == null ? new DrainSpec() : target.getDrain();
      String ns = r.getMetadata().getNamespace();
      for (BareMetalPowerAction a : live) {
        everyAction.put(a.getMetadata().getNamespace() + "/" + a.getMetadata().getName(), a);
        if (ns.equals(a.getMetadata().getNamespace())) {
          children.put(a.getMetadata().getName(), a);
        }
      }
    }

    void advance() {
      for (NodeRecord n : ledger.nodes) {
        try {
          switch (n.step) {
            case Draining -> draining(n);
            case Powering -> powering(n);
            case WaitingReady -> waitingReady(n);
            case Failed -> release(n);
            default -> {}
          }
        } catch (KubernetesClientException e) {
          if (e.getCode() == 403) {
            throw e;
          }
          // A conflict or a passing API error on one node: the next pass tries again.
          LOG.atInfo()
              .setMessage("node step deferred")
              .addKeyValue("resource", r.getMetadata().getName())
              .addKeyValue("node", n.node)
              .addKeyValue("code", e.getCode())
              .log();
          note = "node " + n.node + ": " + e.getMessage();
        }
      }
    }

    void start() {
      if (Boolean.TRUE.equals(r.getSpec().getSuspend())
          || NodeRolloutReport.paused(ledger, maxFailures(r))) {
        return;
      }
      int room =
          RolloutLimits.maxUnavailable(target.getMaxUnavailable(), ledger.nodes.size())
              - NodeRolloutReport.inFlight(ledger);
      for (NodeRecord n : ledger.nodes) {
        if (room <= 0) {
          return;
        }
        if (n.step != NodeStep.Pending) {
          continue;
        }
        Optional<Node> node = nodes.get(n.node);
        String holder = node.map(this::otherLiveHolder).orElse(null);
        if (holder != null) {
          // Two rollouts never work on one node at once: this one waits for the other.
          note = n.node + " waits: rollout " + holder + " holds its cordon";
          continue;
        }
        room--;
        if (action == PowerAction.Start) {
          n.bootId = node.map(NodeApi::bootId).orElse(null);
          toPowering(n);
        } else {
          move(n, NodeStep.Draining);
          n.drainStarted = Rfc3339.format(now);
          // Recorded first, then cordoned: a restart finds the node in Draining and cordons again.
          afterWrite.add(() -> cordonQuietly(n));
        }
      }
    }

    /** Another rollout, still running, that holds this node's cordon; null when none does. */
    private String otherLiveHolder(Node node) {
      String holder = NodeApi.annotation(node, NodeApi.CORDONED_BY);
      if (holder == null || holder.equals(owner)) {
        return null;
      }
      BareMetalPowerAction other = everyAction.get(holder);
      boolean running =
          other != null
              && (other.getStatus() == null
                  || other.getStatus().getPhase() == null
                  || !other.getStatus().getPhase().isTerminal());
      return running ? holder : null;
    }

    private void cordonQuietly(NodeRecord n) {
      try {
        nodes.get(n.node).ifPresent(node -> nodes.cordon(node, owner));
      } catch (KubernetesClientException e) {
        LOG.debug("cordon of {} deferred to the next pass: {}", n.node, e.getMessage());
      }
    }

    private void draining(NodeRecord n) {
      Optional<Node> found = nodes.get(n.node);
      if (found.isEmpty()) {
        fail(n, NodeReasons.NODE_NOT_FOUND, "the Node was deleted during its drain; not powered");
        return;
      }
      n.cordoned = nodes.cordon(found.get(), owner);
      n.bootId = NodeApi.bootId(found.get());
      if (!Boolean.TRUE.equals(drain.getEnabled())) {
        toPowering(n);
        return;
      }
      DrainPlan plan = DrainPlan.of(nodes.podsOn(n.node), drain);
      if (plan.done()) {
        toPowering(n);
        return;
      }
      List<String> blockers = new ArrayList<>(plan.blocking());
      for (Pod pod : plan.toEvict()) {
        var eviction = nodes.evict(pod, drain.getGracePeriodSeconds());
        String name = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        blockers.add(name + (eviction.evicted() ? " (evicted)" : " (" + eviction.refusal() + ")"));
      }
      Instant started = Rfc3339.parse(n.drainStarted);
      long timeout = Objects.requireNonNullElse(drain.getTimeoutSeconds(), 300L);
      String still = String.join("; ", blockers);
      if (now.isBefore(started.plusSeconds(timeout))) {
        note = "draining " + n.node + ": " + abbreviate(still);
        return;
      }
      if (Boolean.TRUE.equals(drain.getForce())) {
        String message =
            "drain of "
                + n.node
                + " timed out after "
                + timeout
                + "s; powered anyway (force): "
                + still;
        events.add(() -> warn(n, "DrainForced", message));
        toPowering(n);
        return;
      }
      String message =
          "drain did not finish within "
              + timeout
              + "s, so the server was not powered; the node is uncordoned again. Still on it: "
              + still;
      fail(n, NodeReasons.DRAIN_TIMEOUT, abbreviate(message));
    }

    private void toPowering(NodeRecord n) {
      move(n, NodeStep.Powering);
      // Recorded first, then created: the child's name is fixed, so creating it again is a no-op.
      afterWrite.add(() -> createChild(r, n));
    }

    private void powering(NodeRecord n) {
      BareMetalPowerAction child = children.get(childName(r, n.node));
      if (child == null && n.childUid != null) {
        // The informer may lag; only the API server can say the child is gone.
        child =
            kubernetes
                .resources(BareMetalPowerAction.class)
                .inNamespace(r.getMetadata().getNamespace())
                .withName(childName(r, n.node))
                .get();
      }
      if (child != null && n.childUid != null && !n.childUid.equals(child.getMetadata().getUid())) {
        // Not the child this node's power went through: someone made one of that name again.
        child = null;
      }
      if (child != null && n.childUid == null && !isChildOf(child, r, n)) {
        // A resource of that name that this rollout did not make for this node: never adopted.
        if (child.getMetadata().getDeletionTimestamp() != null) {
          note = "waiting for " + child.getMetadata().getName() + " (being deleted) to go";
        } else {
          fail(
              n,
              NodeReasons.NAME_CONFLICT,
              "a BareMetalPowerAction named "
                  + child.getMetadata().getName()
                  + " exists that this resource did not create for this node; the server was not"
                  + " powered");
        }
        return;
      }
      if (child == null) {
        if (n.childUid != null) {
          fail(
              n,
              NodeReasons.POWER_ACTION_LOST,
              "its power action "
                  + childName(r, n.node)
                  + " was deleted before it finished; it is not created again, so the server is"
                  + " never acted on twice. The node stays cordoned.");
        } else {
          afterWrite.add(() -> createChild(r, n));
        }
        return;
      }
      n.childUid = child.getMetadata().getUid();
      var cs = child.getStatus();
      if (cs == null || cs.getPhase() == null || !cs.getPhase().isTerminal()) {
        return;
      }
      n.job =
          cs.getBatches().stream()
              .map(b -> b.getJobId())
              .filter(Objects::nonNull)
              .reduce((a, b) -> b)
              .orElse(n.job);
      if (cs.getPhase() != Phase.Succeeded) {
        String why =
            cs.getFailedServers().isEmpty()
                ? cs.getConditions().stream()
                    .filter(c -> c.getType().equals("Failed") || c.getType().equals("Stalled"))
                    .map(c -> c.getMessage())
                    .findFirst()
                    .orElse(cs.getPhase().name())
                : cs.getFailedServers().get(0).getCode()
                    + ": "
                    + cs.getFailedServers().get(0).getReason();
        fail(
            n,
            NodeReasons.POWER_FAILED,
            "the power action " + child.getMetadata().getName() + " failed (" + why + ")");
        return;
      }
      n.poweredAt = cs.getCompletionTime() != null ? cs.getCompletionTime() : Rfc3339.format(now);
      if (action == PowerAction.Stop) {
        if (Boolean.TRUE.equals(target.getFencing())) {
          String state = serverState(r, n.server);
          if (state != null) {
            // The job may end while the server still shows powering-off: fence only once it is off.
            note =
                "waiting for server "
                    + n.server
                    + " of "
                    + n.node
                    + " to show SHUTOFF ("
                    + state
                    + ")";
            return;
          }
          Optional<Node> node = nodes.get(n.node);
          if (node.isPresent()) {
            nodes.fence(node.get(), owner);
            events.add(
                () ->
                    nodeEvent(
                        n,
                        false,
                        "Fenced",
                        "server "
                            + n.server
                            + " is SHUTOFF; tainted "
                            + NodeApi.OUT_OF_SERVICE
                            + "=nodeshutdown:NoExecute by "
                            + owner));
          }
        }
        done(n);
      } else {
        move(n, NodeStep.WaitingReady);
      }
    }

    private void waitingReady(NodeRecord n) {
      Instant powered = Rfc3339.parse(n.poweredAt);
      Optional<Node> found = nodes.get(n.node);
      if (found.isPresent() && NodeApi.readyAgain(found.get(), n.bootId, powered)) {
        Node node = found.get();
        if (action == PowerAction.Start && NodeApi.annotation(node, NodeApi.FENCED_BY) != null) {
          nodes.unfence(node);
          node = nodes.get(n.node).orElse(node);
        }
        String cordonedBy = NodeApi.annotation(node, NodeApi.CORDONED_BY);
        // A Start lifts the cordon a finished Stop of this operator left; a Reboot only its own.
        boolean lift =
            action == PowerAction.Start ? otherLiveHolder(node) == null : owner.equals(cordonedBy);
        if (cordonedBy != null && lift) {
          nodes.uncordon(node, cordonedBy);
        }
        n.cordoned = false;
        done(n);
        return;
      }
      long timeout = Objects.requireNonNullElse(target.getReadyTimeoutSeconds(), 900L);
      if (now.isAfter(powered.plusSeconds(timeout))) {
        fail(
            n,
            NodeReasons.NOT_READY,
            "not Ready within "
                + timeout
                + "s after its power action"
                + (n.holdsCordon() ? "; left cordoned" : ""));
      }
    }

    /**
     * A node failed before its server was powered (drain timeout, power action failed): its cordon
     * is lifted on the pass after the failure was recorded, and the record says so only after, so a
     * crash in between never leaves it cordoned silently nor drains it again.
     */
    private void release(NodeRecord n) {
      if (!n.releasePending()) {
        return;
      }
      nodes.get(n.node).ifPresent(node -> nodes.uncordon(node, owner));
      n.cordoned = false;
    }

    private void move(NodeRecord n, NodeStep step) {
      n.step = step;
      n.since = Rfc3339.format(now);
      n.reason = null;
      n.message = null;
    }

    private void done(NodeRecord n) {
      move(n, NodeStep.Done);
      // Done is final: keep only what says what happened (the ledger must fit a ConfigMap).
      n.drainStarted = null;
      n.childUid = null;
      n.poweredAt = null;
      n.bootId = null;
      events.add(
          () ->
              nodeEvent(
                  n,
                  false,
                  action + "Done",
                  action
                      + " of server "
                      + n.server
                      + " done by "
                      + owner
                      + (n.job == null ? "" : " (job " + n.job + ")")
                      + (n.holdsCordon() ? "; the node stays cordoned" : "")));
    }

    private void fail(NodeRecord n, String reason, String message) {
      move(n, NodeStep.Failed);
      n.drainStarted = null;
      n.poweredAt = null;
      n.bootId = null;
      n.reason = reason;
      n.message = message;
      events.add(() -> warn(n, reason, message));
    }

    private void warn(NodeRecord n, String reason, String message) {
      NodeRollout.this.events.event(r, true, reason, n.node + ": " + message);
      nodeEvent(n, true, reason, message);
    }

    private void nodeEvent(NodeRecord n, boolean warning, String reason, String message) {
      nodes
          .get(n.node)
          .ifPresent(node -> NodeRollout.this.events.event(node, warning, reason, message));
    }
  }

  /** Made by this rollout for this node and this server (owner, annotation, spec). */
  static boolean isChildOf(BareMetalPowerAction child, BareMetalPowerAction parent, NodeRecord n) {
    boolean owned =
        child.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> o.getUid().equals(parent.getMetadata().getUid()));
    var annotations = child.getMetadata().getAnnotations();
    return owned
        && annotations != null
        && n.node.equals(annotations.get(NODE_ANNOTATION))
        && child.getSpec() != null
        && List.of(n.server).equals(child.getSpec().getServers());
  }

  /**
   * Null when the cloud shows the server off (SHUTOFF, nothing in progress); otherwise what it
   * shows, or why it could not be read.
   */
  private String serverState(BareMetalPowerAction r, String server) {
    var target = resolver.resolve(r);
    if (!target.ok()) {
      return "cloud not reachable: " + target.message();
    }
    try {
      var details = ServerDirectory.lookup(target.client(), List.of(server)).get(server);
      if (details == null) {
        return "not found";
      }
      return details.isOff() ? null : details.status() + "/" + details.taskState();
    } catch (CloudException e) {
      return "cloud not reachable: " + BatchLedger.describe(e);
    }
  }

  /** Parent deletion: no node stays cordoned by this resource without an Event saying so. */
  DeleteControl cleanup(BareMetalPowerAction r) {
    ConfigMap cm;
    try {
      cm = stateMap(r);
    } catch (ForeignState e) {
      return DeleteControl.defaultDelete();
    }
    if (cm == null) {
      return DeleteControl.defaultDelete();
    }
    NodeLedger ledger = NodeLedger.parse(cm.getData().get(NodeLedger.KEY));
    String owner = owner(r);
    PowerAction action = r.getSpec().getAction();
    if (action != PowerAction.Stop) {
      // A node whose reboot or start is still being sent stays cordoned until that is over: its
      // child keeps acting (its own finalizer), and pods must not land on a node about to reset.
      for (NodeRecord n : ledger.inStep(NodeStep.Powering)) {
        var child =
            kubernetes
                .resources(BareMetalPowerAction.class)
                .inNamespace(r.getMetadata().getNamespace())
                .withName(childName(r, n.node))
                .get();
        if (child != null
            && (child.getStatus() == null
                || child.getStatus().getPhase() == null
                || !child.getStatus().getPhase().isTerminal())) {
          return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
        }
      }
    }
    for (NodeRecord n : ledger.nodes) {
      Optional<Node> node;
      try {
        node = nodes.get(n.node);
      } catch (KubernetesClientException e) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY);
      }
      if (node.isEmpty() || !owner.equals(NodeApi.annotation(node.get(), NodeApi.CORDONED_BY))) {
        continue;
      }
      boolean poweredOff =
          action == PowerAction.Stop && (n.step == NodeStep.Powering || n.step == NodeStep.Done);
      boolean broken =
          n.step == NodeStep.Failed
              && (n.reason == null || !NodeReasons.RELEASED_ON_FAILURE.contains(n.reason));
      if (poweredOff || broken) {
        String message =
            owner
                + " was deleted; the node stays cordoned ("
                + (poweredOff ? "its server is powered off or being powered off" : n.message)
                + "). Uncordon it with kubectl uncordon "
                + n.node
                + " once it should take pods.";
        events.event(node.get(), true, "NodeLeftCordoned", message);
        events.event(r, true, "NodeLeftCordoned", n.node + ": " + message);
      } else {
        try {
          nodes.uncordon(node.get(), owner);
        } catch (KubernetesClientException e) {
          return DeleteControl.noFinalizerRemoval().rescheduleAfter(TICK);
        }
        events.event(
            node.get(),
            false,
            "Uncordoned",
            owner + " was deleted while the node was " + n.step + "; uncordoned");
      }
    }
    return DeleteControl.defaultDelete();
  }

  /** The state ConfigMap's name is taken by something this resource does not own. */
  static final class ForeignState extends RuntimeException {
    ForeignState(String message) {
      super(message);
    }
  }

  private record Resolved(NodeLedger ledger, String reason, String problem) {
    static Resolved problem(String reason, String problem) {
      return new Resolved(null, reason, problem);
    }
  }

  /** The node set, each node with its server or why it has none; resolved once. */
  private Resolved resolve(BareMetalPowerAction r, Instant now) {
    NodeTarget t = r.getSpec().getNodes();
    ServerIdMapping mapping;
    try {
      mapping = ServerIdMapping.of(t.getMapping() != null ? t.getMapping() : defaultMapping);
    } catch (IllegalArgumentException e) {
      return Resolved.problem("InvalidMapping", e.getMessage());
    }
    if (t.getDrain() != null) {
      try {
        DrainPlan.of(List.of(), t.getDrain());
      } catch (IllegalArgumentException e) {
        return Resolved.problem("InvalidSpec", e.getMessage());
      }
    }
    Map<String, Node> found = new TreeMap<>();
    Set<String> missing = new HashSet<>();
    if (t.getNames() != null) {
      for (String name : new java.util.TreeSet<>(t.getNames())) {
        nodes.get(name).ifPresentOrElse(n -> found.put(name, n), () -> missing.add(name));
      }
    } else {
      List<Node> selected = nodes.select(t.getSelector());
      if (selected.isEmpty()) {
        return Resolved.problem(
            "NoNodes",
            "no Node matches nodes.selector yet; checked again every " + RETRY.toSeconds() + "s");
      }
      if (selected.size() > NodeTarget.MAX_NODES) {
        return Resolved.problem(
            "TooManyNodes",
            selected.size() + " Nodes match nodes.selector; at most " + NodeTarget.MAX_NODES);
      }
      selected.forEach(n -> found.put(n.getMetadata().getName(), n));
    }
    NodeLedger ledger = new NodeLedger();
    ledger.action = r.getSpec().getAction().name();
    ledger.resolvedAt = Rfc3339.format(now);
    Map<String, String> serverOwner = new HashMap<>();
    Map<String, NodeRecord> records = new TreeMap<>();
    for (String name : missing) {
      records.put(
          name,
          NodeRecord.failedRecord(name, null, NodeReasons.NODE_NOT_FOUND, "no Node of this name"));
    }
    for (var e : found.entrySet()) {
      var result = mapping.map(e.getValue());
      if (!result.mapped()) {
        records.put(
            e.getKey(),
            NodeRecord.failedRecord(
                e.getKey(),
                null,
                NodeReasons.UNMAPPED,
                result.message() + " (" + mapping.rule() + ")"));
      } else if (serverOwner.containsKey(result.serverId())) {
        records.put(
            e.getKey(),
            NodeRecord.failedRecord(
                e.getKey(),
                result.serverId(),
                NodeReasons.DUPLICATE_SERVER,
                "maps to the same server as " + serverOwner.get(result.serverId())));
      } else {
        serverOwner.put(result.serverId(), e.getKey());
        records.put(e.getKey(), new NodeRecord(e.getKey(), result.serverId()));
      }
    }
    if (!serverOwner.isEmpty()) {
      var target = resolver.resolve(r);
      if (!target.ok()) {
        return Resolved.problem(target.problem(), target.message());
      }
      try {
        var details = ServerDirectory.lookup(target.client(), serverOwner.keySet());
        var known = details.keySet();
        var verdict =
            admission.permits(
                r,
                r.getSpec().getAction(),
                serverOwner.keySet().stream().filter(known::contains).sorted().toList(),
                details);
        if (verdict.refused()) {
          return Resolved.problem(NOT_PERMITTED, verdict.message());
        }
        for (var e : serverOwner.entrySet()) {
          if (!known.contains(e.getKey())) {
            records.put(
                e.getValue(),
                NodeRecord.failedRecord(
                    e.getValue(),
                    e.getKey(),
                    NodeReasons.UNKNOWN_SERVER,
                    "server " + e.getKey() + " does not exist in the cloud project"));
          }
        }
      } catch (CloudException e) {
        return Resolved.problem(
            "CloudUnavailable",
            "could not check the servers in the cloud (" + BatchLedger.describe(e) + "); retrying");
      }
    }
    ledger.nodes.addAll(records.values());
    return new Resolved(ledger, null, null);
  }

  private UpdateControl<BareMetalPowerAction> dryRun(
      BareMetalPowerAction cached, BareMetalPowerAction r, NodeLedger ledger) {
    var status = r.getStatus();
    NodeRolloutReport.write(
        status,
        ledger,
        stateName(r),
        r.getSpec().getAction(),
        false,
        Integer.MAX_VALUE,
        null,
        r.getMetadata().getGeneration(),
        clock.instant());
    long ok = ledger.nodes.stream().filter(n -> n.step == NodeStep.Pending).count();
    status.getNodes().setPending(0);
    status.setPending(0);
    status.setPhase(ok == ledger.nodes.size() ? Phase.Succeeded : Phase.Failed);
    status.setCompletionTime(Rfc3339.format(clock.instant()));
    var c = conditions(r);
    String message =
        "dry run: "
            + ok
            + " of "
            + ledger.nodes.size()
            + " nodes map to known servers; nothing done";
    c.set("Ready", ok == ledger.nodes.size(), "DryRun", message);
    c.set("Reconciling", false, "DryRun", message);
    c.set("Stalled", ok != ledger.nodes.size(), "DryRun", message);
    c.set("Progressing", false, "DryRun", message);
    c.set("Complete", true, "DryRun", message);
    writeStatus(cached, r);
    return UpdateControl.noUpdate();
  }

  private StampedConditions conditions(BareMetalPowerAction r) {
    return new StampedConditions(
        r.getStatus().getConditions(),
        r.getMetadata().getGeneration(),
        clock.instant(),
        NodeRolloutReport.ORDER::indexOf);
  }

  /** Refused by the namespace's policies before anything was done: over, as for servers. */
  private UpdateControl<BareMetalPowerAction> notPermitted(
      BareMetalPowerAction cached, BareMetalPowerAction r, String message) {
    var status = r.getStatus();
    status.setPhase(Phase.Failed);
    status.setCompletionTime(Rfc3339.format(clock.instant()));
    var c = conditions(r);
    String m = "no node was cordoned: " + message;
    c.set("Accepted", false, NOT_PERMITTED, m);
    c.set("Ready", false, NOT_PERMITTED, m);
    c.set("Reconciling", false, NOT_PERMITTED, m);
    c.set("Stalled", true, NOT_PERMITTED, m);
    c.set("Failed", true, NOT_PERMITTED, m);
    events.event(r, true, NOT_PERMITTED, m);
    writeStatus(cached, r);
    return UpdateControl.noUpdate();
  }

  private UpdateControl<BareMetalPowerAction> stalled(
      BareMetalPowerAction cached,
      BareMetalPowerAction r,
      String reason,
      String message,
      Duration retry) {
    var status = r.getStatus();
    if (status.getPhase() == null) {
      status.setPhase(Phase.Pending);
    }
    var c = conditions(r);
    if (status.getNodes() == null) {
      c.set("Accepted", false, reason, message);
    }
    c.set("Ready", false, reason, message);
    c.set("Reconciling", false, reason, message);
    c.set("Stalled", true, reason, message);
    if (!Objects.equals(cached.getStatus(), status)) {
      events.event(r, true, reason, message);
    }
    writeStatus(cached, r);
    return retry == null
        ? UpdateControl.noUpdate()
        : UpdateControl.<BareMetalPowerAction>noUpdate().rescheduleAfter(retry);
  }

  /** Writes the status if it changed; false on a conflict (the next pass writes it again). */
  private boolean writeStatus(BareMetalPowerAction cached, BareMetalPowerAction r) {
    if (Objects.equals(cached.getStatus(), r.getStatus())) {
      return true;
    }
    try {
      kubernetes.resource(r).updateStatus();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // The ledger is the truth: the next pass computes the status again from it.
      LOG.debug("status of {} changed meanwhile", r.getMetadata().getName());
      return false;
    }
  }

  private ConfigMap stateMap(BareMetalPowerAction r) {
    ConfigMap cm =
        kubernetes
            .configMaps()
            .inNamespace(r.getMetadata().getNamespace())
            .withName(stateName(r))
            .get();
    if (cm != null
        && cm.getMetadata().getOwnerReferences().stream()
            .noneMatch(o -> o.getUid().equals(r.getMetadata().getUid()))) {
      throw new ForeignState(
          "the ConfigMap "
              + stateName(r)
              + " exists but is not owned by this resource (left by an earlier resource of this"
              + " name, or someone else's); delete it, or give this resource another name");
    }
    return cm;
  }

  private ConfigMap createStateMap(BareMetalPowerAction r, NodeLedger ledger) {
    ConfigMap cm =
        new ConfigMapBuilder()
            .withMetadata(
                new ObjectMetaBuilder()
                    .withName(stateName(r))
                    .withNamespace(r.getMetadata().getNamespace())
                    .withLabels(Map.of(ROLLOUT_LABEL, label(r)))
                    .withOwnerReferences(ownerReference(r))
                    .build())
            .withData(new HashMap<>(Map.of(NodeLedger.KEY, ledger.json())))
            .build();
    try {
      return kubernetes.configMaps().resource(cm).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return stateMap(r);
      }
      throw e;
    }
  }

  private void createChild(BareMetalPowerAction parent, NodeRecord n) {
    BareMetalPowerActionSpec ps = parent.getSpec();
    var child = new BareMetalPowerAction();
    child.setMetadata(
        new ObjectMetaBuilder()
            .withName(childName(parent, n.node))
            .withNamespace(parent.getMetadata().getNamespace())
            .withLabels(Map.of(ROLLOUT_LABEL, label(parent)))
            .withAnnotations(Map.of(NODE_ANNOTATION, n.node))
            .withOwnerReferences(ownerReference(parent))
            .build());
    var spec = new BareMetalPowerActionSpec();
    spec.setAction(ps.getAction());
    spec.setServers(new ArrayList<>(List.of(n.server)));
    spec.setBatchSize(1);
    spec.setCloud(ps.getCloud());
    spec.setRetry(ps.getRetry());
    spec.setPriority(ps.getPriority());
    spec.setDeletionPolicy(ps.getDeletionPolicy());
    child.setSpec(spec);
    try {
      kubernetes.resource(child).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        LOG.atWarn()
            .setMessage("could not create a node's power action; retried next pass")
            .addKeyValue("resource", parent.getMetadata().getName())
            .addKeyValue("node", n.node)
            .addKeyValue("code", e.getCode())
            .log();
      }
    }
  }

  private static int maxFailures(BareMetalPowerAction r) {
    return Objects.requireNonNullElse(r.getSpec().getNodes().getMaxFailures(), 0);
  }

  static String owner(BareMetalPowerAction r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  static String stateName(BareMetalPowerAction r) {
    return bounded(r.getMetadata().getName() + "-nodes", 253);
  }

  static String childName(BareMetalPowerAction parent, String node) {
    return bounded(parent.getMetadata().getName() + "-" + node, 253);
  }

  static String label(BareMetalPowerAction r) {
    return bounded(r.getMetadata().getName(), 63);
  }

  /** The name itself when short enough, else a prefix and a hash of the whole. */
  static String bounded(String name, int max) {
    if (name.length() <= max) {
      return name;
    }
    String hash = sha256(name).substring(0, 10);
    String prefix = name.substring(0, max - hash.length() - 1);
    while (!prefix.isEmpty() && !Character.isLetterOrDigit(prefix.charAt(prefix.length() - 1))) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return prefix + "-" + hash;
  }

  private static OwnerReference ownerReference(BareMetalPowerAction r) {
    return new OwnerReferenceBuilder()
        .withApiVersion(r.getApiVersion())
        .withKind(r.getKind())
        .withName(r.getMetadata().getName())
        .withUid(r.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static String abbreviate(String s) {
    return s.length() <= 900 ? s : s.substring(0, 897) + "...";
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
