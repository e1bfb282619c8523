package io.bmspower.demo;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.simulator.BmsSimulator;
import io.bmspower.testing.ControllerManager;
import io.bmspower.testing.KubeletStandIn;
import io.bmspower.testing.LocalControlPlane;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The demo's node part: a pool of 30 Nodes on simulator servers (the kubelet stand-in plays their
 * kubelets, the real kube-controller-manager watches them), one pod on each, and
 * examples/nodes/rolling-reboot.yaml rebooting them five at a time, shown live.
 */
final class NodeDemo {

  static final int NODES = 30;
  static final int FIRST_SERVER = 2600;
  static final String ROLLOUT = "pool-reboot";

  private NodeDemo() {}

  static int run(LocalControlPlane plane, Path kubeconfig, String endpoint, Path out)
      throws Exception {
    List<String> servers =
        BmsSimulator.inventory(Demo.SERVERS, Demo.SEED).subList(FIRST_SERVER, FIRST_SERVER + NODES);
    Demo.step(
        "node-aware actions: kube-controller-manager (node lifecycle, disruption, pod GC, taint"
            + " eviction) and "
            + NODES
            + " Nodes pool-01..pool-"
            + NODES
            + " on simulator servers, their kubelets played by the test harness's stand-in");
    ControllerManager kcm = ControllerManager.start(plane);
    try (KubernetesClient client = plane.newClient();
        var statuses = new SimulatorStatuses(endpoint, servers);
        var kubelets = new KubeletStandIn(client, statuses)) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        String name = String.format("pool-%02d", i + 1);
        names.add(name);
        kubelets.addNode(name, servers.get(i), Map.of("pool", "demo"));
        client
            .resource(
                KubeletStandIn.boundPod(Demo.NAMESPACE, "web-" + name, name, Map.of("app", "web")))
            .create();
      }
      await(
          Duration.ofSeconds(60),
          Duration.ofMillis(500),
          () -> names.stream().allMatch(n -> ready(client.nodes().withName(n).get())),
          "the pool's Nodes did not become Ready in 60s");
      System.out.print(
          Demo.kubectl(kubeconfig, "get", "nodes", "-l", "pool=demo", "-o", "wide")
                  .lines()
                  .limit(6)
                  .reduce("", (a, b) -> a + b + "\n")
              + "  ... ("
              + NODES
              + " Nodes Ready; one pod web-pool-NN on each)\n");

      Demo.step(
          "kubectl apply -f examples/nodes/rolling-reboot.yaml (Reboot every Node labelled"
              + " pool=demo, maxUnavailable: 5)");
      System.out.print(
          Demo.kubectl(
              kubeconfig,
              "apply",
              "-n",
              Demo.NAMESPACE,
              "-f",
              "examples/nodes/rolling-reboot.yaml"));
      Demo.step("the rollout, live (cordoned = SchedulingDisabled in kubectl get nodes)");
      int[] maxCordoned = {0};
      String[] phase = {""};
      Instant start = Instant.now();
      await(
          Duration.ofMinutes(5),
          Duration.ofSeconds(2),
          () -> {
            TreeSet<String> cordoned = new TreeSet<>();
            for (Node n : client.nodes().withLabel("pool", "demo").list().getItems()) {
              if (Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
                cordoned.add(n.getMetadata().getName());
              }
            }
            maxCordoned[0] = Math.max(maxCordoned[0], cordoned.size());
            BareMetalPowerAction r =
                client
                    .resources(BareMetalPowerAction.class)
                    .inNamespace(Demo.NAMESPACE)
                    .withName(ROLLOUT)
                    .get();
            var s = r == null ? null : r.getStatus();
            phase[0] = s == null || s.getPhase() == null ? "" : s.getPhase().name();
            var n = s == null ? null : s.getNodes();
            System.out.printf(
                "  %3ds  %-9s %-6s cordoned %d %-40s draining %s powering %s waitingReady %s done"
                    + " %s%n",
                Duration.between(start, Instant.now()).toSeconds(),
                phase[0],
                s == null ? "" : s.getProgress(),
                cordoned.size(),
                cordoned,
                n == null ? "-" : n.getDraining(),
                n == null ? "-" : n.getPowering(),
                n == null ? "-" : n.getWaitingReady(),
                n == null ? "-" : n.getSucceeded());
            return s != null && s.getPhase() != null && s.getPhase().isTerminal();
          },
          null);
      String get = Demo.kubectl(kubeconfig, "get", "bmpa", "-n", Demo.NAMESPACE, ROLLOUT);
      String describe = Demo.kubectl(kubeconfig, "describe", "bmpa", "-n", Demo.NAMESPACE, ROLLOUT);
      String children =
          Demo.kubectl(
              kubeconfig,
              "get",
              "bmpa",
              "-n",
              Demo.NAMESPACE,
              "-l",
              "bmspower.io/node-rollout=" + ROLLOUT);
      Files.writeString(out.resolve("get-" + ROLLOUT + ".txt"), get);
      Files.writeString(out.resolve("describe-" + ROLLOUT + ".txt"), describe);
      Files.writeString(out.resolve("get-" + ROLLOUT + "-children.txt"), children);
      Files.writeString(
          out.resolve("get-nodes.txt"),
          Demo.kubectl(kubeconfig, "get", "nodes", "-l", "pool=demo"));
      System.out.print(get);
      System.out.print(children.lines().limit(6).reduce("", (a, b) -> a + b + "\n"));
      System.out.println("  ... (one child action per node; kubectl describe in " + out + ")");

      int failures = 0;
      long left =
          client.nodes().withLabel("pool", "demo").list().getItems().stream()
              .filter(x -> Boolean.TRUE.equals(x.getSpec().getUnschedulable()))
              .count();
      String stats =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(endpoint + "/_sim/stats")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      var perServer =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(stats)
              .path("submissionsPerServer");
      long rebootedOnce =
          servers.stream().filter(id -> perServer.path(id.toLowerCase()).asInt() == 1).count();
      failures +=
          check(Phase.Succeeded.name().equals(phase[0]), "the rollout Succeeded: " + phase[0]);
      failures +=
          check(maxCordoned[0] <= 5, "never more than 5 nodes cordoned at once: " + maxCordoned[0]);
      failures += check(left == 0, "every node uncordoned at the end: " + left + " still cordoned");
      failures +=
          check(
              rebootedOnce == NODES,
              "each server rebooted exactly once: " + rebootedOnce + "/" + NODES);
      failures += maintenance(client, kubeconfig, out);
      return failures;
    } finally {
      kcm.close();
    }
  }

  /**
   * examples/nodes/maintenance-stop-demo.yaml: a PDB-blocked drain, fencing, nodes left cordoned.
   */
  private static int maintenance(KubernetesClient client, Path kubeconfig, Path out)
      throws Exception {
    Demo.step(
        "kubectl apply -f examples/nodes/maintenance-stop-demo.yaml (Stop pool-28..30, fenced;"
            + " pool-28 holds a pod its PodDisruptionBudget protects, pool-29 a pod the drain leaves)");
    client
        .resource(KubeletStandIn.boundPod(Demo.NAMESPACE, "db-0", "pool-28", Map.of("app", "db")))
        .create();
    client
        .resource(
            KubeletStandIn.boundPod(
                Demo.NAMESPACE, "agent-0", "pool-29", Map.of("app", "agent", "keep", "true")))
        .create();
    client.resource(KubeletStandIn.keepOne(Demo.NAMESPACE, "db-budget", "db")).create();
    KubeletStandIn.awaitBudgetCounted(client, Demo.NAMESPACE, "db-budget", 1);
    System.out.print(
        Demo.kubectl(
            kubeconfig,
            "apply",
            "-n",
            Demo.NAMESPACE,
            "-f",
            "examples/nodes/maintenance-stop-demo.yaml"));
    String[] phase = {""};
    boolean[] agentGone = {false};
    await(
        Duration.ofSeconds(120),
        Duration.ofSeconds(2),
        () -> {
          BareMetalPowerAction r =
              client
                  .resources(BareMetalPowerAction.class)
                  .inNamespace(Demo.NAMESPACE)
                  .withName("maintenance-stop")
                  .get();
          boolean over =
              r != null
                  && r.getStatus() != null
                  && r.getStatus().getPhase() != null
                  && r.getStatus().getPhase().isTerminal();
          phase[0] = over ? r.getStatus().getPhase().name() : "";
          agentGone[0] =
              client.pods().inNamespace(Demo.NAMESPACE).withName("agent-0").get() == null;
          return over && agentGone[0];
        },
        null);
    String get = Demo.kubectl(kubeconfig, "get", "bmpa", "-n", Demo.NAMESPACE, "maintenance-stop");
    String nodes =
        Demo.kubectl(
            kubeconfig,
            "get",
            "nodes",
            "pool-27",
            "pool-28",
            "pool-29",
            "pool-30",
            "-o",
            "custom-columns=NAME:.metadata.name,STATUS:.status.conditions[?(@.type==\"Ready\")].status,"
                + "UNSCHEDULABLE:.spec.unschedulable,TAINTS:.spec.taints[*].key");
    String describe =
        Demo.kubectl(kubeconfig, "describe", "bmpa", "-n", Demo.NAMESPACE, "maintenance-stop");
    Files.writeString(out.resolve("get-maintenance-stop.txt"), get + "\n" + nodes);
    Files.writeString(out.resolve("describe-maintenance-stop.txt"), describe);
    Files.writeString(
        out.resolve("describe-node-pool-29.txt"),
        Demo.kubectl(kubeconfig, "describe", "node", "pool-29"));
    System.out.print(get);
    System.out.print(nodes);
    int failures = 0;
    failures +=
        check(
            "PartiallySucceeded".equals(phase[0]),
            "pool-28 not powered (its drain was blocked), pool-29 and pool-30 stopped: "
                + phase[0]);
    failures += check(agentGone[0], "the pod left on fenced pool-29 was deleted by Kubernetes");
    return failures;
  }

  /**
   * Polls {@code done} until it holds or {@code atMost} passes; then throws {@code failure} if one
   * is given, or returns (the caller's checks say what did not happen).
   */
  private static void await(
      Duration atMost,
      Duration every,
      java.util.concurrent.Callable<Boolean> done,
      String failure) {
    try {
      org.awaitility.Awaitility.await().atMost(atMost).pollInterval(every).until(done);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      if (failure != null) {
        throw new IllegalStateException(failure);
      }
    }
  }

  private static int check(boolean ok, String what) {
    System.out.println("  " + (ok ? "OK   " : "FAIL ") + what);
    return ok ? 0 : 1;
  }

  private static boolean ready(Node node) {
    return node != null
        && node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }
}
