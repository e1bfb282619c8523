package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the selected namespaces' BareMetalPowerActions may do. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BareMetalPowerPolicySpec {

  @JsonPropertyDescription(
      "The namespaces this policy grants, by their labels (matchLabels, matchExpressions). Empty"
          + " selects every namespace.")
  private LabelSelector namespaceSelector;

  @JsonPropertyDescription(
      "Which credentials: OwnSecrets (default; Secrets in the action's own namespace) or"
          + " OperatorDefault (also the operator's --default-credentials-secret NS/NAME).")
  @Default("OwnSecrets")
  private CredentialsGrant credentials = CredentialsGrant.OwnSecrets;

  @JsonPropertyDescription(
      "Which servers: by ID, cloud tags or name patterns (a server matching any is granted)."
          + " Omitted: every server of the project.")
  private ServerGrant servers;

  @JsonPropertyDescription("Which actions (Stop, Start, Reboot). Empty or omitted: all three.")
  private List<PowerAction> actions = new ArrayList<>();

  @JsonPropertyDescription("At most this many servers per BareMetalPowerAction. Omitted: no cap.")
  @Min(1)
  @Max(BareMetalPowerActionSpec.MAX_SERVERS)
  private Integer maxServersPerResource;

  @JsonPropertyDescription(
      "The selected namespaces' weight in the action budget's fair sharing (default 1): a"
          + " namespace of share 3 gets three calls for every one of a namespace of share 1 while"
          + " both wait. A namespace under several policies gets the largest share.")
  @Default("1")
  @Min(1)
  @Max(1000)
  private Integer budgetShare = 1;

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public CredentialsGrant getCredentials() {
    return credentials;
  }

  public void setCredentials(CredentialsGrant credentials) {
    this.credentials = credentials;
  }

  public ServerGrant getServers() {
    return servers;
  }

  public void setServers(ServerGrant servers) {
    this.servers = servers;
  }

  public List<PowerAction> getActions() {
    return actions;
  }

  public void setActions(List<PowerAction> actions) {
    this.actions = actions == null ? new ArrayList<>() : actions;
  }

  public Integer getMaxServersPerResource() {
    return maxServersPerResource;
  }

  public void setMaxServersPerResource(Integer maxServersPerResource) {
    this.maxServersPerResource = maxServersPerResource;
  }

  public Integer getBudgetShare() {
    return budgetShare;
  }

  public void setBudgetShare(Integer budgetShare) {
    this.budgetShare = budgetShare;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BareMetalPowerPolicySpec that
        && Objects.equals(namespaceSelector, that.namespaceSelector)
        && credentials == that.credentials
        && Objects.equals(servers, that.servers)
        && Objects.equals(actions, that.actions)
        && Objects.equals(maxServersPerResource, that.maxServersPerResource)
        && Objects.equals(budgetShare, that.budgetShare);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        namespaceSelector, credentials, servers, actions, maxServersPerResource, budgetShare);
  }
}
