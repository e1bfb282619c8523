package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Cluster-scoped: grants the namespaces it selects what their BareMetalPowerActions may do (which
 * credentials, servers and actions, how many servers per action) and their share of the cloud's
 * action budget. Read by the operator when it accepts an action; it has no status of its own.
 */
@Group(BareMetalPowerAction.GROUP)
@Version(BareMetalPowerAction.VERSION)
@Kind("BareMetalPowerPolicy")
@Plural("baremetalpowerpolicies")
@Singular("baremetalpowerpolicy")
@ShortNames("bmpp")
@Categories({"bmspower", "all-bmspower"})
@AdditionalPrinterColumn(
    name = "Credentials",
    jsonPath = ".spec.credentials",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Actions",
    jsonPath = ".spec.actions",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Max-Servers",
    jsonPath = ".spec.maxServersPerResource",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Share",
    jsonPath = ".spec.budgetShare",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class BareMetalPowerPolicy extends CustomResource<BareMetalPowerPolicySpec, Void> {

  public static final String CRD_NAME = "baremetalpowerpolicies." + BareMetalPowerAction.GROUP;

  @Override
  @JsonPropertyDescription(
      "What the selected namespaces may do; a namespace selected by several policies may do what"
          + " any one of them grants.")
  public BareMetalPowerPolicySpec getSpec() {
    return super.getSpec();
  }
}
