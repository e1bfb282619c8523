package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerPolicy;
import io.bmspower.api.v1alpha1.BareMetalPowerPolicySpec;
import io.bmspower.api.v1alpha1.CredentialsGrant;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.ServerGrant;
import io.bmspower.cloud.ServerDetails;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which actions a namespace's policies permit: pure decisions, no API server, no cloud. */
class PolicyDecisionTest {

  private static final String A = "aaaaaaaa-0000-0000-0000-000000000001";
  private static final String B = "bbbbbbbb-0000-0000-0000-000000000002";
  private static final String C = "cccccccc-0000-0000-0000-000000000003";

  private static BareMetalPowerPolicy policy(String name, BareMetalPowerPolicySpec spec) {
    BareMetalPowerPolicy p = new BareMetalPowerPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    p.setSpec(spec);
    return p;
  }

  private static BareMetalPowerPolicySpec spec() {
    return new BareMetalPowerPolicySpec();
  }

  private static PolicyDecision.Request request(
      PowerAction action, boolean operatorDefault, String... servers) {
    return new PolicyDecision.Request("team-a", action, List.of(servers), operatorDefault);
  }

  private static ServerDetails server(String id, String name, String... tags) {
    return new ServerDetails(id, "ACTIVE", null, "active", 1, null, name, List.of(tags));
  }

  @Test
  void withoutAPolicyOwnSecretsWorkButTheOperatorDefaultDoesNot() {
    var own = PolicyDecision.decide(request(PowerAction.Stop, false, A), List.of(), null);
    var platform = PolicyDecision.decide(request(PowerAction.Stop, true, A), List.of(), null);

    assertThat(own.permitted()).isTrue();
    assertThat(platform.refused()).isTrue();
    assertThat(platform.message())
        .contains("no BareMetalPowerPolicy selects namespace team-a")
        .contains("credentials: OperatorDefault");
  }

  @Test
  void theOperatorDefaultNeedsAPolicyGrantingIt() {
    var s = spec();
    var refused =
        PolicyDecision.decide(request(PowerAction.Stop, true, A), List.of(policy("lab", s)), null);
    s.setCredentials(CredentialsGrant.OperatorDefault);
    var granted =
        PolicyDecision.decide(request(PowerAction.Stop, true, A), List.of(policy("lab", s)), null);

    assertThat(refused.refused()).isTrue();
    assertThat(refused.policy()).isEqualTo("lab");
    assertThat(refused.message())
        .contains("BareMetalPowerPolicy lab does not grant the operator's");
    assertThat(granted.permitted()).isTrue();
    assertThat(granted.message()).isEqualTo("granted by BareMetalPowerPolicy lab");
  }

  @Test
  void anActionOutsideTheGrantIsRefused() {
    var s = spec();
    s.setActions(List.of(PowerAction.Start, PowerAction.Stop));

    var verdict =
        PolicyDecision.decide(request(PowerAction.Reboot, false, A), List.of(policy("p", s)), null);

    assertThat(verdict.refused()).isTrue();
    assertThat(verdict.message()).contains("does not grant Reboot (actions: [Start, Stop])");
  }

  @Test
  void anActionOverTheSizeCapIsRefused() {
    var s = spec();
    s.setMaxServersPerResource(2);

    var verdict =
        PolicyDecision.decide(
            request(PowerAction.Stop, false, A, B, C), List.of(policy("p", s)), null);

    assertThat(verdict.refused()).isTrue();
    assertThat(verdict.message()).contains("at most 2 servers per action, this one names 3");
  }

  @Test
  void serversGrantedByIdNeedNoCloudData() {
    var s = spec();
    s.setServers(new ServerGrant());
    s.getServers().setIds(List.of(A.toUpperCase(), B));

    var ok =
        PolicyDecision.decide(
            request(PowerAction.Stop, false, A, B), List.of(policy("p", s)), null);
    var no =
        PolicyDecision.decide(
            request(PowerAction.Stop, false, A, C), List.of(policy("p", s)), null);

    assertThat(ok.permitted()).isTrue();
    assertThat(no.refused()).isTrue();
    assertThat(no.message()).contains("does not grant 1 of the 2 servers, first: " + C);
  }

  @Test
  void aGrantByTagAsksForTheServersDataThenChecksEveryTag() {
    var s = spec();
    s.setServers(new ServerGrant());
    s.getServers().setTags(List.of("team=a", "env=lab"));
    var policies = List.of(policy("p", s));
    var req = request(PowerAction.Stop, false, A, B, C);

    var first = PolicyDecision.decide(req, policies, null);
    var then =
        PolicyDecision.decide(
            req,
            policies,
            Map.of(
                A, server(A, "a", "__type_baremetal", "team=a", "env=lab"),
                B, server(B, "b", "team=a"),
                C, server(C, "c", "env=lab", "team=a")));

    assertThat(first.needsServerData()).isTrue();
    assertThat(then.refused()).isTrue();
    assertThat(then.message()).contains("does not grant 1 of the 3 servers, first: " + B);
  }

  @Test
  void aServerTheCloudDoesNotKnowIsNotGrantedByTagOrName() {
    var s = spec();
    s.setServers(new ServerGrant());
    s.getServers().setNamePatterns(List.of("lab-*"));

    var verdict =
        PolicyDecision.decide(
            request(PowerAction.Stop, false, A, B),
            List.of(policy("p", s)),
            Map.of(A, server(A, "lab-001")));

    assertThat(verdict.refused()).isTrue();
    assertThat(verdict.message()).contains(B + " (not found in the cloud)");
  }

  @Test
  void namePatternsAreGlobsNotRegexes() {
    assertThat(io.bmspower.cloud.NamePattern.compile("lab-*").matcher("lab-001").matches())
        .isTrue();
    assertThat(io.bmspower.cloud.NamePattern.compile("lab-?1").matcher("lab-01").matches())
        .isTrue();
    assertThat(io.bmspower.cloud.NamePattern.compile("lab.(x)*").matcher("lab.(x)9").matches())
        .isTrue();
    assertThat(io.bmspower.cloud.NamePattern.compile("lab.*").matcher("labX9").matches()).isFalse();
  }

  @Test
  void oneOfSeveralPoliciesGrantingEverythingIsEnough() {
    var narrow = spec();
    narrow.setActions(List.of(PowerAction.Start));
    var wide = spec();

    var verdict =
        PolicyDecision.decide(
            request(PowerAction.Stop, false, A),
            List.of(policy("a-narrow", narrow), policy("b-wide", wide)),
            null);

    assertThat(verdict.permitted()).isTrue();
    assertThat(verdict.policy()).isEqualTo("b-wide");
  }

  @Test
  void everyRefusingPolicyIsNamed() {
    var one = spec();
    one.setActions(List.of(PowerAction.Start));
    var two = spec();
    two.setMaxServersPerResource(1);

    var verdict =
        PolicyDecision.decide(
            request(PowerAction.Stop, false, A, B),
            List.of(policy("one", one), policy("two", two)),
            null);

    assertThat(verdict.message())
        .contains("BareMetalPowerPolicy one does not grant Stop")
        .contains("BareMetalPowerPolicy two allows at most 1 servers");
  }

  @Test
  void namespaceSelectorsFollowKubernetesSemantics() {
    var labels = Map.of("team", "a", "tier", "lab");
    assertThat(PolicyDecision.selects(null, labels)).isTrue();
    assertThat(PolicyDecision.selects(new LabelSelectorBuilder().build(), labels)).isTrue();
    assertThat(
            PolicyDecision.selects(
                new LabelSelectorBuilder().addToMatchLabels("team", "a").build(), labels))
        .isTrue();
    assertThat(
            PolicyDecision.selects(
                new LabelSelectorBuilder().addToMatchLabels("team", "b").build(), labels))
        .isFalse();
    assertThat(
            PolicyDecision.selects(
                new LabelSelectorBuilder()
                    .addNewMatchExpression()
                    .withKey("tier")
                    .withOperator("In")
                    .withValues("lab", "ci")
                    .endMatchExpression()
                    .addNewMatchExpression()
                    .withKey("prod")
                    .withOperator("DoesNotExist")
                    .endMatchExpression()
                    .build(),
                labels))
        .isTrue();
  }

  @Test
  void theShareIsTheLargestOfTheSelectingPolicies() {
    var one = spec();
    one.setBudgetShare(2);
    var two = spec();
    two.setBudgetShare(5);

    assertThat(PolicyDecision.share(List.of(policy("one", one), policy("two", two)))).isEqualTo(5);
    assertThat(PolicyDecision.share(List.of())).isEqualTo(1);
  }

  @Test
  void anInvalidNamespaceSelectorFailsClosedAndLendsNoShare() {
    var broken = spec();
    broken.setBudgetShare(10);
    broken.setNamespaceSelector(
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("team")
            .withOperator("NotIn")
            .endMatchExpression()
            .build());
    var policies = PolicyDecision.selecting(List.of(policy("broken", broken)), Map.of("team", "a"));

    var verdict = PolicyDecision.decide(request(PowerAction.Stop, false, A), policies, null);

    assertThat(policies).hasSize(1);
    assertThat(verdict.refused()).isTrue();
    assertThat(verdict.message())
        .contains("BareMetalPowerPolicy broken has an invalid namespaceSelector")
        .contains("NotIn of key team needs values");
    assertThat(PolicyDecision.share(policies)).isEqualTo(1);
  }
}
