package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.ServerDetails;
import java.util.List;
import java.util.Map;

/**
 * Checks a new action against the policies of its namespace once, before any action call, and
 * records the answer: condition Permitted, or the resource ends Failed with reason NotPermitted.
 */
final class PolicyAdmission {

  private final Tenancy tenancy;
  private final CloudTargetResolver resolver;

  PolicyAdmission(Tenancy tenancy, CloudTargetResolver resolver) {
    this.tenancy = tenancy;
    this.resolver = resolver;
  }

  /**
   * The verdict for this pass; permitted at once when an earlier pass recorded it. With {@code
   * servers} null, a grant by tag or name asks for the servers' cloud data (needsServerData).
   */
  PolicyDecision.Verdict check(Pass pass, Map<String, ServerDetails> servers) {
    if (pass.status().isPermitted()) {
      return new PolicyDecision.Verdict(PolicyDecision.Outcome.PERMITTED, null, null, 1);
    }
    if (startedBefore(pass)) {
      // Created before policies were checked (an upgrade) and already acting: never failed midway.
      String message =
          "started before this operator checked policies; not checked, so its submitted jobs are"
              + " followed to their end";
      pass.permitted(Reason.STARTED_BEFORE_POLICY, message);
      return new PolicyDecision.Verdict(PolicyDecision.Outcome.PERMITTED, null, message, 1);
    }
    String namespace = pass.resource().getMetadata().getNamespace();
    var request =
        new PolicyDecision.Request(
            namespace,
            pass.spec().getAction(),
            pass.ledger().plan().servers(),
            resolver.usesOperatorDefault(pass.resource()));
    PolicyDecision.Verdict verdict =
        PolicyDecision.decide(request, tenancy.selecting(namespace), servers);
    if (verdict.permitted()) {
      pass.permitted(
          verdict.policy() == null ? Reason.NO_POLICY : Reason.GRANTED, verdict.message());
    } else if (verdict.refused()) {
      pass.notPermitted(verdict.message());
    }
    return verdict;
  }

  /** Something was submitted, or an intent recorded, before any policy check. */
  private static boolean startedBefore(Pass pass) {
    Integer next = pass.statusData().getNextBatch();
    return !pass.ledger().attempts().isEmpty() || (next != null && next > 0);
  }

  /**
   * Whether the policies of {@code resource}'s namespace permit {@code action} on these servers,
   * with their cloud data: a node rollout asks before it drains anything, so a refused rollout
   * never cordons a node; each node's own action is checked again as any other.
   */
  PolicyDecision.Verdict permits(
      BareMetalPowerAction resource,
      PowerAction action,
      List<String> servers,
      Map<String, ServerDetails> details) {
    String namespace = resource.getMetadata().getNamespace();
    return PolicyDecision.decide(
        new PolicyDecision.Request(
            namespace, action, servers, resolver.usesOperatorDefault(resource)),
        tenancy.selecting(namespace),
        details);
  }

  int share(String namespace) {
    return tenancy.share(namespace);
  }
}
