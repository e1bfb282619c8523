package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Runs a power action on a selection of servers on a cron schedule, optionally with an end schedule
 * that runs the opposite action (an off-window at night, say): each run is a BareMetalPowerAction
 * this schedule owns, named from the schedule and the run's time.
 */
@Group(BareMetalPowerAction.GROUP)
@Version(BareMetalPowerAction.VERSION)
@Kind("BareMetalPowerSchedule")
@Plural("baremetalpowerschedules")
@Singular("baremetalpowerschedule")
@ShortNames("bmps")
@Categories({"bmspower", "all-bmspower"})
@AdditionalPrinterColumn(
    name = "Schedule",
    jsonPath = ".spec.schedule",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "End",
    jsonPath = ".spec.endSchedule",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Suspend",
    jsonPath = ".spec.suspend",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(
    name = "Last",
    jsonPath = ".status.lastScheduleTime",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Next",
    jsonPath = ".status.nextScheduleTime",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Next-Action",
    jsonPath = ".status.nextAction",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class BareMetalPowerSchedule
    extends CustomResource<BareMetalPowerScheduleSpec, BareMetalPowerScheduleStatus>
    implements Namespaced {

  public static final String CRD_NAME = "baremetalpowerschedules." + BareMetalPowerAction.GROUP;

  /** Label on every run: the schedule's name (a hash when the name is longer than a label). */
  public static final String SCHEDULE_LABEL = "bmspower.io/schedule";

  /** Annotation on every run: its scheduled time (RFC 3339). */
  public static final String SCHEDULED_AT = "bmspower.io/scheduled-at";

  /** Annotation on a schedule: "true" skips the next run (the operator removes it once used). */
  public static final String SKIP_NEXT_RUN = "bmspower.io/skip-next-run";

  /**
   * Annotation on a schedule: RFC 3339; no run starts before it, and then the most recent one due
   * starts (keep the fleet on until 23:00: the 20:00 Stop runs at 23:00).
   */
  public static final String POSTPONE_UNTIL = "bmspower.io/postpone-until";

  @Override
  @JsonPropertyDescription("When to run which action on which servers.")
  public BareMetalPowerScheduleSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("The runs, last and next; written by the operator only.")
  public BareMetalPowerScheduleStatus getStatus() {
    return super.getStatus();
  }
}
