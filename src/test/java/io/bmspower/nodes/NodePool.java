package io.bmspower.nodes;

import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.NodeTarget;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.testing.KubeletStandIn;
import io.bmspower.testing.OperatorHarness;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A pool of Nodes on simulator servers for node-rollout tests: the kubelet stand-in plays their
 * kubelets, and a watch counts what happens to them (how many are cordoned at once, how often each
 * was cordoned), so a test can assert "never more than maxUnavailable" and "drained once".
 */
final class NodePool implements AutoCloseable {

  final String pool = "p" + UUID.randomUUID().toString().substring(0, 6);
  final List<String> names = new ArrayList<>();
  final Map<String, String> serverOf = new ConcurrentHashMap<>();
  final Set<String> broken = ConcurrentHashMap.newKeySet();
  final KubeletStandIn kubelets;
  private final OperatorHarness h;
  private final Set<String> cordoned = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> cordons = new ConcurrentHashMap<>();
  private final AtomicInteger maxCordoned = new AtomicInteger();
  private final Watch watch;

  /** {@code count} Nodes named {@code <pool>-NN} on the first servers of {@code servers}. */
  NodePool(OperatorHarness h, List<String> servers, int count) {
    this.h = h;
    // A broken node's kubelet never comes back, whatever the server does.
    Function<String, String> status =
        id -> broken.contains(id) ? "BROKEN" : h.sim.simulator.serverStatus(id);
    this.kubelets = new KubeletStandIn(h.client, status);
    this.watch =
        h.client
            .nodes()
            .withLabel("pool", pool)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Node node) {
                    observe(node);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    for (int i = 0; i < count; i++) {
      String name = String.format("%s-%02d", pool, i + 1);
      names.add(name);
      serverOf.put(name, servers.get(i));
      kubelets.addNode(name, servers.get(i), Map.of("pool", pool));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> names.stream().allMatch(n -> ready(h.client.nodes().withName(n).get())));
  }

  private synchronized void observe(Node node) {
    String name = node.getMetadata().getName();
    boolean now = Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    if (now && cordoned.add(name)) {
      cordons.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      maxCordoned.accumulateAndGet(cordoned.size(), Math::max);
    } else if (!now) {
      cordoned.remove(name);
    }
  }

  static boolean ready(Node node) {
    return node != null
        && node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  int maxCordonedAtOnce() {
    return maxCordoned.get();
  }

  /** How many times the node went from schedulable to cordoned. */
  int timesCordoned(String node) {
    AtomicInteger n = cordons.get(node);
    return n == null ? 0 : n.get();
  }

  Node node(String name) {
    return h.client.nodes().withName(name).get();
  }

  int submissions(String node) {
    return h.sim
        .stats()
        .path("submissionsPerServer")
        .path(serverOf.get(node).toLowerCase())
        .asInt(0);
  }

  /** A bare pod bound to the node (no scheduler runs here), in the harness's namespace. */
  Pod pod(String name, String node, Map<String, String> labels) {
    return h.client.resource(KubeletStandIn.boundPod(h.namespace, name, node, labels)).create();
  }

  Pod pod(String name) {
    return h.client.pods().inNamespace(h.namespace).withName(name).get();
  }

  /** A node rollout over this pool (selected by its label). */
  BareMetalPowerAction rollout(String name, PowerAction action, Consumer<NodeTarget> configure) {
    return h.create(
        name,
        List.of(),
        spec -> {
          spec.setAction(action);
          var t = new NodeTarget();
          t.setSelector(
              new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                  .addToMatchLabels("pool", pool)
                  .build());
          configure.accept(t);
          spec.setNodes(t);
        });
  }

  @Override
  public void close() {
    watch.close();
    kubelets.close();
  }
}
