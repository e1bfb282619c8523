package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the operator has done and observed. Kept small: under 16 KiB at 10,000 servers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BareMetalPowerActionStatus {

  public static final int MAX_FAILED_SERVERS = 100;

  @JsonPropertyDescription("The metadata.generation this status was computed for.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "A summary for display: Pending, Running, Succeeded, PartiallySucceeded, Failed or"
          + " Suspended. Use the conditions for decisions.")
  private Phase phase;

  @JsonPropertyDescription("done/total servers, for kubectl get.")
  private String progress;

  @JsonPropertyDescription("Servers in spec.servers.")
  private Integer total;

  @JsonPropertyDescription(
      "Servers whose action completed (including Stop of an already stopped server).")
  private Integer succeeded;

  @JsonPropertyDescription("Servers that failed for good (no attempts left or not retryable).")
  private Integer failed;

  @JsonPropertyDescription("Servers in a submitted, not yet finished job.")
  private Integer inProgress;

  @JsonPropertyDescription("Servers not yet submitted, or waiting for a retry.")
  private Integer pending;

  @JsonPropertyDescription("How many batches the plan has: ceil(servers / batchSize).")
  private Integer plannedBatches;

  @JsonPropertyDescription("Batches with a lower index have had their first submission.")
  private Integer nextBatch;

  @JsonPropertyDescription(
      "How batches are cut from spec.servers: Canonical (lower-cased, sorted). Absent on resources"
          + " started by operator versions that cut them in spec order; those keep that order.")
  private String planOrder;

  @JsonPropertyDescription(
      "One entry per submission attempt of a batch: every active or waiting one, and the latest"
          + " finished ones (older finished entries are folded into the counters).")
  private List<BatchStatus> batches = new ArrayList<>();

  @JsonPropertyDescription(
      "Failed servers with the cloud's error code and reason; at most 100 listed.")
  private List<FailedServer> failedServers = new ArrayList<>();

  @JsonPropertyDescription("True when more servers failed than failedServers lists.")
  private Boolean failedServersTruncated;

  @JsonPropertyDescription("The number of failed servers per error code, over all failures.")
  private Map<String, Integer> failureCounts = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "The cloud's reason per error code (the first one seen); a failed server lists its own reason"
          + " only when it differs.")
  private Map<String, String> failureReasons = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Ready, Reconciling and Stalled (the kstatus conventions: Ready=True only when every server"
          + " is done; Stalled=True when the action failed or waits for a person), and Accepted,"
          + " CredentialsValid, Progressing, Complete, Failed and Suspended, each with a reason and a"
          + " message.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "For spec.nodes: the rollout's progress per step and the nodes in flight, failed and left"
          + " cordoned.")
  private NodeRolloutStatus nodes;

  @JsonPropertyDescription("When the operator first acted on this resource (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When the resource reached a terminal phase (RFC 3339).")
  private String completionTime;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public String getProgress() {
    return progress;
  }

  public void setProgress(String progress) {
    this.progress = progress;
  }

  public Integer getTotal() {
    return total;
  }

  public void setTotal(Integer total) {
    this.total = total;
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

  public Integer getInProgress() {
    return inProgress;
  }

  public void setInProgress(Integer inProgress) {
    this.inProgress = inProgress;
  }

  public Integer getPending() {
    return pending;
  }

  public void setPending(Integer pending) {
    this.pending = pending;
  }

  public Integer getPlannedBatches() {
    return plannedBatches;
  }

  public void setPlannedBatches(Integer plannedBatches) {
    this.plannedBatches = plannedBatches;
  }

  public Integer getNextBatch() {
    return nextBatch;
  }

  public void setNextBatch(Integer nextBatch) {
    this.nextBatch = nextBatch;
  }

  public String getPlanOrder() {
    return planOrder;
  }

  public void setPlanOrder(String planOrder) {
    this.planOrder = planOrder;
  }

  public List<BatchStatus> getBatches() {
    return batches;
  }

  public void setBatches(List<BatchStatus> batches) {
    this.batches = batches;
  }

  public List<FailedServer> getFailedServers() {
    return failedServers;
  }

  public void setFailedServers(List<FailedServer> failedServers) {
    this.failedServers = failedServers;
  }

  public Boolean getFailedServersTruncated() {
    return failedServersTruncated;
  }

  public void setFailedServersTruncated(Boolean failedServersTruncated) {
    this.failedServersTruncated = failedServersTruncated;
  }

  public Map<String, Integer> getFailureCounts() {
    return failureCounts;
  }

  public void setFailureCounts(Map<String, Integer> failureCounts) {
    this.failureCounts = failureCounts;
  }

  public Map<String, String> getFailureReasons() {
    return failureReasons;
  }

  public void setFailureReasons(Map<String, String> failureReasons) {
    this.failureReasons = failureReasons;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public NodeRolloutStatus getNodes() {
    return nodes;
  }

  public void setNodes(NodeRolloutStatus nodes) {
    this.nodes = nodes;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof BareMetalPowerActionStatus)) {
      return false;
    }
    BareMetalPowerActionStatus that = (BareMetalPowerActionStatus) o;
    return Objects.equals(observedGeneration, that.observedGeneration)
        && phase == that.phase
        && Objects.equals(progress, that.progress)
        && Objects.equals(total, that.total)
        && Objects.equals(succeeded, that.succeeded)
        && Objects.equals(failed, that.failed)
        && Objects.equals(inProgress, that.inProgress)
        && Objects.equals(pending, that.pending)
        && Objects.equals(plannedBatches, that.plannedBatches)
        && Objects.equals(nextBatch, that.nextBatch)
        && Objects.equals(planOrder, that.planOrder)
        && Objects.equals(batches, that.batches)
        && Objects.equals(failedServers, that.failedServers)
        && Objects.equals(failedServersTruncated, that.failedServersTruncated)
        && Objects.equals(failureCounts, that.failureCounts)
        && Objects.equals(failureReasons, that.failureReasons)
        && Objects.equals(conditions, that.conditions)
        && Objects.equals(nodes, that.nodes)
        && Objects.equals(startTime, that.startTime)
        && Objects.equals(completionTime, that.completionTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        phase,
        progress,
        total,
        succeeded,
        failed,
        inProgress,
        pending,
        plannedBatches,
        nextBatch,
        planOrder,
        batches,
        failedServers,
        failedServersTruncated,
        failureCounts,
        failureReasons,
        conditions,
        nodes,
        startTime,
        completionTime);
  }
}
