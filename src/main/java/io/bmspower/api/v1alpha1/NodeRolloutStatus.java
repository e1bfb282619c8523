package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node rollout's progress, kept small: counts, and names only for the nodes in flight (at most
 * maxUnavailable), failed and left cordoned (each list capped). The full per-node record is in the
 * ConfigMap named by stateConfigMap.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeRolloutStatus {

  public static final int MAX_LISTED = 50;

  @JsonPropertyDescription(
      "The ConfigMap (owned by this resource) holding the resolved node set and each node's step.")
  private String stateConfigMap;

  @JsonPropertyDescription("When the node set was resolved (RFC 3339); it stays fixed after.")
  private String resolvedAt;

  @JsonPropertyDescription("Nodes selected.")
  private Integer total;

  @JsonPropertyDescription("Nodes not started yet.")
  private Integer pending;

  @JsonPropertyDescription("Nodes being drained.")
  private Integer draining;

  @JsonPropertyDescription("Nodes whose server is being powered.")
  private Integer powering;

  @JsonPropertyDescription("Nodes waiting to be Ready again.")
  private Integer waitingReady;

  @JsonPropertyDescription("Nodes done.")
  private Integer succeeded;

  @JsonPropertyDescription(
      "Nodes that failed (drain timeout, power failure, not Ready in time) or could not be mapped"
          + " to a known server.")
  private Integer failed;

  @JsonPropertyDescription("The nodes in flight, by name.")
  private List<String> inFlight = new ArrayList<>();

  @JsonPropertyDescription("Failed nodes with the reason; at most 50 listed.")
  private List<FailedNode> failedNodes = new ArrayList<>();

  @JsonPropertyDescription(
      "Nodes this resource cordoned and leaves cordoned (powered off, or failed after power); at"
          + " most 50 listed.")
  private List<String> leftCordoned = new ArrayList<>();

  @JsonPropertyDescription("How many nodes this resource leaves cordoned.")
  private Integer leftCordonedCount;

  public String getStateConfigMap() {
    return stateConfigMap;
  }

  public void setStateConfigMap(String stateConfigMap) {
    this.stateConfigMap = stateConfigMap;
  }

  public String getResolvedAt() {
    return resolvedAt;
  }

  public void setResolvedAt(String resolvedAt) {
    this.resolvedAt = resolvedAt;
  }

  public Integer getTotal() {
    return total;
  }

  public void setTotal(Integer total) {
    this.total = total;
  }

  public Integer getPending() {
    return pending;
  }

  public void setPending(Integer pending) {
    this.pending = pending;
  }

  public Integer getDraining() {
    return draining;
  }

  public void setDraining(Integer draining) {
    this.draining = draining;
  }

  public Integer getPowering() {
    return powering;
  }

  public void setPowering(Integer powering) {
    this.powering = powering;
  }

  public Integer getWaitingReady() {
    return waitingReady;
  }

  public void setWaitingReady(Integer waitingReady) {
    this.waitingReady = waitingReady;
  }

  public Integer getSucceeded() {
    return succeeded;
  }

  public void setSucceeded(Integer succeeded) {
    this.succeeded = succeeded;
  }

  public Integer getFailed() {
    return failed;
  }

  public void setFailed(Integer failed) {
    this.failed = failed;
  }

  public List<String> getInFlight() {
    return inFlight;
  }

  public void setInFlight(List<String> inFlight) {
    this.inFlight = inFlight;
  }

  public List<FailedNode> getFailedNodes() {
    return failedNodes;
  }

  public void setFailedNodes(List<FailedNode> failedNodes) {
    this.failedNodes = failedNodes;
  }

  public List<String> getLeftCordoned() {
    return leftCordoned;
  }

  public void setLeftCordoned(List<String> leftCordoned) {
    this.leftCordoned = leftCordoned;
  }

  public Integer getLeftCordonedCount() {
    return leftCordonedCount;
  }

  public void setLeftCordonedCount(Integer leftCordonedCount) {
    this.leftCordonedCount = leftCordonedCount;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeRolloutStatus s
        && Objects.equals(stateConfigMap, s.stateConfigMap)
        && Objects.equals(resolvedAt, s.resolvedAt)
        && Objects.equals(total, s.total)
        && Objects.equals(pending, s.pending)
        && Objects.equals(draining, s.draining)
        && Objects.equals(powering, s.powering)
        && Objects.equals(waitingReady, s.waitingReady)
        && Objects.equals(succeeded, s.succeeded)
        && Objects.equals(failed, s.failed)
        && Objects.equals(inFlight, s.inFlight)
        && Objects.equals(failedNodes, s.failedNodes)
        && Objects.equals(leftCordoned, s.leftCordoned)
        && Objects.equals(leftCordonedCount, s.leftCordonedCount);
  }

  @Override
  public int hashCode() {
    return Objects.hash(stateConfigMap, total, succeeded, failed, inFlight, failedNodes);
  }
}
