package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerPolicy;
import io.bmspower.api.v1alpha1.BareMetalPowerPolicySpec;
import io.bmspower.api.v1alpha1.CredentialsGrant;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.ServerGrant;
import io.bmspower.cloud.ServerDetails;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether the policies that select an action's namespace let it run: pure, no I/O. An action is
 * permitted when one policy grants all of it (credentials, action, size, every server); a namespace
 * no policy selects keeps its own Secrets but not the operator's default credentials. Grants by tag
 * or name need the servers' cloud data: {@link #decide} says so, and is asked again with it.
 */
final class PolicyDecision {

  static final int OFFENDERS_SHOWN = 5;

  /** What the action asks for. Server IDs lower-cased. */
  record Request(
      String namespace,
      PowerAction action,
      List<String> servers,
      boolean operatorDefaultCredentials) {}

  /** Permitted (by a policy, or by none selecting the namespace), refused, or needing data. */
  record Verdict(Outcome outcome, String policy, String message, int share) {
    boolean permitted() {
      return outcome == Outcome.PERMITTED;
    }

    boolean refused() {
      return outcome == Outcome.REFUSED;
    }

    boolean needsServerData() {
      return outcome == Outcome.NEEDS_SERVER_DATA;
    }
  }

  enum Outcome {
    PERMITTED,
    REFUSED,
    NEEDS_SERVER_DATA
  }

  private PolicyDecision() {}

  /** The policies among {@code all} that select a namespace with these labels, by name. */
  static List<BareMetalPowerPolicy> selecting(
      List<BareMetalPowerPolicy> all, Map<String, String> labels) {
    return all.stream()
        .filter(p -> p.getSpec() != null && selects(p.getSpec().getNamespaceSelector(), labels))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  /** The namespace's weight in the budget's fair share: the largest of its policies' shares. */
  static int share(List<BareMetalPowerPolicy> selecting) {
    return selecting.stream()
        .filter(p -> invalidSelector(p.getSpec().getNamespaceSelector()) == null)
        .map(p -> p.getSpec().getBudgetShare())
        .filter(s -> s != null && s > 0)
        .max(Integer::compare)
        .orElse(1);
  }

  /**
   * @param servers the servers' cloud data by lower-cased ID, or null when not read yet
   */
  static Verdict decide(
      Request request, List<BareMetalPowerPolicy> selecting, Map<String, ServerDetails> servers) {
    if (selecting.isEmpty()) {
      if (request.operatorDefaultCredentials()) {
        return new Verdict(
            Outcome.REFUSED,
            null,
            "no BareMetalPowerPolicy selects namespace "
                + request.namespace()
                + ", and the operator's default credentials serve only namespaces a policy grants"
                + " them to (credentials: OperatorDefault); name a Secret of this namespace in"
                + " spec.cloud.credentialsSecretRef, or ask the platform team for a policy",
            1);
      }
      return new Verdict(
          Outcome.PERMITTED,
          null,
          "no BareMetalPowerPolicy selects namespace "
              + request.namespace()
              + "; its own credentials are used",
          1);
    }
    int share = share(selecting);
    List<String> refusals = new ArrayList<>();
    boolean needData = false;
    for (BareMetalPowerPolicy policy : selecting) {
      String name = policy.getMetadata().getName();
      String invalid = invalidSelector(policy.getSpec().getNamespaceSelector());
      String refusal =
          invalid != null
              ? "has an invalid namespaceSelector (" + invalid + "): it grants nothing until fixed"
              : refusal(request, policy.getSpec(), servers);
      if (refusal == null) {
        return new Verdict(
            Outcome.PERMITTED, name, "granted by BareMetalPowerPolicy " + name, share);
      }
      if (refusal.isEmpty()) {
        needData = true;
      } else {
        refusals.add("BareMetalPowerPolicy " + name + " " + refusal);
      }
    }
    if (needData) {
      return new Verdict(
          Outcome.NEEDS_SERVER_DATA, null, "reading the servers' tags and names", share);
    }
    String first = selecting.get(0).getMetadata().getName();
    String message =
        refusals.get(0)
            + (refusals.size() > 1
                ? "; and " + String.join("; ", refusals.subList(1, refusals.size()))
                : "");
    return new Verdict(Outcome.REFUSED, first, message, share);
  }

  /**
   * Why this policy does not grant the request; "" when it needs the servers' data; null: granted.
   */
  private static String refusal(
      Request request, BareMetalPowerPolicySpec spec, Map<String, ServerDetails> servers) {
    if (request.operatorDefaultCredentials()
        && spec.getCredentials() != CredentialsGrant.OperatorDefault) {
      return "does not grant the operator's default credentials (credentials: "
          + (spec.getCredentials() == null ? CredentialsGrant.OwnSecrets : spec.getCredentials())
          + "); name a Secret of this namespace in spec.cloud.credentialsSecretRef";
    }
    if (request.action() != null
        && !spec.getActions().isEmpty()
        && !spec.getActions().contains(request.action())) {
      return "does not grant " + request.action() + " (actions: " + spec.getActions() + ")";
    }
    Integer cap = spec.getMaxServersPerResource();
    if (cap != null && request.servers().size() > cap) {
      return "allows at most "
          + cap
          + " servers per action, this one names "
          + request.servers().size();
    }
    ServerGrant grant = spec.getServers();
    if (grant == null) {
      return null;
    }
    Set<String> ids = new HashSet<>();
    grant.getIds().forEach(id -> ids.add(id.toLowerCase(Locale.ROOT)));
    boolean byData = !grant.getTags().isEmpty() || !grant.getNamePatterns().isEmpty();
    List<Pattern> names =
        grant.getNamePatterns().stream().map(io.bmspower.cloud.NamePattern::compile).toList();
    List<String> offenders = new ArrayList<>();
    int count = 0;
    for (String id : request.servers()) {
      if (ids.contains(id)) {
        continue;
      }
      if (byData && servers == null) {
        return "";
      }
      ServerDetails details = servers == null ? null : servers.get(id);
      if (details != null && grantedByData(grant, names, details)) {
        continue;
      }
      count++;
      if (offenders.size() < OFFENDERS_SHOWN) {
        offenders.add(id + (details == null && byData ? " (not found in the cloud)" : ""));
      }
    }
    if (count == 0) {
      return null;
    }
    return "does not grant "
        + count
        + " of the "
        + request.servers().size()
        + " servers, first: "
        + String.join(", ", offenders);
  }

  private static boolean grantedByData(
      ServerGrant grant, List<Pattern> names, ServerDetails details) {
    if (!grant.getTags().isEmpty() && details.hasAllTags(grant.getTags())) {
      return true;
    }
    String name = details.name();
    return name != null && names.stream().anyMatch(p -> p.matcher(name).matches());
  }

  /**
   * What is wrong with a selector (a requirement without key or with an unknown operator), or null.
   * Such a policy selects every namespace and grants nothing: it fails closed, and says why.
   */
  static String invalidSelector(LabelSelector selector) {
    if (selector == null || selector.getMatchExpressions() == null) {
      return null;
    }
    for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
      if (r.getKey() == null || r.getKey().isEmpty()) {
        return "a matchExpression has no key";
      }
      if (r.getOperator() == null
          || !List.of("In", "NotIn", "Exists", "DoesNotExist").contains(r.getOperator())) {
        return "operator "
            + r.getOperator()
            + " of key "
            + r.getKey()
            + " is not one of In, NotIn, Exists, DoesNotExist";
      }
      boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
      boolean needsValues = r.getOperator().equals("In") || r.getOperator().equals("NotIn");
      if (hasValues != needsValues) {
        return "operator "
            + r.getOperator()
            + " of key "
            + r.getKey()
            + (needsValues ? " needs values" : " takes no values");
      }
    }
    return null;
  }

  /** Kubernetes label selector semantics; an empty or absent selector selects everything. */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null || invalidSelector(selector) != null) {
      return true;
    }
    if (selector.getMatchLabels() != null) {
      for (var e : selector.getMatchLabels().entrySet()) {
        if (!java.util.Objects.equals(e.getValue(), labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!matches(r, labels)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(r.getKey());
      case "DoesNotExist" -> !labels.containsKey(r.getKey());
      default -> false;
    };
  }
}
