package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerPolicy;
import io.bmspower.api.v1alpha1.BareMetalPowerPolicySpec;
import io.bmspower.api.v1alpha1.CredentialsGrant;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.ServerGrant;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Who may power what: BareMetalPowerPolicies against the real API server (cluster-scoped policies,
 * namespace labels) and the simulator over HTTP. Each test's policy selects only its own namespace
 * by a label unique to it, and is deleted at the end.
 */
class TenancyIT {

  private static final String TENANT_LABEL = "bmspower.io/tenant";

  @Test
  void aNamespaceWithoutAGrantCannotUseTheOperatorsDefaultCredentials() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 10);
        var h = new OperatorHarness(sim)) {
      String platform = "platform-" + UUID.randomUUID().toString().substring(0, 8);
      h.client
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(platform).endMetadata().build())
          .serverSideApply();
      h.client
          .resource(SimulatorFixture.akSkSecret(platform, "platform-creds", sim.options))
          .create();
      h.settings.defaultCredentialsSecret = platform + "/platform-creds";
      String tenant = label(h);
      h.startOperator();

      h.create("no-grant", sim.simulator.inventory(), TenancyIT::noSecret);
      var refused = h.awaitPhase("no-grant", Phase.Failed, Duration.ofSeconds(30));

      Condition permitted = condition(refused, "Permitted");
      assertThat(permitted.getStatus()).isEqualTo("False");
      assertThat(permitted.getReason()).isEqualTo("NotPermitted");
      assertThat(permitted.getMessage())
          .contains("no BareMetalPowerPolicy selects namespace " + h.namespace)
          .contains("credentials: OperatorDefault");
      assertThat(condition(refused, "Failed").getReason()).isEqualTo("NotPermitted");
      assertThat(h.events("no-grant"))
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("NotPermitted"));
      // Not one cloud call: not a token, not a list, not an action.
      assertThat(sim.stats().path("requests").size()).isZero();

      // A policy granting the default credentials to this namespace: the same action goes through.
      var grant = new BareMetalPowerPolicySpec();
      grant.setCredentials(CredentialsGrant.OperatorDefault);
      try (var policy = policy(h, tenant, grant)) {
        h.create("granted", sim.simulator.inventory(), TenancyIT::noSecret);
        var done = h.awaitPhase("granted", Phase.Succeeded, Duration.ofSeconds(60));
        assertThat(condition(done, "Permitted").getReason()).isEqualTo("Granted");
        assertThat(condition(done, "Permitted").getMessage()).contains(policy.name);
        assertThat(done.getStatus().getSucceeded()).isEqualTo(10);
      }
    }
  }

  @Test
  void aGrantByCloudTagAdmitsTaggedServersAndRefusesAnUntaggedOne() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 30);
        var h = new OperatorHarness(sim)) {
      List<String> all = sim.simulator.inventory();
      List<String> tagged = all.subList(0, 10);
      sim.simulator.tag(tagged, "team=a");
      h.createAkSkSecret("bms-credentials");
      String tenant = label(h);
      var spec = new BareMetalPowerPolicySpec();
      spec.setServers(new ServerGrant());
      spec.getServers().setTags(List.of("team=a"));
      try (var policy = policy(h, tenant, spec)) {
        h.startOperator();

        h.create("tagged", tagged, s -> {});
        List<String> mixed = new ArrayList<>(all.subList(1, 10));
        String untagged = all.get(20);
        mixed.add(untagged);
        h.create("one-untagged", mixed, s -> {});

        var done = h.awaitPhase("tagged", Phase.Succeeded, Duration.ofSeconds(60));
        var refused = h.awaitPhase("one-untagged", Phase.Failed, Duration.ofSeconds(60));

        assertThat(done.getStatus().getSucceeded()).isEqualTo(10);
        assertThat(condition(done, "Permitted").getMessage())
            .isEqualTo("granted by BareMetalPowerPolicy " + policy.name);
        Condition no = condition(refused, "Permitted");
        assertThat(no.getReason()).isEqualTo("NotPermitted");
        assertThat(no.getMessage())
            .contains("BareMetalPowerPolicy " + policy.name)
            .contains("does not grant 1 of the 10 servers, first: " + untagged);
        // Counted by the cloud: each tagged server submitted once (by "tagged"), the untagged
        // never.
        var perServer = sim.stats().path("submissionsPerServer");
        tagged.forEach(id -> assertThat(perServer.path(id).asInt()).as(id).isEqualTo(1));
        assertThat(perServer.path(untagged).asInt()).isZero();
        assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(1);
      }
    }
  }

  @Test
  void anActionOrASizeOutsideTheGrantIsRefusedWithoutACloudCall() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 10);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      String tenant = label(h);
      var spec = new BareMetalPowerPolicySpec();
      spec.setActions(List.of(PowerAction.Start, PowerAction.Stop));
      spec.setMaxServersPerResource(5);
      try (var policy = policy(h, tenant, spec)) {
        h.startOperator();

        List<String> five = sim.simulator.inventory().subList(0, 5);
        h.create("reboot", five, s -> s.setAction(PowerAction.Reboot));
        h.create("too-many", sim.simulator.inventory(), s -> {});

        var reboot = h.awaitPhase("reboot", Phase.Failed, Duration.ofSeconds(30));
        var tooMany = h.awaitPhase("too-many", Phase.Failed, Duration.ofSeconds(30));

        assertThat(condition(reboot, "Permitted").getMessage())
            .contains("BareMetalPowerPolicy " + policy.name + " does not grant Reboot");
        assertThat(condition(tooMany, "Permitted").getMessage())
            .contains("allows at most 5 servers per action, this one names 10");
        assertThat(sim.stats().path("requests").size()).isZero();

        h.create("stop-five", five, s -> {});
        assertThat(
                h.awaitPhase("stop-five", Phase.Succeeded, Duration.ofSeconds(60))
                    .getStatus()
                    .getSucceeded())
            .isEqualTo(5);
      }
    }
  }

  @Test
  void theExamplePolicyIsAcceptedAndABadTagIsRejectedAtAdmission() throws Exception {
    try (var client = io.bmspower.testing.LocalControlPlane.get().newClient()) {
      BareMetalPowerPolicy example;
      try (var in =
          java.nio.file.Files.newInputStream(java.nio.file.Path.of("examples/policy-lab.yaml"))) {
        example = client.resources(BareMetalPowerPolicy.class).load(in).item();
      }
      example.getMetadata().setName("example-" + UUID.randomUUID().toString().substring(0, 8));
      var created = client.resource(example).create();
      try {
        assertThat(created.getSpec().getBudgetShare()).isEqualTo(2);
        assertThat(created.getSpec().getServers().getTags()).containsExactly("team=lab");
      } finally {
        client.resource(created).delete();
      }

      var bad = new BareMetalPowerPolicySpec();
      bad.setServers(new ServerGrant());
      bad.getServers().setTags(List.of("no-equals-sign"));
      var p = new BareMetalPowerPolicy();
      p.setMetadata(
          new ObjectMetaBuilder()
              .withName("bad-" + UUID.randomUUID().toString().substring(0, 8))
              .build());
      p.setSpec(bad);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.resource(p).create())
          .isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
          .hasMessageContaining("spec.servers.tags[0]");
    }
  }

  private static void noSecret(io.bmspower.api.v1alpha1.BareMetalPowerActionSpec spec) {
    spec.getCloud().setCredentialsSecretRef(null);
  }

  /** Labels the test's namespace with a tenant name unique to it; returns the name. */
  private static String label(OperatorHarness h) {
    String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
    h.client
        .namespaces()
        .withName(h.namespace)
        .edit(
            n ->
                new NamespaceBuilder(n)
                    .editMetadata()
                    .addToLabels(TENANT_LABEL, tenant)
                    .endMetadata()
                    .build());
    return tenant;
  }

  /** A policy selecting the tenant's namespace; deleted on close. */
  private static Policy policy(OperatorHarness h, String tenant, BareMetalPowerPolicySpec spec) {
    spec.setNamespaceSelector(
        new LabelSelectorBuilder().addToMatchLabels(TENANT_LABEL, tenant).build());
    var p = new BareMetalPowerPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName("policy-" + tenant).build());
    p.setSpec(spec);
    h.client.resource(p).create();
    return new Policy(h, p.getMetadata().getName());
  }

  private record Policy(OperatorHarness h, String name) implements AutoCloseable {
    @Override
    public void close() {
      h.client.resources(BareMetalPowerPolicy.class).withName(name).delete();
    }
  }

  private static Condition condition(BareMetalPowerAction r, String type) {
    return r.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type + " in " + r.getStatus()));
  }
}
