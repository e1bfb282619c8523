package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Objects;

/**
 * Kubernetes Nodes to act on instead of server IDs: each Node maps to its server through {@link
 * NodeMapping}; the set is resolved once, when the resource is accepted, and stays fixed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.names) != has(self.selector)",
    message = "set exactly one of nodes.names and nodes.selector")
@ValidationRule(
    value =
        "has(self.names) == has(oldSelf.names) && (!has(self.names) || self.names == oldSelf.names)",
    message = "nodes.names is immutable after creation")
@ValidationRule(
    value =
        "has(self.selector) == has(oldSelf.selector)"
            + " && (!has(self.selector) || self.selector == oldSelf.selector)",
    message = "nodes.selector is immutable after creation")
@ValidationRule(
    value =
        "has(self.mapping) == has(oldSelf.mapping)"
            + " && (!has(self.mapping) || self.mapping == oldSelf.mapping)",
    message = "nodes.mapping is immutable after creation")
@ValidationRule(
    value =
        "has(self.drain) == has(oldSelf.drain) && (!has(self.drain) || self.drain == oldSelf.drain)",
    message = "nodes.drain is immutable after creation")
@ValidationRule(
    value =
        "!has(self.selector) || (has(self.selector.matchLabels) && size(self.selector.matchLabels) > 0)"
            + " || (has(self.selector.matchExpressions)"
            + " && size(self.selector.matchExpressions) > 0)",
    message = "nodes.selector must not be empty: it would select every Node of the cluster")
@ValidationRule(
    value =
        "!has(self.maxUnavailable) || (type(self.maxUnavailable) == int && self.maxUnavailable >= 1)"
            + " || (type(self.maxUnavailable) == string"
            + " && self.maxUnavailable.matches('^([1-9][0-9]?|100)%$'))",
    message = "nodes.maxUnavailable is a count of at least 1 or a percentage from 1% to 100%")
@ValidationRule(
    value = "self.fencing == oldSelf.fencing",
    message = "nodes.fencing is immutable after creation")
public class NodeTarget {

  public static final int MAX_NODES = 3_000;

  @JsonPropertyDescription("Node names, 1 to 3000. Either names or selector.")
  @Size(min = 1, max = MAX_NODES)
  private List<@Size(max = 253) String> names;

  @JsonPropertyDescription(
      "A label selector over Nodes, not empty (at most 3000 may match). Either names or selector.")
  private LabelSelector selector;

  @JsonPropertyDescription(
      "How a Node maps to its server ID. Unset: the operator's default (--node-mapping; out of the"
          + " box the last segment of spec.providerID).")
  private NodeMapping mapping;

  @JsonPropertyDescription(
      "Draining before Stop and Reboot: cordon, then evict pods through the Eviction API so"
          + " PodDisruptionBudgets hold. On by default.")
  private DrainSpec drain;

  @JsonPropertyDescription(
      "How many nodes may be in flight (draining, powering or waiting for Ready) at once: a count"
          + " or a percentage of the nodes (rounded down, at least 1); default 1. Failed nodes left"
          + " cordoned are bounded by maxFailures instead. Mutable.")
  private IntOrString maxUnavailable;

  @JsonPropertyDescription(
      "How many nodes may fail before the rollout pauses (no new node starts; the nodes in flight"
          + " finish); default 0: the first failure pauses it. Raise it to resume. Mutable.")
  @Default("0")
  @Min(0)
  @Max(MAX_NODES)
  private Integer maxFailures = 0;

  @JsonPropertyDescription(
      "After Start and Reboot, how long to wait for the Node to be Ready again before the node"
          + " counts as failed; default 900. Mutable.")
  @Default("900")
  @Min(1)
  @Max(86_400)
  private Long readyTimeoutSeconds = 900L;

  @JsonPropertyDescription(
      "After a Stop is confirmed (the server is SHUTOFF), taint the Node"
          + " node.kubernetes.io/out-of-service=nodeshutdown:NoExecute so its stateful pods move;"
          + " a Start with nodes removes the taint. Default false.")
  @Default("false")
  private Boolean fencing = false;

  public List<String> getNames() {
    return names;
  }

  public void setNames(List<String> names) {
    this.names = names;
  }

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  public NodeMapping getMapping() {
    return mapping;
  }

  public void setMapping(NodeMapping mapping) {
    this.mapping = mapping;
  }

  public DrainSpec getDrain() {
    return drain;
  }

  public void setDrain(DrainSpec drain) {
    this.drain = drain;
  }

  public IntOrString getMaxUnavailable() {
    return maxUnavailable;
  }

  public void setMaxUnavailable(IntOrString maxUnavailable) {
    this.maxUnavailable = maxUnavailable;
  }

  public Integer getMaxFailures() {
    return maxFailures;
  }

  public void setMaxFailures(Integer maxFailures) {
    this.maxFailures = maxFailures;
  }

  public Long getReadyTimeoutSeconds() {
    return readyTimeoutSeconds;
  }

  public void setReadyTimeoutSeconds(Long readyTimeoutSeconds) {
    this.readyTimeoutSeconds = readyTimeoutSeconds;
  }

  public Boolean getFencing() {
    return fencing;
  }

  public void setFencing(Boolean fencing) {
    this.fencing = fencing;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeTarget t
        && Objects.equals(names, t.names)
        && Objects.equals(selector, t.selector)
        && Objects.equals(mapping, t.mapping)
        && Objects.equals(drain, t.drain)
        && Objects.equals(maxUnavailable, t.maxUnavailable)
        && Objects.equals(maxFailures, t.maxFailures)
        && Objects.equals(readyTimeoutSeconds, t.readyTimeoutSeconds)
        && Objects.equals(fencing, t.fencing);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        names, selector, mapping, drain, maxUnavailable, maxFailures, readyTimeoutSeconds, fencing);
  }
}
