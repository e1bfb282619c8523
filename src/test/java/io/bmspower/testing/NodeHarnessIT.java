package io.bmspower.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.HttpBmsClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves the node harness real: Nodes played by {@link KubeletStandIn} for servers of the
 * simulator, judged by the real controllers of {@link ControllerManager} and the real API server's
 * Eviction API on the shared {@link LocalControlPlane}.
 */
class NodeHarnessIT {

  private static final Logger LOG = LoggerFactory.getLogger(NodeHarnessIT.class);
  private static final String OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

  private final String id = UUID.randomUUID().toString().substring(0, 6);
  private final String namespace = "nodes-" + id;
  private KubernetesClient client;

  /**
   * For evictions: fabric8 retries a 429 by itself (10 times, backing off to 3.2 s: about 19 s in
   * all) before {@code evict()} returns false; without retries it answers at once.
   */
  private KubernetesClient evictor;

  private SimulatorFixture sim;
  private HttpBmsClient cloud;
  private KubeletStandIn kubelets;
  private final List<String> nodes = new ArrayList<>();
  private final List<String> servers = new ArrayList<>();

  @BeforeEach
  void threeNodesOnThreeServers() {
    ControllerManager.shared();
    client = LocalControlPlane.get().newClient();
    Config noRetries = Config.fromKubeconfig(LocalControlPlane.get().kubeConfigYaml());
    noRetries.setRequestRetryBackoffLimit(0);
    evictor = new KubernetesClientBuilder().withConfig(noRetries).build();
    sim = SimulatorFixture.start(o -> o.servers = 3);
    cloud = sim.client(sim.akSk());
    client
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    kubelets = new KubeletStandIn(client, sim.simulator::serverStatus);
    for (int i = 0; i < 3; i++) {
      String server = sim.simulator.inventory().get(i);
      String node = "nh-" + id + "-" + i;
      kubelets.addNode(node, server, Map.of("bmspower.io/test", id));
      nodes.add(node);
      servers.add(server);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> nodes.stream().allMatch(n -> "True".equals(ready(n))));
  }

  /**
   * Deletes what the test made, each step even when one before failed. The namespace stays
   * Terminating, empty: no namespace controller runs on the shared control plane.
   */
  @AfterEach
  void cleanUp() {
    if (client != null) {
      quietly(() -> client.pods().inNamespace(namespace).withGracePeriod(0).delete());
      quietly(() -> client.policy().v1().podDisruptionBudget().inNamespace(namespace).delete());
      quietly(() -> client.namespaces().withName(namespace).delete());
    }
    for (AutoCloseable c : new AutoCloseable[] {kubelets, sim, evictor, client}) {
      if (c != null) {
        quietly(c::close);
      }
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(Step step) {
    try {
      step.run();
    } catch (Exception e) {
      LOG.warn("clean-up step failed", e);
    }
  }

  @Test
  void nodesAreReadyWithLeasesAndABoundPodRuns() {
    Node node = client.nodes().withName(nodes.get(0)).get();
    assertThat(node.getSpec().getProviderID())
        .isEqualTo("huaweicloud://eu-de-01/" + servers.get(0));
    Lease lease = client.leases().inNamespace("kube-node-lease").withName(nodes.get(0)).get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(nodes.get(0));
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
    assertThat(lease.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(node.getMetadata().getUid()));

    createPod("web-0", nodes.get(0), "web", 2);

    await().atMost(Duration.ofSeconds(15)).until(() -> runningAndReady("web-0"));
    // The not-ready taint a new Node gets on creation is lifted once it is Ready, and none comes.
    await().atMost(Duration.ofSeconds(15)).until(() -> taintKeys(nodes.get(0)).isEmpty());
  }

  @Test
  void evictionIsRefusedWhileTheBudgetForbidsItAndCompletedByTheKubeletOnceAllowed()
      throws Exception {
    createPod("web-0", nodes.get(0), "web", 2);
    createPod("web-1", nodes.get(1), "web", 2);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> runningAndReady("web-0") && runningAndReady("web-1"));
    client
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withNewMinAvailable(2)
                .withNewSelector()
                .withMatchLabels(Map.of("app", "web"))
                .endSelector()
                .endSpec()
                .build())
        .create();
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              PodDisruptionBudget pdb = pdb("web");
              assertThat(pdb.getStatus()).isNotNull();
              assertThat(pdb.getStatus().getObservedGeneration())
                  .isEqualTo(pdb.getMetadata().getGeneration());
              assertThat(pdb.getStatus().getCurrentHealthy()).isEqualTo(2);
              assertThat(pdb.getStatus().getDesiredHealthy()).isEqualTo(2);
              assertThat(pdb.getStatus().getExpectedPods()).isEqualTo(2);
              assertThat(pdb.getStatus().getDisruptionsAllowed()).isZero();
            });

    EvictionAnswer refused = evict("web-0");
    LOG.info("eviction refused: HTTP {} {}", refused.code(), refused.body());
    assertThat(refused.code()).isEqualTo(429);
    assertThat(refused.status().getReason()).isEqualTo("TooManyRequests");
    assertThat(refused.status().getMessage())
        .isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
    assertThat(refused.status().getDetails().getCauses())
        .extracting(StatusCause::getReason, StatusCause::getMessage)
        .containsExactly(
            tuple(
                "DisruptionBudget",
                "The disruption budget web needs 2 healthy pods and has 2 currently"));
    assertThat(evictor.pods().inNamespace(namespace).withName("web-0").evict()).isFalse();
    assertThat(pod("web-0").getMetadata().getDeletionTimestamp()).isNull();

    client
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace(namespace)
        .withName("web")
        .edit(
            p ->
                new PodDisruptionBudgetBuilder(p)
                    .editSpec()
                    .withNewMinAvailable(1)
                    .endSpec()
                    .build());
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> Objects.equals(pdb("web").getStatus().getDisruptionsAllowed(), 1));

    assertThat(evictor.pods().inNamespace(namespace).withName("web-0").evict()).isTrue();
    Pod evicted = pod("web-0");
    assertThat(evicted.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(evicted.getStatus().getConditions())
        .filteredOn(c -> c.getType().equals("DisruptionTarget"))
        .extracting(PodCondition::getReason)
        .containsExactly("EvictionByEvictionAPI");
    assertThat(kubelets.completedDeletions(nodes.get(0))).isZero();
    await().atMost(Duration.ofSeconds(15)).until(() -> pod("web-0") == null);
    assertThat(kubelets.completedDeletions(nodes.get(0))).isEqualTo(1);
    assertThat(pod("web-1")).isNotNull();
  }

  @Test
  void aPoweredOffServersNodeTurnsNotReadyAndReadyAgainWhenStarted() {
    long stopped = powerAndAwait(CloudAction.STOP, servers.get(1), "SHUTOFF");

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !"True".equals(ready(nodes.get(1))));
    LOG.info(
        "node {} Ready={} {} ms after its server showed SHUTOFF",
        nodes.get(1),
        ready(nodes.get(1)),
        (System.nanoTime() - stopped) / 1_000_000);
    assertThat(ready(nodes.get(1))).isEqualTo("Unknown");
    assertThat(ready(nodes.get(0))).isEqualTo("True");

    long started = powerAndAwait(CloudAction.START, servers.get(1), "ACTIVE");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "True".equals(ready(nodes.get(1))));
    LOG.info(
        "node {} Ready again {} ms after its server showed ACTIVE",
        nodes.get(1),
        (System.nanoTime() - started) / 1_000_000);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                taintKeys(nodes.get(1)).stream()
                    .noneMatch(k -> k.startsWith("node.kubernetes.io/")));
  }

  @Test
  void theOutOfServiceTaintRemovesThePodsOfAPoweredOffNode() {
    String node = nodes.get(2);
    createPod("db-0", node, "db", 600);
    createPod("db-1", node, "db", 600);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> runningAndReady("db-0") && runningAndReady("db-1"));
    Set<String> seen = ConcurrentHashMap.newKeySet();
    try (SharedIndexInformer<Pod> watch = recordStatuses(seen)) {
      powerAndAwait(CloudAction.STOP, servers.get(2), "SHUTOFF");
      await().atMost(Duration.ofSeconds(30)).until(() -> !"True".equals(ready(node)));

      long tainted = System.nanoTime();
      addTaint(node, outOfServiceTaint());

      await()
          .atMost(Duration.ofSeconds(45))
          .until(() -> pod("db-0") == null && pod("db-1") == null);
      LOG.info(
          "pods of {} gone {} ms after the out-of-service taint; seen: {}",
          node,
          (System.nanoTime() - tainted) / 1_000_000,
          seen);
    }
    assertThat(kubelets.completedDeletions(node)).isZero();
    // The taint-eviction controller deleted them (gracefully: 600 s); the pod garbage collector
    // marked them Failed and force-deleted them, as it does on a NotReady out-of-service Node.
    assertThat(seen).contains("DisruptionTarget=DeletionByTaintManager", "phase=Failed");
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void createPod(String name, String node, String app, long gracePeriodSeconds) {
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(Map.of("app", app))
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .withAutomountServiceAccountToken(false)
                .withTerminationGracePeriodSeconds(gracePeriodSeconds)
                .addNewContainer()
                .withName("main")
                .withImage("registry.k8s.io/pause:3.10")
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  private Pod pod(String name) {
    return client.pods().inNamespace(namespace).withName(name).get();
  }

  private PodDisruptionBudget pdb(String name) {
    return client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName(name).get();
  }

  private boolean runningAndReady(String name) {
    Pod pod = pod(name);
    return pod != null
        && pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  /** The Node's Ready condition status, or null. */
  private String ready(String node) {
    Node n = client.nodes().withName(node).get();
    if (n == null || n.getStatus() == null || n.getStatus().getConditions() == null) {
      return null;
    }
    return n.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse(null);
  }

  private List<String> taintKeys(String node) {
    List<Taint> taints = client.nodes().withName(node).get().getSpec().getTaints();
    return taints == null ? List.of() : taints.stream().map(Taint::getKey).toList();
  }

  /** Adds the taint with an update of the version read, again on a conflict. */
  private void addTaint(String node, Taint taint) {
    for (int attempt = 1; ; attempt++) {
      Node n = client.nodes().withName(node).get();
      List<Taint> taints =
          new ArrayList<>(n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints());
      taints.add(taint);
      n.getSpec().setTaints(taints);
      try {
        client.resource(n).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private static Taint outOfServiceTaint() {
    return new TaintBuilder()
        .withKey(OUT_OF_SERVICE)
        .withValue("nodeshutdown")
        .withEffect("NoExecute")
        .build();
  }

  /** Submits the action through the simulator's API; returns when the server shows the status. */
  private long powerAndAwait(CloudAction action, String server, String status) {
    cloud.submit(action, List.of(server));
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status.equals(sim.simulator.serverStatus(server)));
    return System.nanoTime();
  }

  /** Collects the phases and DisruptionTarget reasons the namespace's pods show. */
  private SharedIndexInformer<Pod> recordStatuses(Set<String> seen) {
    return client
        .pods()
        .inNamespace(namespace)
        .inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(Pod pod) {
                record(pod);
              }

              @Override
              public void onUpdate(Pod old, Pod pod) {
                record(pod);
              }

              @Override
              public void onDelete(Pod pod, boolean unknownFinalState) {
                record(pod);
              }

              private void record(Pod pod) {
                if (pod.getStatus() == null) {
                  return;
                }
                seen.add("phase=" + pod.getStatus().getPhase());
                if (pod.getStatus().getConditions() != null) {
                  pod.getStatus().getConditions().stream()
                      .filter(c -> c.getType().equals("DisruptionTarget"))
                      .forEach(c -> seen.add("DisruptionTarget=" + c.getReason()));
                }
              }
            });
  }

  private record EvictionAnswer(int code, String body, Status status) {}

  /** POST pods/eviction as it is, to see the API server's whole answer. */
  private EvictionAnswer evict(String pod) throws Exception {
    HttpClient http = evictor.getHttpClient();
    String base = evictor.getMasterUrl().toString();
    String url =
        (base.endsWith("/") ? base : base + "/")
            + "api/v1/namespaces/"
            + namespace
            + "/pods/"
            + pod
            + "/eviction";
    String eviction =
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\""
            + pod
            + "\",\"namespace\":\""
            + namespace
            + "\"}}";
    HttpResponse<String> response =
        http.sendAsync(
                http.newHttpRequestBuilder().uri(url).post("application/json", eviction).build(),
                String.class)
            .get(30, TimeUnit.SECONDS);
    return new EvictionAnswer(
        response.code(),
        response.body(),
        client.getKubernetesSerialization().unmarshal(response.body(), Status.class));
  }
}
