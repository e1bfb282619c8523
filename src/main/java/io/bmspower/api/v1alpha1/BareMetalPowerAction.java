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
 * Powers a list of Bare Metal Servers off, on, or reboots them, in batches of the cloud's batch
 * action, and reports each job and the progress in its status.
 */
@Group(BareMetalPowerAction.GROUP)
@Version(BareMetalPowerAction.VERSION)
@Kind("BareMetalPowerAction")
@Plural("baremetalpoweractions")
@Singular("baremetalpoweraction")
@ShortNames("bmpa")
@Categories({"bmspower", "all-bmspower"})
@AdditionalPrinterColumn(
    name = "Action",
    jsonPath = ".spec.action",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progress",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Failed",
    jsonPath = ".status.failed",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class BareMetalPowerAction
    extends CustomResource<BareMetalPowerActionSpec, BareMetalPowerActionStatus>
    implements Namespaced {

  public static final String GROUP = "bmspower.io";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "baremetalpoweractions." + GROUP;

  @Override
  @JsonPropertyDescription(
      "What to do, to which servers, and how. Immutable after creation except suspend,"
          + " deletionPolicy and priority.")
  public BareMetalPowerActionSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the operator has done and observed; written by the operator only.")
  public BareMetalPowerActionStatus getStatus() {
    return super.getStatus();
  }
}
