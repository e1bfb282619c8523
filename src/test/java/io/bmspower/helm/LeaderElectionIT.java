package io.bmspower.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.DeploymentsAsProcesses;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the installed chart with leader election: only the Lease holder acts, and when it
 * dies without a goodbye the other takes the Lease and finishes the work, each server submitted
 * once.
 */
class LeaderElectionIT {

  static final String RELEASE = "ha";
  static final String OPERATOR_NAMESPACE = "bms-ha";
  static final String SUBMITTED = "action submitted";

  @Test
  void oneReplicaLeadsAndTheOtherTakesOverWhenItDies() throws Exception {
    var plane = LocalControlPlane.get();
    Path work = Files.createDirectories(Path.of("target/leader-election"));
    try (var sim = SimulatorFixture.start(o -> o.servers = 40);
        var h = new OperatorHarness(sim);
        KubernetesClient admin = plane.newClient();
        var pods = new DeploymentsAsProcesses(admin, OPERATOR_NAMESPACE, work)) {
      new Helm(HelmChartIT.CHART)
          .install()
          .withName(RELEASE)
          .withNamespace(OPERATOR_NAMESPACE)
          .createNamespace()
          .set("replicaCount", 2)
          .set("leaderElection.enabled", true)
          .set("watchNamespaces[0]", h.namespace)
          // A shorter Lease than the default 15 s keeps the failover quick to watch.
          .set("extraEnv[0].name", "BMS_LEASE_DURATION")
          .set("extraEnv[0].value", "8s")
          .set("extraEnv[1].name", "BMS_LEASE_RENEW_DEADLINE")
          .set("extraEnv[1].value", "5s")
          .set("extraEnv[2].name", "BMS_LEASE_RETRY_PERIOD")
          .set("extraEnv[2].value", "1s")
          .withKubeConfigContents(plane.kubeConfigYaml())
          .call();
      try {
        h.createAkSkSecret("bms-credentials");
        pods.sync();
        List<DeploymentsAsProcesses.Pod> replicas = pods.running().values().iterator().next();
        assertThat(replicas).hasSize(2);

        String leader = awaitHolder(admin, null);
        assertThat(replicas).extracting(DeploymentsAsProcesses.Pod::name).contains(leader);
        // The Lease is made at run time: owned by the chart's ServiceAccount, helm uninstall's
        // deletion of that account lets the garbage collector remove it (make e2e sees it go).
        String accountUid =
            admin
                .serviceAccounts()
                .inNamespace(OPERATOR_NAMESPACE)
                .withName(RELEASE + "-bms-power-operator")
                .get()
                .getMetadata()
                .getUid();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(lease(admin).getMetadata().getOwnerReferences())
                        .extracting(o -> o.getKind() + "/" + o.getName() + "/" + o.getUid())
                        .containsExactly(
                            "ServiceAccount/" + RELEASE + "-bms-power-operator/" + accountUid));
        awaitRenewedPastOneLeaseDuration(admin, leader);
        List<String> firstHalf = sim.simulator.inventory().subList(0, 20);
        h.create("before-failover", firstHalf, spec -> {});
        h.awaitPhase("before-failover", Phase.Succeeded, Duration.ofSeconds(60));
        String standby =
            replicas.stream()
                .map(DeploymentsAsProcesses.Pod::name)
                .filter(n -> !n.equals(leader))
                .findFirst()
                .orElseThrow();
        assertThat(DeploymentsAsProcesses.log(pod(replicas, leader))).contains(SUBMITTED);
        assertThat(DeploymentsAsProcesses.log(pod(replicas, standby))).doesNotContain(SUBMITTED);

        pods.crash(leader);
        String successor = awaitHolder(admin, leader);
        assertThat(replicas).extracting(DeploymentsAsProcesses.Pod::name).contains(successor);
        List<String> secondHalf = sim.simulator.inventory().subList(20, 40);
        h.create("after-failover", secondHalf, spec -> {});
        var done = h.awaitPhase("after-failover", Phase.Succeeded, Duration.ofSeconds(60));

        assertThat(done.getStatus().getSucceeded()).isEqualTo(20);
        var perServer = sim.stats().path("submissionsPerServer");
        assertThat(perServer.size()).isEqualTo(40);
        perServer.forEach(count -> assertThat(count.asInt()).isEqualTo(1));
        assertThat(successor).isEqualTo(standby);
        assertThat(DeploymentsAsProcesses.log(pod(replicas, successor)))
            .contains("New leader with identity: " + successor)
            .contains(SUBMITTED);
      } finally {
        pods.close();
        Helm.uninstall(RELEASE)
            .withNamespace(OPERATOR_NAMESPACE)
            .withKubeConfigContents(plane.kubeConfigYaml())
            .call();
      }
    }
  }

  /** Waits until the Lease names a holder other than {@code previous}. */
  private static String awaitHolder(KubernetesClient admin, String previous) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Lease lease = lease(admin);
              return lease == null ? null : lease.getSpec().getHolderIdentity();
            },
            holder -> holder != null && !holder.isBlank() && !holder.equals(previous));
  }

  /** The leader keeps renewing: it still holds the Lease after more than one lease duration. */
  private static void awaitRenewedPastOneLeaseDuration(KubernetesClient admin, String leader) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> lease(admin).getSpec(),
            spec ->
                spec.getHolderIdentity().equals(leader)
                    && spec.getRenewTime()
                        .isAfter(
                            spec.getAcquireTime().plusSeconds(spec.getLeaseDurationSeconds() + 1)));
  }

  private static Lease lease(KubernetesClient admin) {
    return admin.leases().inNamespace(OPERATOR_NAMESPACE).withName("bms-power-operator").get();
  }

  private static DeploymentsAsProcesses.Pod pod(
      List<DeploymentsAsProcesses.Pod> pods, String name) {
    return pods.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }
}
