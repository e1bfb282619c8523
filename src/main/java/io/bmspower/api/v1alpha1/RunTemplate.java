package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** The BareMetalPowerAction each run creates, without its servers (the selector gives them). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunTemplate {

  @JsonPropertyDescription(
      "The action at spec.schedule: Stop (default), Start or Reboot. With spec.endSchedule, the"
          + " opposite action (Start after Stop, Stop after Start) runs at endSchedule.")
  @Default("Stop")
  private PowerAction action = PowerAction.Stop;

  @JsonPropertyDescription("Servers per action call, 1 to 1,000 (default 1000).")
  @Min(1)
  @Max(BareMetalPowerActionSpec.MAX_BATCH_SIZE)
  private Integer batchSize;

  @JsonPropertyDescription("Endpoint, project and credentials; unset fields: operator defaults.")
  private CloudSpec cloud;

  @JsonPropertyDescription("Retries per server, as in BareMetalPowerAction.")
  private RetrySpec retry;

  @JsonPropertyDescription("Each run's activeDeadlineSeconds.")
  @Min(1)
  @Max(31_536_000)
  private Long activeDeadlineSeconds;

  @JsonPropertyDescription("Each run's priority for the action budget.")
  @Min(-1000)
  @Max(1000)
  private Integer priority;

  public PowerAction getAction() {
    return action;
  }

  public void setAction(PowerAction action) {
    this.action = action;
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

  public Integer getPriority() {
    return priority;
  }

  public void setPriority(Integer priority) {
    this.priority = priority;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunTemplate that
        && action == that.action
        && Objects.equals(batchSize, that.batchSize)
        && Objects.equals(cloud, that.cloud)
        && Objects.equals(retry, that.retry)
        && Objects.equals(activeDeadlineSeconds, that.activeDeadlineSeconds)
        && Objects.equals(priority, that.priority);
  }

  @Override
  public int hashCode() {
    return Objects.hash(action, batchSize, cloud, retry, activeDeadlineSeconds, priority);
  }
}
