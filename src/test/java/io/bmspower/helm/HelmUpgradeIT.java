package io.bmspower.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.UpgradeCommand;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.DeploymentsAsProcesses;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code helm upgrade} of the chart with its defaults (leader election on, one replica, a rolling
 * update) while 3,000 servers are being stopped: the new pod starts while the old one still runs
 * and holds the Lease, then the old one gets its SIGTERM. Every resource converges and the
 * simulator saw each server submitted once.
 */
class HelmUpgradeIT {

  static final String RELEASE = "upgrade";
  static final String OPERATOR_NAMESPACE = "bms-upgrade";
  static final int RESOURCES = 30;
  static final int EACH = 100;

  /**
   * Values for both install and upgrade: the chart's action budget (40 calls a minute) with merging
   * off and one call per 100-server batch makes a backlog of 30 calls; a short Lease and intent
   * bound keep the handover and the recovery of the old pod's intents within a minute.
   */
  static final Map<String, Object> VALUES =
      Map.ofEntries(
          Map.entry("extraEnv[7].name", "BMS_BATCH_ACROSS_RESOURCES"),
          Map.entry("extraEnv[7].value", "false"),
          Map.entry("extraEnv[0].name", "BMS_LEASE_DURATION"),
          Map.entry("extraEnv[0].value", "8s"),
          Map.entry("extraEnv[1].name", "BMS_LEASE_RENEW_DEADLINE"),
          Map.entry("extraEnv[1].value", "5s"),
          Map.entry("extraEnv[2].name", "BMS_LEASE_RETRY_PERIOD"),
          Map.entry("extraEnv[2].value", "1s"),
          Map.entry("extraEnv[3].name", "BMS_MAX_INTENT_AGE"),
          Map.entry("extraEnv[3].value", "10s"),
          Map.entry("extraEnv[4].name", "BMS_BATCH_MAX_WAIT"),
          Map.entry("extraEnv[4].value", "3s"),
          Map.entry("extraEnv[5].name", "BMS_CLOUD_REQUEST_TIMEOUT"),
          Map.entry("extraEnv[5].value", "5s"),
          Map.entry("extraEnv[6].name", "BMS_AMBIGUOUS_GRACE"),
          Map.entry("extraEnv[6].value", "2s"));

  @Test
  void aHelmUpgradeDuringAThreeThousandServerStopSubmitsEveryServerOnce() throws Exception {
    var plane = LocalControlPlane.get();
    Path work = Files.createDirectories(Path.of("target/helm-upgrade"));
    try (var sim = SimulatorFixture.start(o -> o.servers = RESOURCES * EACH);
        var h = new OperatorHarness(sim);
        KubernetesClient admin = plane.newClient();
        var pods = new DeploymentsAsProcesses(admin, OPERATOR_NAMESPACE, work)) {
      values(
              h,
              new Helm(HelmChartIT.CHART)
                  .install()
                  .withName(RELEASE)
                  .withNamespace(OPERATOR_NAMESPACE)
                  .createNamespace()
                  .withKubeConfigContents(plane.kubeConfigYaml()),
              InstallCommand::set)
          .call();
      try {
        h.createAkSkSecret("bms-credentials");
        pods.sync();
        List<String> servers = sim.simulator.inventory();
        for (int i = 0; i < RESOURCES; i++) {
          h.create(
              "fleet-" + i,
              servers.subList(i * EACH, (i + 1) * EACH),
              spec -> spec.setBatchSize(100));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> actionCalls(sim) >= 2);
        assertThat(sim.stats().path("serversSubmitted").asInt())
            .as("the upgrade comes while the stop is under way")
            .isLessThan(RESOURCES * EACH);

        // A changed value changes the pod template: the Deployment rolls.
        values(
                h,
                new Helm(HelmChartIT.CHART)
                    .upgrade()
                    .withName(RELEASE)
                    .withNamespace(OPERATOR_NAMESPACE)
                    .set("logging.level", "DEBUG")
                    .withKubeConfigContents(plane.kubeConfigYaml()),
                UpgradeCommand::set)
            .call();
        assertThat(pods.sync()).anySatisfy(change -> assertThat(change).startsWith("rolled"));

        await()
            .atMost(Duration.ofSeconds(240))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> {
                  pods.restartExited();
                  return allSucceeded(h);
                });
        var perServer = sim.stats().path("submissionsPerServer");
        assertThat(perServer.size()).isEqualTo(RESOURCES * EACH);
        assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      } finally {
        pods.close();
        Helm.uninstall(RELEASE)
            .withNamespace(OPERATOR_NAMESPACE)
            .withKubeConfigContents(plane.kubeConfigYaml())
            .call();
      }
    }
  }

  private static <C> C values(OperatorHarness h, C command, TriSetter<C> set) {
    VALUES.forEach((k, v) -> set.apply(command, k, v));
    set.apply(command, "watchNamespaces[0]", h.namespace);
    return command;
  }

  @FunctionalInterface
  interface TriSetter<C> {
    Object apply(C command, String key, Object value);
  }

  private static boolean allSucceeded(OperatorHarness h) {
    for (int i = 0; i < RESOURCES; i++) {
      var r = h.get("fleet-" + i);
      if (r.getStatus() == null || r.getStatus().getPhase() != Phase.Succeeded) {
        return false;
      }
    }
    return true;
  }

  private static long actionCalls(SimulatorFixture sim) {
    return sim.stats().path("actionCalls").asLong();
  }
}
