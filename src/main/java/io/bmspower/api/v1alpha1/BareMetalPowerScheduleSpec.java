package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** When to run which power action on which servers, CronJob-style. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.endSchedule) || self.template.action != 'Reboot'",
    message = "endSchedule needs template.action Stop or Start (a window has an opposite action)")
@ValidationRule(
    value = "!has(self.enforce) || !self.enforce || has(self.endSchedule)",
    message = "enforce needs endSchedule: the desired state holds inside a window")
public class BareMetalPowerScheduleSpec {

  /** Five cron fields of the characters cron uses, or a macro; the operator checks the rest. */
  public static final String CRON_PATTERN =
      "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)"
          + "|[0-9A-Za-z*,/?-]+( +[0-9A-Za-z*,/?-]+){4})$";

  @JsonPropertyDescription(
      "When template.action runs: five cron fields (minute hour day-of-month month"
          + " day-of-week), e.g. \"0 20 * * 1-5\", or @daily, @weekly ..., in spec.timeZone.")
  @Required
  @Pattern(CRON_PATTERN)
  @Size(max = 200)
  private String schedule;

  @JsonPropertyDescription(
      "Optional: when the opposite action runs (Start after a Stop, Stop after a Start), so"
          + " schedule..endSchedule is a window, e.g. \"0 7 * * 1-5\" ends a night's off-window.")
  @Pattern(CRON_PATTERN)
  @Size(max = 200)
  private String endSchedule;

  @JsonPropertyDescription(
      "The IANA time zone of the schedules, e.g. Europe/Berlin (default UTC); daylight saving"
          + " time is followed: a time that does not exist that day runs when the day's clock"
          + " passes it, a time that exists twice runs once.")
  @Default("UTC")
  @Size(max = 64)
  @ValidationRule(
      value = "timestamp('2000-01-01T00:00:00Z').getHours(self) >= 0",
      message = "timeZone must be an IANA time zone such as Europe/Berlin")
  private String timeZone = "UTC";

  @JsonPropertyDescription(
      "Dates (YYYY-MM-DD, in timeZone) on which no run happens, e.g. holidays.")
  @Size(max = 366)
  private List<@Pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") String> skipDates = new ArrayList<>();

  @JsonPropertyDescription("true: no new run starts; runs already going go on. Mutable.")
  @Default("false")
  private Boolean suspend = false;

  @JsonPropertyDescription(
      "A run missed (operator down, suspended) by more than this many seconds is skipped, not"
          + " started late. Default: no limit (the most recent missed run starts).")
  @Min(1)
  private Long startingDeadlineSeconds;

  @JsonPropertyDescription(
      "What a new run does while the previous one still runs: Allow (default; servers both name"
          + " wait for the earlier run), Forbid (skip the new run) or Replace (delete the running"
          + " one, then start).")
  @Default("Allow")
  private ConcurrencyPolicy concurrencyPolicy = ConcurrencyPolicy.Allow;

  @JsonPropertyDescription("Finished successful runs kept (default 3).")
  @Default("3")
  @Min(0)
  @Max(100)
  private Integer successfulRunsHistoryLimit = 3;

  @JsonPropertyDescription("Finished failed runs kept (default 1).")
  @Default("1")
  @Min(0)
  @Max(100)
  private Integer failedRunsHistoryLimit = 1;

  @JsonPropertyDescription(
      "With endSchedule: servers of the selection found in the other power state inside the"
          + " window (powered on by hand during an off-window) are reported in status; with"
          + " enforce true they are put back by a corrective run.")
  @Default("false")
  private Boolean enforce = false;

  @JsonPropertyDescription("Which servers: IDs, cloud tags, a name pattern (at most 10,000).")
  @Required
  private ServerSelector selector;

  @JsonPropertyDescription("The BareMetalPowerAction each run creates, without its servers.")
  @Required
  private RunTemplate template = new RunTemplate();

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public String getEndSchedule() {
    return endSchedule;
  }

  public void setEndSchedule(String endSchedule) {
    this.endSchedule = endSchedule;
  }

  public String getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(String timeZone) {
    this.timeZone = timeZone;
  }

  public List<String> getSkipDates() {
    return skipDates;
  }

  public void setSkipDates(List<String> skipDates) {
    this.skipDates = skipDates == null ? new ArrayList<>() : skipDates;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public Long getStartingDeadlineSeconds() {
    return startingDeadlineSeconds;
  }

  public void setStartingDeadlineSeconds(Long startingDeadlineSeconds) {
    this.startingDeadlineSeconds = startingDeadlineSeconds;
  }

  public ConcurrencyPolicy getConcurrencyPolicy() {
    return concurrencyPolicy;
  }

  public void setConcurrencyPolicy(ConcurrencyPolicy concurrencyPolicy) {
    this.concurrencyPolicy = concurrencyPolicy;
  }

  public Integer getSuccessfulRunsHistoryLimit() {
    return successfulRunsHistoryLimit;
  }

  public void setSuccessfulRunsHistoryLimit(Integer successfulRunsHistoryLimit) {
    this.successfulRunsHistoryLimit = successfulRunsHistoryLimit;
  }

  public Integer getFailedRunsHistoryLimit() {
    return failedRunsHistoryLimit;
  }

  public void setFailedRunsHistoryLimit(Integer failedRunsHistoryLimit) {
    this.failedRunsHistoryLimit = failedRunsHistoryLimit;
  }

  public Boolean getEnforce() {
    return enforce;
  }

  public void setEnforce(Boolean enforce) {
    this.enforce = enforce;
  }

  public ServerSelector getSelector() {
    return selector;
  }

  public void setSelector(ServerSelector selector) {
    this.selector = selector;
  }

  public RunTemplate getTemplate() {
    return template;
  }

  public void setTemplate(RunTemplate template) {
    this.template = template;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BareMetalPowerScheduleSpec that
        && Objects.equals(schedule, that.schedule)
        && Objects.equals(endSchedule, that.endSchedule)
        && Objects.equals(timeZone, that.timeZone)
        && Objects.equals(skipDates, that.skipDates)
        && Objects.equals(suspend, that.suspend)
        && Objects.equals(startingDeadlineSeconds, that.startingDeadlineSeconds)
        && concurrencyPolicy == that.concurrencyPolicy
        && Objects.equals(successfulRunsHistoryLimit, that.successfulRunsHistoryLimit)
        && Objects.equals(failedRunsHistoryLimit, that.failedRunsHistoryLimit)
        && Objects.equals(enforce, that.enforce)
        && Objects.equals(selector, that.selector)
        && Objects.equals(template, that.template);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        schedule,
        endSchedule,
        timeZone,
        skipDates,
        suspend,
        startingDeadlineSeconds,
        concurrencyPolicy,
        successfulRunsHistoryLimit,
        failedRunsHistoryLimit,
        enforce,
        selector,
        template);
  }
}
