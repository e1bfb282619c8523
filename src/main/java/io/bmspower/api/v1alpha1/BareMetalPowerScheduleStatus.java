package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the schedule has run, runs now and will run next; written by the operator only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BareMetalPowerScheduleStatus {

  /** One run: a BareMetalPowerAction this schedule created. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ScheduledRun {
    @JsonPropertyDescription("The BareMetalPowerAction's name.")
    private String name;

    @JsonPropertyDescription("Stop, Start or Reboot.")
    private String action;

    @JsonPropertyDescription("The scheduled time it is for (RFC 3339).")
    private String scheduledAt;

    public ScheduledRun() {}

    public ScheduledRun(String name, String action, String scheduledAt) {
      this.name = name;
      this.action = action;
      this.scheduledAt = scheduledAt;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public String getAction() {
      return action;
    }

    public void setAction(String action) {
      this.action = action;
    }

    public String getScheduledAt() {
      return scheduledAt;
    }

    public void setScheduledAt(String scheduledAt) {
      this.scheduledAt = scheduledAt;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ScheduledRun that
          && Objects.equals(name, that.name)
          && Objects.equals(action, that.action)
          && Objects.equals(scheduledAt, that.scheduledAt);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, action, scheduledAt);
    }
  }

  /** Servers of the selection found in the other power state inside a window. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Drift {
    @JsonPropertyDescription("When the selection's power state was last read (RFC 3339).")
    private String checkedAt;

    @JsonPropertyDescription("How many servers were in the other state then.")
    private Integer count;

    @JsonPropertyDescription("The first of them (at most 20).")
    private List<String> servers = new ArrayList<>();

    @JsonPropertyDescription("Corrective runs created so far in this window (enforce).")
    private Integer corrections;

    @JsonPropertyDescription("The last corrective run's name.")
    private String correctedBy;

    public String getCheckedAt() {
      return checkedAt;
    }

    public void setCheckedAt(String checkedAt) {
      this.checkedAt = checkedAt;
    }

    public Integer getCount() {
      return count;
    }

    public void setCount(Integer count) {
      this.count = count;
    }

    public List<String> getServers() {
      return servers;
    }

    public void setServers(List<String> servers) {
      this.servers = servers == null ? new ArrayList<>() : servers;
    }

    public Integer getCorrections() {
      return corrections;
    }

    public void setCorrections(Integer corrections) {
      this.corrections = corrections;
    }

    public String getCorrectedBy() {
      return correctedBy;
    }

    public void setCorrectedBy(String correctedBy) {
      this.correctedBy = correctedBy;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Drift that
          && Objects.equals(checkedAt, that.checkedAt)
          && Objects.equals(count, that.count)
          && Objects.equals(servers, that.servers)
          && Objects.equals(corrections, that.corrections)
          && Objects.equals(correctedBy, that.correctedBy);
    }

    @Override
    public int hashCode() {
      return Objects.hash(checkedAt, count, servers, corrections, correctedBy);
    }
  }

  @JsonPropertyDescription("The spec generation this status reflects.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "When the operator first saw this schedule, by its clock (RFC 3339): runs count from the"
          + " schedule's creation, or from this when the creation time is later (clock skew).")
  private String firstSeen;

  @JsonPropertyDescription("The scheduled time of the last run started (RFC 3339).")
  private String lastScheduleTime;

  @JsonPropertyDescription("The last run's action.")
  private String lastAction;

  @JsonPropertyDescription("When the last run that succeeded finished (RFC 3339).")
  private String lastSuccessfulTime;

  @JsonPropertyDescription("The next scheduled time (RFC 3339), skip dates left out.")
  private String nextScheduleTime;

  @JsonPropertyDescription("The action that runs then.")
  private String nextAction;

  @JsonPropertyDescription("Runs still going.")
  private List<ScheduledRun> active = new ArrayList<>();

  @JsonPropertyDescription("The last scheduled time skipped, and why (RFC 3339 and reason).")
  private String lastSkipped;

  @JsonPropertyDescription(
      "Inside a window: Off or On, what the selection should be now (from the last run).")
  private String desiredPower;

  @JsonPropertyDescription("Servers found in the other power state inside the window.")
  private Drift drift;

  @JsonPropertyDescription("Ready, Valid, Suspended, InDesiredState.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getFirstSeen() {
    return firstSeen;
  }

  public void setFirstSeen(String firstSeen) {
    this.firstSeen = firstSeen;
  }

  public String getLastScheduleTime() {
    return lastScheduleTime;
  }

  public void setLastScheduleTime(String lastScheduleTime) {
    this.lastScheduleTime = lastScheduleTime;
  }

  public String getLastAction() {
    return lastAction;
  }

  public void setLastAction(String lastAction) {
    this.lastAction = lastAction;
  }

  public String getLastSuccessfulTime() {
    return lastSuccessfulTime;
  }

  public void setLastSuccessfulTime(String lastSuccessfulTime) {
    this.lastSuccessfulTime = lastSuccessfulTime;
  }

  public String getNextScheduleTime() {
    return nextScheduleTime;
  }

  public void setNextScheduleTime(String nextScheduleTime) {
    this.nextScheduleTime = nextScheduleTime;
  }

  public String getNextAction() {
    return nextAction;
  }

  public void setNextAction(String nextAction) {
    this.nextAction = nextAction;
  }

  public List<ScheduledRun> getActive() {
    return active;
  }

  public void setActive(List<ScheduledRun> active) {
    this.active = active == null ? new ArrayList<>() : active;
  }

  public String getLastSkipped() {
    return lastSkipped;
  }

  public void setLastSkipped(String lastSkipped) {
    this.lastSkipped = lastSkipped;
  }

  public String getDesiredPower() {
    return desiredPower;
  }

  public void setDesiredPower(String desiredPower) {
    this.desiredPower = desiredPower;
  }

  public Drift getDrift() {
    return drift;
  }

  public void setDrift(Drift drift) {
    this.drift = drift;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BareMetalPowerScheduleStatus that
        && Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(firstSeen, that.firstSeen)
        && Objects.equals(lastScheduleTime, that.lastScheduleTime)
        && Objects.equals(lastAction, that.lastAction)
        && Objects.equals(lastSuccessfulTime, that.lastSuccessfulTime)
        && Objects.equals(nextScheduleTime, that.nextScheduleTime)
        && Objects.equals(nextAction, that.nextAction)
        && Objects.equals(active, that.active)
        && Objects.equals(lastSkipped, that.lastSkipped)
        && Objects.equals(desiredPower, that.desiredPower)
        && Objects.equals(drift, that.drift)
        && Objects.equals(conditions, that.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        firstSeen,
        lastScheduleTime,
        lastAction,
        lastSuccessfulTime,
        nextScheduleTime,
        nextAction,
        active,
        lastSkipped,
        desiredPower,
        drift,
        conditions);
  }
}
