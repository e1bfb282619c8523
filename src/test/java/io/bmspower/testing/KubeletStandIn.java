package io.bmspower.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <b>A stand-in, the only one of the node harness:</b> it plays the kubelets of a set of Nodes
 * whose machines are servers of the BMS simulator, so that the real controllers ({@link
 * ControllerManager}) and the real API server (Eviction API, PodDisruptionBudgets) see Nodes that
 * live and die with their servers. No container runs anywhere.
 *
 * <p>It creates each Node itself ({@link #addNode}; Nodes are cluster-scoped, so tests must pick
 * unique names). One scheduler thread, not one per Node, visits every Node each tick: every 250 ms
 * by default, so a reboot of a second is never missed. Each time a server is seen ACTIVE after
 * anything else (or first) the Node has booted: a new {@code status.nodeInfo.bootID} and a status
 * posted at once, as a kubelet does when it starts. For a Node whose server is ACTIVE (as {@code
 * serverStatus} says, e.g. {@code id -> simulator.serverStatus(id)}) it does what a kubelet does
 * that matters to the control plane:
 *
 * <ul>
 *   <li>renews the Node's Lease in {@code kube-node-lease} every {@link #LEASE_RENEWAL} (created if
 *       missing: holder the Node, 40 s, owned by the Node), the heartbeat the node lifecycle
 *       controller watches;
 *   <li>posts the Node's status (through the status subresource) with Ready=True, the pressure
 *       conditions False, a fresh {@code lastHeartbeatTime} at least every {@link #STATUS_REFRESH}
 *       (at once when the Node is not Ready), each {@code lastTransitionTime} kept while its
 *       condition's status holds (the Lease alone would keep the Node Ready; the status also brings
 *       it back from Unknown);
 *   <li>reports every pod bound to the Node ({@code spec.nodeName}; no scheduler runs, tests bind
 *       pods themselves) Running with Ready, ContainersReady, PodScheduled and Initialized True,
 *       which PodDisruptionBudgets count as healthy;
 *   <li>completes the deletion of a pod on the Node once its grace period has passed ({@code
 *       deletionTimestamp} reached): deletes it with grace period 0, as a kubelet does after its
 *       containers stopped, and counts it ({@link #completedDeletions}).
 * </ul>
 *
 * <p>While the server is anything else (SHUTOFF, HARD_REBOOT, unknown) it does nothing for that
 * Node: no Lease, no status, no pod, as a powered-off machine. The node lifecycle controller then
 * marks the Node Ready=Unknown after its grace period, and a pod deleted meanwhile stays
 * terminating until the server is back or the pod garbage collector force-deletes it.
 *
 * <p>Test pods need no ServiceAccount: the local API server runs without the ServiceAccount
 * admission plugin (kube-api-test disables it), so a namespace needs no {@code default} account.
 *
 * <p>{@link #close()} stops the thread and deletes the Nodes and Leases it created (no garbage
 * collector runs to follow the Lease's owner reference). Pods are the test's to delete.
 */
public final class KubeletStandIn implements AutoCloseable {

  /** How often each Node is visited by default. */
  public static final Duration TICK = Duration.ofMillis(250);

  /** How often a Lease is renewed (a real kubelet: a quarter of its 40 s duration). */
  public static final Duration LEASE_RENEWAL = Duration.ofSeconds(1);

  /** A Ready Node's status is posted again when its heartbeat is this old (below the grace). */
  public static final Duration STATUS_REFRESH = Duration.ofSeconds(5);

  public static final String LEASE_NAMESPACE = "kube-node-lease";
  public static final int LEASE_DURATION_SECONDS = 40;
  public static final String ACTIVE = "ACTIVE";

  private static final Logger LOG = LoggerFactory.getLogger(KubeletStandIn.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BY_NODE = "spec.nodeName";
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final KubernetesClient client;
  private final Function<String, String> serverStatus;
  private final Clock clock;
  private final Map<String, Kubelet> kubelets = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Node> nodes;
  private final SharedIndexInformer<Pod> pods;
  private final ScheduledExecutorService scheduler;

  /** One Node's kubelet: what it knows and what it did. */
  private static final class Kubelet {
    final String nodeName;
    final String serverId;
    final String nodeUid;
    final AtomicLong leaseRenewals = new AtomicLong();
    final AtomicLong completedDeletions = new AtomicLong();
    final Set<String> completedUids = ConcurrentHashMap.newKeySet();
    volatile Instant lastStatusPost = Instant.EPOCH;

    /** A new one each time the server comes up, as /proc/sys/kernel/random/boot_id. */
    volatile String bootId;

    volatile boolean freshBoot;

    volatile Instant lastRenewal = Instant.EPOCH;

    Kubelet(String nodeName, String serverId, String nodeUid) {
      this.nodeName = nodeName;
      this.serverId = serverId;
      this.nodeUid = nodeUid;
    }
  }

  /** As {@link #KubeletStandIn(KubernetesClient, Function, Duration)} every {@link #TICK}. */
  public KubeletStandIn(KubernetesClient client, Function<String, String> serverStatus) {
    this(client, serverStatus, TICK);
  }

  /**
   * Starts the thread; Nodes come with {@link #addNode}.
   *
   * @param client an admin client the caller keeps open until {@link #close()}
   * @param serverStatus the API status of a server by ID (ACTIVE, SHUTOFF, HARD_REBOOT or null)
   * @param tick how often each Node is visited
   */
  public KubeletStandIn(
      KubernetesClient client, Function<String, String> serverStatus, Duration tick) {
    this.client = client;
    this.serverStatus = serverStatus;
    this.clock = Clock.systemUTC();
    this.nodes = client.nodes().inform();
    this.pods =
        client
            .pods()
            .inAnyNamespace()
            .withIndexers(Map.of(BY_NODE, KubeletStandIn::nodeNameOf))
            .inform();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kubelet-stand-in");
              t.setDaemon(true);
              return t;
            });
    scheduler.scheduleAtFixedRate(this::tickSafely, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A bare pod bound to a Node (no scheduler runs in tests), with a short grace period, as the node
   * tests and the demo put on their Nodes.
   */
  public static Pod boundPod(
      String namespace, String name, String node, Map<String, String> labels) {
    return new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(2L)
        .addNewContainer()
        .withName("app")
        .withImage("registry.invalid/app:1")
        .endContainer()
        .endSpec()
        .build();
  }

  /** A PodDisruptionBudget over the pods labelled app={@code app} that keeps one of them. */
  public static io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget keepOne(
      String namespace, String name, String app) {
    return new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(1))
        .withNewSelector()
        .addToMatchLabels("app", app)
        .endSelector()
        .endSpec()
        .build();
  }

  /**
   * Waits until the disruption controller has counted {@code healthy} pods for the budget: from
   * then on, evictions it forbids are really refused.
   */
  public static void awaitBudgetCounted(
      KubernetesClient client, String namespace, String name, int healthy) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var pdb =
                  client
                      .policy()
                      .v1()
                      .podDisruptionBudget()
                      .inNamespace(namespace)
                      .withName(name)
                      .get();
              return pdb != null
                  && pdb.getStatus() != null
                  && Integer.valueOf(healthy).equals(pdb.getStatus().getCurrentHealthy());
            });
  }

  /** A PodDisruptionBudget over the pods labelled app={@code app}, allowing no disruption. */
  public static io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget noDisruption(
      String namespace, String name, String app) {
    return new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString(0))
        .withNewSelector()
        .addToMatchLabels("app", app)
        .endSelector()
        .endSpec()
        .build();
  }

  /** The {@code spec.providerID} of a Node on this BMS server, as the cloud's CCM would set it. */
  public static String providerId(String serverId) {
    return "huaweicloud://eu-de-01/" + serverId;
  }

  /** {@link #addNode(String, String, String, Map)} with {@link #providerId(String)}. */
  public Node addNode(String nodeName, String serverId, Map<String, String> labels) {
    return addNode(nodeName, serverId, providerId(serverId), labels);
  }

  /**
   * Creates the Node (labels as a kubelet sets them, {@code kubernetes.io/hostname}, {@code
   * kubernetes.io/os} and {@code kubernetes.io/arch}, then these) and plays its kubelet from the
   * next tick on: the Node has no status until then, and none while its server is not ACTIVE.
   */
  public Node addNode(
      String nodeName, String serverId, String providerId, Map<String, String> labels) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("kubernetes.io/hostname", nodeName);
    all.put("kubernetes.io/os", "linux");
    all.put("kubernetes.io/arch", "amd64");
    all.putAll(labels);
    Node node =
        client
            .nodes()
            .resource(
                new NodeBuilder()
                    .withNewMetadata()
                    .withName(nodeName)
                    .withLabels(all)
                    .endMetadata()
                    .withNewSpec()
                    .withProviderID(providerId)
                    .endSpec()
                    .build())
            .create();
    Kubelet kubelet = new Kubelet(nodeName, serverId, node.getMetadata().getUid());
    kubelets.put(nodeName, kubelet);
    return node;
  }

  /** The Nodes it plays the kubelet of. */
  public Set<String> nodeNames() {
    return Set.copyOf(kubelets.keySet());
  }

  /** How many deletions of pods on this Node it completed (deleted with grace period 0). */
  public long completedDeletions(String nodeName) {
    Kubelet kubelet = kubelets.get(nodeName);
    return kubelet == null ? 0 : kubelet.completedDeletions.get();
  }

  /** How many times it renewed (or created) this Node's Lease. */
  public long leaseRenewals(String nodeName) {
    Kubelet kubelet = kubelets.get(nodeName);
    return kubelet == null ? 0 : kubelet.leaseRenewals.get();
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.warn("kubelet stand-in tick failed", e);
    }
  }

  /** One visit of every Node; a failure on one Node does not keep the others waiting. */
  private void tick() {
    for (Kubelet kubelet : kubelets.values()) {
      try {
        if (ACTIVE.equals(serverStatus.apply(kubelet.serverId))) {
          if (kubelet.bootId == null) {
            // Booted: a new boot ID, and the kubelet posts its status at once (as after a restart).
            kubelet.bootId = UUID.randomUUID().toString();
            kubelet.lastStatusPost = Instant.EPOCH;
            kubelet.freshBoot = true;
          }
          renewLease(kubelet);
          postStatusIfDue(kubelet);
          syncPods(kubelet);
        } else {
          kubelet.bootId = null;
        }
      } catch (RuntimeException e) {
        LOG.warn("kubelet stand-in of {}: {}", kubelet.nodeName, e.toString());
      }
    }
  }

  // ---- Lease ----------------------------------------------------------------------------------

  private void renewLease(Kubelet kubelet) {
    Instant now = clock.instant();
    if (now.isBefore(kubelet.lastRenewal.plus(LEASE_RENEWAL))) {
      return;
    }
    kubelet.lastRenewal = now;
    String renewTime = MICRO_TIME.format(now);
    try {
      client
          .leases()
          .inNamespace(LEASE_NAMESPACE)
          .withName(kubelet.nodeName)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              json(Map.of("spec", Map.of("renewTime", renewTime))));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      client.resource(lease(kubelet, renewTime)).create();
    }
    kubelet.leaseRenewals.incrementAndGet();
  }

  private Lease lease(Kubelet kubelet, String renewTime) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(kubelet.nodeName)
        .withNamespace(LEASE_NAMESPACE)
        .addNewOwnerReference()
        .withApiVersion("v1")
        .withKind("Node")
        .withName(kubelet.nodeName)
        .withUid(kubelet.nodeUid)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(kubelet.nodeName)
        .withLeaseDurationSeconds(LEASE_DURATION_SECONDS)
        .withRenewTime(ZonedDateTime.parse(renewTime))
        .endSpec()
        .build();
  }

  // ---- Node status ----------------------------------------------------------------------------

  /**
   * Posts Ready=True when the Node is not Ready (new, or marked Unknown while its server was off)
   * or its heartbeat is {@link #STATUS_REFRESH} old.
   */
  private void postStatusIfDue(Kubelet kubelet) {
    Instant now = clock.instant();
    Node cached = nodes.getStore().getByKey(kubelet.nodeName);
    NodeCondition ready = KubeletStatuses.nodeCondition(cached, "Ready");
    Instant lastHeartbeat = kubelet.lastStatusPost;
    if (ready != null && ready.getLastHeartbeatTime() != null) {
      Instant posted = Instant.parse(ready.getLastHeartbeatTime());
      lastHeartbeat = posted.isAfter(lastHeartbeat) ? posted : lastHeartbeat;
    }
    boolean isReady = ready != null && "True".equals(ready.getStatus());
    if (isReady && !kubelet.freshBoot && now.isBefore(lastHeartbeat.plus(STATUS_REFRESH))) {
      return;
    }
    client
        .nodes()
        .withName(kubelet.nodeName)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE),
            json(
                Map.of(
                    "status",
                    KubeletStatuses.readyNode(cached, kubelet.nodeName, now, kubelet.bootId))));
    kubelet.lastStatusPost = now;
    kubelet.freshBoot = false;
  }

  // ---- pods -----------------------------------------------------------------------------------

  private void syncPods(Kubelet kubelet) {
    Instant now = clock.instant();
    for (Pod pod : pods.getIndexer().byIndex(BY_NODE, kubelet.nodeName)) {
      String deletion = pod.getMetadata().getDeletionTimestamp();
      if (deletion != null) {
        if (!now.isBefore(Instant.parse(deletion))) {
          completeDeletion(kubelet, pod);
        }
      } else if (!runningAndReady(pod) && !terminal(pod)) {
        reportRunning(pod, now);
      }
    }
  }

  private void completeDeletion(Kubelet kubelet, Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (kubelet.completedUids.contains(uid)) {
      return;
    }
    boolean deleted =
        !client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .withGracePeriod(0)
            .delete()
            .isEmpty();
    kubelet.completedUids.add(uid);
    if (deleted) {
      kubelet.completedDeletions.incrementAndGet();
    }
  }

  private void reportRunning(Pod pod, Instant now) {
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE),
            json(Map.of("status", KubeletStatuses.runningPod(pod, now))));
  }

  private static boolean runningAndReady(Pod pod) {
    PodCondition ready = KubeletStatuses.podCondition(pod, "Ready");
    return pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && ready != null
        && "True".equals(ready.getStatus());
  }

  private static boolean terminal(Pod pod) {
    return pod.getStatus() != null
        && ("Succeeded".equals(pod.getStatus().getPhase())
            || "Failed".equals(pod.getStatus().getPhase()));
  }

  private static List<String> nodeNameOf(Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return node == null ? List.of() : List.of(node);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the thread and the informers, then deletes the Nodes and Leases it created. */
  @Override
  public void close() {
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      scheduler.shutdownNow();
      Thread.currentThread().interrupt();
    }
    pods.close();
    nodes.close();
    for (Kubelet kubelet : kubelets.values()) {
      client.leases().inNamespace(LEASE_NAMESPACE).withName(kubelet.nodeName).delete();
      client.nodes().withName(kubelet.nodeName).delete();
    }
    kubelets.clear();
  }
}
