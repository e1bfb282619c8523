package io.bmspower.nodes;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One node of a rollout as the state ConfigMap records it: its server, its step, and what the steps
 * need to stay idempotent across restarts (when the drain started, the child action's UID once
 * seen, when the power action ended).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class NodeRecord {

  public String node;
  public String server;
  public NodeStep step = NodeStep.Pending;

  /** When the node entered its step (RFC 3339). */
  public String since;

  public String drainStarted;

  /**
   * The child BareMetalPowerAction's UID, once seen: if it then vanishes, it is never recreated.
   */
  public String childUid;

  /** When the power action ended (RFC 3339, the operator's clock). */
  public String poweredAt;

  public String job;

  /** The Node's boot ID when its power action was decided: Ready again means a new one. */
  public String bootId;

  /** True while this resource holds the node's cordon. */
  public Boolean cordoned;

  public String reason;
  public String message;

  public NodeRecord() {}

  public NodeRecord(String node, String server) {
    this.node = node;
    this.server = server;
  }

  public static NodeRecord failedRecord(String node, String server, String reason, String message) {
    NodeRecord r = new NodeRecord(node, server);
    r.step = NodeStep.Failed;
    r.reason = reason;
    r.message = message;
    return r;
  }

  @JsonIgnore
  public boolean holdsCordon() {
    return Boolean.TRUE.equals(cordoned);
  }

  /** Failed before its server was powered, still holding the cordon this rollout must lift. */
  @JsonIgnore
  public boolean releasePending() {
    return step == NodeStep.Failed
        && holdsCordon()
        && reason != null
        && NodeReasons.RELEASED_ON_FAILURE.contains(reason);
  }

  /** Failed before it started: not part of the rollout's failure budget. */
  @JsonIgnore
  public boolean unresolved() {
    return step == NodeStep.Failed && reason != null && NodeReasons.UNRESOLVED.contains(reason);
  }

  NodeRecord copy() {
    NodeRecord c = new NodeRecord(node, server);
    c.step = step;
    c.since = since;
    c.drainStarted = drainStarted;
    c.childUid = childUid;
    c.poweredAt = poweredAt;
    c.job = job;
    c.bootId = bootId;
    c.cordoned = cordoned;
    c.reason = reason;
    c.message = message;
    return c;
  }

  @Override
  public String toString() {
    return node + "(" + step + ")";
  }
}
