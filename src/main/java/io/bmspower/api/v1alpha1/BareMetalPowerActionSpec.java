package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to do, to which servers, and how. Immutable after creation except suspend, deletionPolicy
 * and priority.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.action == oldSelf.action",
    message = "action is immutable after creation")
@ValidationRule(
    value =
        "has(self.servers) == has(oldSelf.servers)"
            + " && (!has(self.servers) || self.servers == oldSelf.servers)",
    message = "servers is immutable after creation")
@ValidationRule(
    value = "(has(self.servers) && size(self.servers) > 0) != has(self.nodes)",
    message = "set exactly one of servers (1 to 10000 IDs) and nodes")
@ValidationRule(
    value = "!has(self.nodes) || !has(self.activeDeadlineSeconds)",
    message =
        "activeDeadlineSeconds does not apply to nodes; bound a node rollout with"
            + " nodes.drain.timeoutSeconds and nodes.readyTimeoutSeconds")
@ValidationRule(
    value = "has(self.nodes) == has(oldSelf.nodes)",
    message = "nodes cannot be added or removed after creation")
@ValidationRule(
    value = "self.batchSize == oldSelf.batchSize",
    message = "batchSize is immutable after creation")
@ValidationRule(
    value =
        "has(self.cloud) == has(oldSelf.cloud) && (!has(self.cloud) || self.cloud == oldSelf.cloud)",
    message = "cloud is immutable after creation")
@ValidationRule(
    value =
        "has(self.retry) == has(oldSelf.retry) && (!has(self.retry) || self.retry == oldSelf.retry)",
    message = "retry is immutable after creation")
@ValidationRule(
    value =
        "has(self.activeDeadlineSeconds) == has(oldSelf.activeDeadlineSeconds)"
            + " && (!has(self.activeDeadlineSeconds)"
            + " || self.activeDeadlineSeconds == oldSelf.activeDeadlineSeconds)",
    message = "activeDeadlineSeconds is immutable after creation")
@ValidationRule(
    value = "self.dryRun == oldSelf.dryRun",
    message = "dryRun is immutable after creation")
public class BareMetalPowerActionSpec {

  public static final int MAX_SERVERS = 10_000;
  public static final int MAX_BATCH_SIZE = 1_000;
  public static final String UUID_PATTERN =
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

  @JsonPropertyDescription(
      "The power action: Stop (default, forcible), Start, or Reboot (forcible). Stop and Reboot"
          + " are HARD, the only type the cloud honours.")
  @Default("Stop")
  private PowerAction action = PowerAction.Stop;

  @JsonPropertyDescription(
      "The Bare Metal Server IDs (UUIDs) to act on: 1 to 10000, no duplicates. A set: the order"
          + " does not matter and the letter case neither (one ID in two cases is one server)."
          + " Batches are cut from the IDs lower-cased and sorted, so reordering the list never"
          + " changes what is or was submitted. Either servers or nodes.")
  @Size(max = MAX_SERVERS)
  private List<@Pattern(UUID_PATTERN) @Size(max = 36) String> servers = new ArrayList<>();

  @JsonPropertyDescription(
      "Kubernetes Nodes to act on instead of servers: each maps to its server, is drained before"
          + " Stop and Reboot, and is uncordoned once Ready after Start and Reboot, a few nodes at"
          + " a time. Either servers or nodes.")
  private NodeTarget nodes;

  @JsonPropertyDescription(
      "How many servers one action call carries, 1 to 1000 (the cloud's limit); default 1000.")
  @Default("1000")
  @Min(1)
  @Max(MAX_BATCH_SIZE)
  private Integer batchSize = MAX_BATCH_SIZE;

  @JsonPropertyDescription(
      "Where and as whom to call the cloud. Optional when the operator has defaults set.")
  private CloudSpec cloud;

  @JsonPropertyDescription("Retries of retryable per-server failures.")
  private RetrySpec retry;

  @JsonPropertyDescription(
      "Seconds after the start of the action after which it ends as Failed (DeadlineExceeded)."
          + " Jobs already submitted cannot be cancelled. Unset: no deadline.")
  @Min(1)
  @Max(31_536_000)
  private Long activeDeadlineSeconds;

  @JsonPropertyDescription(
      "When true, nothing new is submitted; jobs already submitted run to their end (the cloud"
          + " cannot cancel them). Set back to false to resume.")
  @Default("false")
  private Boolean suspend = false;

  @JsonPropertyDescription(
      "When true, only validate: check the credentials and that every server exists, report the"
          + " batch plan in status, and make no action call.")
  @Default("false")
  private Boolean dryRun = false;

  @JsonPropertyDescription(
      "What deleting this resource does while its jobs run: Wait (default) holds the deletion until"
          + " submitted jobs end (bounded); Abandon releases it at once.")
  @Default("Wait")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Wait;

  @JsonPropertyDescription(
      "Order among this namespace's actions waiting for the cloud's action budget: higher goes"
          + " first (default 0). Namespaces share the budget by their policies' budgetShare; a"
          + " resource waiting longer than the operator's --budget-aging goes first whatever its"
          + " priority. Mutable.")
  @Default("0")
  @Min(-1000)
  @Max(1000)
  private Integer priority = 0;

  public PowerAction getAction() {
    return action;
  }

  public void setAction(PowerAction action) {
    this.action = action;
  }

  public List<String> getServers() {
    return servers;
  }

  public void setServers(List<String> servers) {
    this.servers = servers;
  }

  public NodeTarget getNodes() {
    return nodes;
  }

  public void setNodes(NodeTarget nodes) {
    this.nodes = nodes;
  }

  public Integer getBatchSize() {
    return batchSize;
  }

  public void setBatchSize(Integer batchSize) {
    this.batchSize = batchSize;
  }

  public CloudSpec getCloud() {
    return cloud;
  }

  public void setCloud(CloudSpec cloud) {
    this.cloud = cloud;
  }

  public RetrySpec getRetry() {
    return retry;
  }

  public void setRetry(RetrySpec retry) {
    this.retry = retry;
  }

  public Long getActiveDeadlineSeconds() {
    return activeDeadlineSeconds;
  }

  public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public Boolean getDryRun() {
    return dryRun;
  }

  public void setDryRun(Boolean dryRun) {
    this.dryRun = dryRun;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  public Integer getPriority() {
    return priority;
  }

  public void setPriority(Integer priority) {
    this.priority = priority;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof BareMetalPowerActionSpec)) {
      return false;
    }
    BareMetalPowerActionSpec that = (BareMetalPowerActionSpec) o;
    return action == that.action
        && Objects.equals(servers, that.servers)
        && Objects.equals(nodes, that.nodes)
        && Objects.equals(batchSize, that.batchSize)
        && Objects.equals(cloud, that.cloud)
        && Objects.equals(retry, that.retry)
        && Objects.equals(activeDeadlineSeconds, that.activeDeadlineSeconds)
        && Objects.equals(suspend, that.suspend)
        && Objects.equals(dryRun, that.dryRun)
        && deletionPolicy == that.deletionPolicy
        && Objects.equals(priority, that.priority);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        action,
        servers,
        nodes,
        batchSize,
        cloud,
        retry,
        activeDeadlineSeconds,
        suspend,
        dryRun,
        deletionPolicy,
        priority);
  }
}
