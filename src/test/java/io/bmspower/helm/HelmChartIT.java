package io.bmspower.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.ServiceAccountTokens;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chart through Helm itself (helm-java): lint, template, install, and RBAC that is enough and
 * no more.
 */
class HelmChartIT {

  static final Path CHART = Path.of("helm/bms-power-operator");

  @Test
  void chartLintsCleanAndShipsTheSameCrd() throws Exception {
    var lint = new Helm(CHART).lint().strict().call();

    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    for (String crd :
        List.of(
            "baremetalpoweractions.bmspower.io-v1.yml",
            "baremetalpowerpolicies.bmspower.io-v1.yml",
            "baremetalpowerschedules.bmspower.io-v1.yml")) {
      assertThat(Files.readString(CHART.resolve("crds/" + crd)))
          .as("the chart's crds/%s equals crds/%s (make crds)", crd, crd)
          .isEqualTo(Files.readString(Path.of("crds/" + crd)));
    }
  }

  @Test
  void defaultTemplateRunsRestrictedWithLeastPrivilegeRbac() {
    List<HasMetadata> objects =
        render(new Helm(CHART).template().withName("bpo").withNamespace("bms-system").call());

    Deployment deployment = one(objects, Deployment.class);
    var pod = deployment.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");

    ClusterRole role = one(objects, ClusterRole.class);
    assertThat(role.getRules())
        .extracting(r -> String.join(",", r.getResources()) + ":" + String.join(",", r.getVerbs()))
        .containsExactlyInAnyOrder(
            "baremetalpoweractions:get,list,watch,patch,update,create,delete",
            "baremetalpowerschedules:get,list,watch,patch,update",
            "baremetalpowerschedules/status:get,update,patch",
            "baremetalpoweractions/status:get,update,patch",
            "baremetalpoweractions/finalizers:update",
            "baremetalpowerpolicies:get,list",
            "namespaces:get",
            "secrets:get",
            "events:create,patch",
            "nodes:get,list,patch",
            "pods:list",
            "pods/eviction:create",
            "configmaps:get,create,update");
    assertThat(role.getRules())
        .flatExtracting(PolicyRule::getVerbs)
        .doesNotContain("*", "deletecollection");
    // The only delete: a schedule's old runs (history limits).
    assertThat(role.getRules())
        .filteredOn(r -> r.getVerbs().contains("delete"))
        .extracting(r -> String.join(",", r.getResources()))
        .containsExactly("baremetalpoweractions");
    // Leader election is on by default: the Lease Role, and a rolling upgrade the Lease fences.
    assertThat(objects).filteredOn(o -> o instanceof Role).hasSize(1);
    assertThat(container.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains("BMS_LEADER_ELECTION=true");
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(objects).noneMatch(o -> o.getKind().equals("ServiceMonitor"));
    assertThat(objects).noneMatch(o -> o.getKind().equals("BareMetalPowerPolicy"));
    assertThat(container.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains("BMS_FAIR_SHARE=true", "BMS_NODE_MAPPING=ProviderID");
  }

  @Test
  void nodeActionsOffLeavesNoNodeOrPodRights() {
    List<HasMetadata> objects =
        render(new Helm(CHART).template().set("nodeActions.enabled", "false").call());
    ClusterRole role = one(objects, ClusterRole.class);
    assertThat(role.getRules())
        .flatExtracting(PolicyRule::getResources)
        .doesNotContain("nodes", "pods", "pods/eviction", "configmaps");
  }

  @Test
  void theExamplePolicyRendersAValidPolicyForOneTenant() {
    List<HasMetadata> objects =
        render(
            new Helm(CHART)
                .template()
                .withName("bpo")
                .withNamespace("bms-system")
                .set("examplePolicy.enabled", true)
                .set("examplePolicy.tenant", "ci")
                .call());

    var policy =
        objects.stream()
            .filter(o -> o.getKind().equals("BareMetalPowerPolicy"))
            .findFirst()
            .orElseThrow();
    var typed =
        Serialization.unmarshal(
            Serialization.asYaml(policy), io.bmspower.api.v1alpha1.BareMetalPowerPolicy.class);
    assertThat(typed.getSpec().getNamespaceSelector().getMatchLabels())
        .containsEntry("bmspower.io/tenant", "ci");
    assertThat(typed.getSpec().getServers().getTags()).containsExactly("team=ci");
    assertThat(typed.getSpec().getActions())
        .containsExactly(
            io.bmspower.api.v1alpha1.PowerAction.Stop, io.bmspower.api.v1alpha1.PowerAction.Start);
    assertThat(typed.getSpec().getMaxServersPerResource()).isEqualTo(500);
  }

  @Test
  void withoutLeaderElectionTwoInstancesNeverOverlap() {
    List<HasMetadata> objects =
        render(
            new Helm(CHART)
                .template()
                .withName("bpo")
                .withNamespace("bms-system")
                .set("leaderElection.enabled", false)
                .call());

    Deployment deployment = one(objects, Deployment.class);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(objects).noneMatch(o -> o instanceof Role);
  }

  @Test
  void nonDefaultValuesReachTheDeployment() {
    List<HasMetadata> objects =
        render(
            new Helm(CHART)
                .template()
                .withName("bpo")
                .withNamespace("bms-system")
                .set("replicaCount", 2)
                .set("leaderElection.enabled", true)
                .set("watchNamespaces[0]", "team-a")
                .set("watchNamespaces[1]", "team-b")
                .set("cloud.endpoint", "https://bms.eu-de.otc.t-systems.com")
                .set("cloud.projectId", "bbf1946d374b44a0a2a95533562ba954")
                .set("logging.format", "json")
                .set("rateLimits.actionsPerMinute", 20)
                .set("metrics.serviceMonitor.enabled", true)
                .set("image.tag", "1.2.3")
                .call());

    Deployment deployment = one(objects, Deployment.class);
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(container.getImage()).endsWith(":1.2.3");
    assertThat(container.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains(
            "BMS_LEADER_ELECTION=true",
            "BMS_NAMESPACES=team-a,team-b",
            "BMS_DEFAULT_ENDPOINT=https://bms.eu-de.otc.t-systems.com",
            "BMS_LOG_FORMAT=json",
            "BMS_ACTIONS_PER_MINUTE=20");
    Role leases = one(objects, Role.class);
    assertThat(leases.getMetadata().getNamespace()).isEqualTo("bms-system");
    assertThat(leases.getRules())
        .satisfiesExactly(
            r -> {
              assertThat(r.getApiGroups()).containsExactly("coordination.k8s.io");
              assertThat(r.getResources()).containsExactly("leases");
            },
            // Only its own ServiceAccount, read to make it the Lease's owner.
            r -> {
              assertThat(r.getResources()).containsExactly("serviceaccounts");
              assertThat(r.getResourceNames()).containsExactly("bpo-bms-power-operator");
              assertThat(r.getVerbs()).containsExactly("get");
            });
    assertThat(container.getEnv())
        .anyMatch(
            e ->
                e.getName().equals("BMS_LEASE_OWNER")
                    && e.getValueFrom()
                        .getFieldRef()
                        .getFieldPath()
                        .equals("spec.serviceAccountName"));
    assertThat(objects).anyMatch(o -> o.getKind().equals("ServiceMonitor"));
  }

  @Test
  void valuesOutsideTheSchemaAreRefused() {
    assertThatThrownBy(() -> new Helm(CHART).template().set("logging.format", "xml").call())
        .hasMessageContaining("values don't meet the specifications of the schema");
  }

  @Test
  void installedChartsServiceAccountCanRunAFullStopAndNothingMore() throws Exception {
    String release = "bpo";
    String operatorNamespace = "bms-system";
    var plane = LocalControlPlane.get();
    new Helm(CHART)
        .install()
        .withName(release)
        .withNamespace(operatorNamespace)
        .createNamespace()
        .withKubeConfigContents(plane.kubeConfigYaml())
        .call();

    try (var sim = SimulatorFixture.start(o -> o.servers = 50);
        var h = new OperatorHarness(sim);
        KubernetesClient admin = plane.newClient()) {
      assertThat(
              admin
                  .serviceAccounts()
                  .inNamespace(operatorNamespace)
                  .withName("bpo-bms-power-operator")
                  .get())
          .isNotNull();
      String token =
          ServiceAccountTokens.request(admin, operatorNamespace, "bpo-bms-power-operator");
      Config adminConfig = admin.getConfiguration();
      Config asOperator =
          new ConfigBuilder()
              .withMasterUrl(adminConfig.getMasterUrl())
              .withCaCertData(adminConfig.getCaCertData())
              .withCaCertFile(adminConfig.getCaCertFile())
              .withOauthToken(token)
              .build();
      try (KubernetesClient operatorClient =
          new KubernetesClientBuilder().withConfig(asOperator).build()) {
        h.createAkSkSecret("bms-credentials");
        h.startOperator(operatorClient);

        h.create("as-service-account", sim.simulator.inventory(), spec -> {});
        var done = h.awaitPhase("as-service-account", Phase.Succeeded, Duration.ofSeconds(60));

        assertThat(done.getStatus().getSucceeded()).isEqualTo(50);
        assertThat(h.events("as-service-account")).isNotEmpty();
        assertThatThrownBy(() -> operatorClient.secrets().inNamespace(h.namespace).list())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        // Pods may be listed (to drain a node) and evicted, never read one by one or deleted.
        assertThatThrownBy(
                () -> operatorClient.pods().inNamespace(h.namespace).withName("any").get())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        assertThatThrownBy(
                () -> operatorClient.pods().inNamespace(h.namespace).withName("any").delete())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        assertThatThrownBy(
                () ->
                    operatorClient
                        .secrets()
                        .inNamespace(h.namespace)
                        .withName("bms-credentials")
                        .delete())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      }
    }
  }

  private static List<HasMetadata> render(String manifests) {
    return Serialization.unmarshal(
        new ByteArrayInputStream(manifests.getBytes(StandardCharsets.UTF_8)));
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }
}
