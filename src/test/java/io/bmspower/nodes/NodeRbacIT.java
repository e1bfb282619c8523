package io.bmspower.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.testing.ControllerManager;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.ServiceAccountTokens;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC is what node rollouts need: the operator runs with the installed chart's
 * ServiceAccount token and reboots a drained pool; with nodeActions.enabled=false the same rollout
 * stalls with a message naming what is missing.
 */
class NodeRbacIT {

  static final Path CHART = Path.of("helm/bms-power-operator");
  static final String RELEASE = "bpn";
  static final String NAMESPACE = "bms-nodes-rbac";
  static final String ACCOUNT = "bpn-bms-power-operator";

  @Test
  void theChartsServiceAccountCanRollNodesAndNothingMore() throws Exception {
    ControllerManager.shared();
    var plane = LocalControlPlane.get();
    new Helm(CHART)
        .install()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .createNamespace()
        .withKubeConfigContents(plane.kubeConfigYaml())
        .call();
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 10;
                  o.jobDuration = java.time.Duration.ofSeconds(1);
                });
        var h = new OperatorHarness(sim);
        KubernetesClient admin = plane.newClient();
        var pool = new NodePool(h, sim.simulator.inventory(), 2);
        KubernetesClient asOperator = serviceAccountClient(admin)) {
      h.createAkSkSecret("bms-credentials");
      pool.pod("web-0", pool.names.get(0), Map.of("app", "web"));
      h.startOperator(asOperator);

      pool.rollout("reboot-as-chart", PowerAction.Reboot, t -> {});
      var done = h.awaitPhase("reboot-as-chart", Phase.Succeeded, Duration.ofMinutes(2));
      assertThat(done.getStatus().getNodes().getSucceeded()).isEqualTo(2);
      assertThat(pool.pod("web-0")).as("evicted with the chart's rights").isNull();

      // Granted no more than that: no pod deletion, no node deletion, no pod reads by name.
      assertThatThrownBy(
              () -> asOperator.pods().inNamespace(h.namespace).withName("web-0").delete())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(() -> asOperator.nodes().withName(pool.names.get(0)).delete())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(() -> asOperator.configMaps().inNamespace(h.namespace).list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

      // Positive control: without nodeActions the same kind of rollout is refused, and says why.
      new Helm(CHART)
          .upgrade()
          .withName(RELEASE)
          .withNamespace(NAMESPACE)
          .set("nodeActions.enabled", "false")
          .withKubeConfigContents(plane.kubeConfigYaml())
          .call();
      pool.rollout("reboot-without-rights", PowerAction.Reboot, t -> {});
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  NodeRolloutIT.condition(h.get("reboot-without-rights"), "Stalled")
                      .startsWith("True Forbidden"));
      assertThat(NodeRolloutIT.condition(h.get("reboot-without-rights"), "Stalled"))
          .contains("nodeActions.enabled=true");
      h.stopOperator();
    } finally {
      Helm.uninstall(RELEASE)
          .withNamespace(NAMESPACE)
          .withKubeConfigContents(plane.kubeConfigYaml())
          .call();
    }
  }

  private static KubernetesClient serviceAccountClient(KubernetesClient admin) {
    String token = ServiceAccountTokens.request(admin, NAMESPACE, ACCOUNT);
    var c = admin.getConfiguration();
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl(c.getMasterUrl())
                .withCaCertData(c.getCaCertData())
                .withCaCertFile(c.getCaCertFile())
                .withOauthToken(token)
                .build())
        .build();
  }
}
