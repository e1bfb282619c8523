package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * How a node is drained before Stop and Reboot, after kubectl drain: DaemonSet and mirror pods are
 * skipped, everything else is evicted through the Eviction API so PodDisruptionBudgets hold.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DrainSpec {

  @JsonPropertyDescription(
      "Drain before Stop and Reboot (default true). False: the node is cordoned and powered"
          + " without evicting anything.")
  @Default("true")
  private Boolean enabled = true;

  @JsonPropertyDescription(
      "How long a node's drain may take, in seconds (default 300). A node still holding pods"
          + " then is not powered and is reported with the pods that block it, unless force.")
  @Default("300")
  @Min(1)
  @Max(86_400)
  private Long timeoutSeconds = 300L;

  @JsonPropertyDescription(
      "The grace period given to each evicted pod, in seconds. Unset: the pod's own.")
  @Min(0)
  @Max(86_400)
  private Long gracePeriodSeconds;

  @JsonPropertyDescription(
      "Evict pods using emptyDir volumes (their data is lost). Default false: such a pod blocks"
          + " the drain, as in kubectl drain.")
  @Default("false")
  private Boolean deleteEmptyDirData = false;

  @JsonPropertyDescription(
      "Evict only pods matching this label selector (kubectl syntax, e.g. 'app!=agent'); others"
          + " stay and do not block.")
  @Size(max = 1024)
  private String podSelector;

  @JsonPropertyDescription(
      "Power the node even when its drain timed out (default false). The pods still on it are"
          + " named in an Event.")
  @Default("false")
  private Boolean force = false;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Long getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public void setTimeoutSeconds(Long timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  public Long getGracePeriodSeconds() {
    return gracePeriodSeconds;
  }

  public void setGracePeriodSeconds(Long gracePeriodSeconds) {
    this.gracePeriodSeconds = gracePeriodSeconds;
  }

  public Boolean getDeleteEmptyDirData() {
    return deleteEmptyDirData;
  }

  public void setDeleteEmptyDirData(Boolean deleteEmptyDirData) {
    this.deleteEmptyDirData = deleteEmptyDirData;
  }

  public String getPodSelector() {
    return podSelector;
  }

  public void setPodSelector(String podSelector) {
    this.podSelector = podSelector;
  }

  public Boolean getForce() {
    return force;
  }

  public void setForce(Boolean force) {
    this.force = force;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DrainSpec d
        && Objects.equals(enabled, d.enabled)
        && Objects.equals(timeoutSeconds, d.timeoutSeconds)
        && Objects.equals(gracePeriodSeconds, d.gracePeriodSeconds)
        && Objects.equals(deleteEmptyDirData, d.deleteEmptyDirData)
        && Objects.equals(podSelector, d.podSelector)
        && Objects.equals(force, d.force);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        enabled, timeoutSeconds, gracePeriodSeconds, deleteEmptyDirData, podSelector, force);
  }
}
