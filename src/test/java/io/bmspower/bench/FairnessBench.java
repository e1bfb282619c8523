package io.bmspower.bench;

import io.bmspower.OperatorMain;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.SecretReference;
import io.bmspower.config.OperatorSettings;
import io.bmspower.reconciler.ReconcileHooks;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * One large action and one urgent one in another namespace, sharing the action budget: a
 * 10,000-server Stop (batches of 200: 50 calls) starts first; once it has made 10 calls, a 1-server
 * Reboot is created. Prints how long the Reboot waited for its call and the Stop's total time, with
 * fair sharing off (whoever asks first) and on. Target with it on: the Reboot's call goes out
 * within two budget slots (plus the merge window), and the Stop loses at most one slot to it.
 */
final class FairnessBench {

  private static final int BIG = 10_000;
  private static final int BATCH = 200;
  private static final int CALLS_BEFORE_URGENT = 10;

  record Result(double rebootWait, double bigTotal, int calls, int maxPerServer) {}

  List<String> run() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.addAll(compare(1, BIG, "10,000-server Stop (50 calls)"));
    lines.addAll(compare(5, 2_000, "five 2,000-server Stops in one namespace (merged calls)"));
    return lines;
  }

  /** The same workload with fair sharing off, then on. */
  private List<String> compare(int bigResources, int serversEach, String label) throws Exception {
    OperatorSettings defaults = new OperatorSettings();
    double slot = 60.0 / defaults.actionsPerMinute;
    Result off = scenario(false, bigResources, serversEach);
    Result on = scenario(true, bigResources, serversEach);
    List<String> lines = new ArrayList<>();
    lines.add(line("fair share off", label, off, slot, null));
    double allowed = 2 * slot + defaults.batchLinger.toMillis() / 1000.0 + 1.0;
    List<String> missed = new ArrayList<>();
    if (on.rebootWait() > allowed) {
      missed.add(
          String.format(Locale.ROOT, "Reboot waited %.1fs > %.1fs", on.rebootWait(), allowed));
    }
    if (on.bigTotal() - off.bigTotal() > slot + 5) {
      missed.add("the Stop lost more than one slot");
    }
    if (on.maxPerServer() > 1 || off.maxPerServer() > 1) {
      missed.add("a server submitted twice");
    }
    lines.add(line("fair share on", label, on, slot, missed));
    return lines;
  }

  private static String line(
      String mode, String workload, Result r, double slot, List<String> missed) {
    return String.format(
        Locale.ROOT,
        "fairness: %-14s | %s + 1-server Reboot in another namespace | Reboot's call %.1fs after"
            + " it was created (%.1f budget slots of %.1fs) | Stop(s) took %.1fs | calls %d | %s",
        mode,
        workload,
        r.rebootWait(),
        r.rebootWait() / slot,
        slot,
        r.bigTotal(),
        r.calls(),
        missed == null
            ? "(baseline)"
            : missed.isEmpty() ? "all hold" : "MISSED: " + String.join("; ", missed));
  }

  private Result scenario(boolean fair, int bigResources, int serversEach) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String nightly = "nightly-" + suffix;
    String oncall = "oncall-" + suffix;
    LocalControlPlane plane = LocalControlPlane.get();
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 0;
                  o.acceptAnyUuid = true;
                  o.jobDuration = Duration.ofSeconds(10);
                });
        KubernetesClient client = plane.newClient()) {
      for (String ns : List.of(nightly, oncall)) {
        client
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .serverSideApply();
        client.resource(SimulatorFixture.akSkSecret(ns, "bms-credentials", sim.options)).create();
      }
      OperatorSettings settings = new OperatorSettings();
      settings.namespaces = Set.of(nightly, oncall);
      settings.healthPort = -1;
      settings.fairShare = fair;
      var operator =
          OperatorMain.newOperator(
              client, settings, new SimpleMeterRegistry(), Clock.systemUTC(), ReconcileHooks.NONE);
      operator.start();
      try {
        long started = System.nanoTime();
        for (int i = 0; i < bigResources; i++) {
          var big = resource(nightly, "nightly-stop-" + i, serversEach, PowerAction.Stop, sim);
          big.getSpec().setBatchSize(BATCH);
          client.resource(big).create();
        }
        waitFor(() -> sim.stats().path("actionCalls").asInt() >= CALLS_BEFORE_URGENT);
        long urgentAt = System.nanoTime();
        client.resource(resource(oncall, "hung-node", 1, PowerAction.Reboot, sim)).create();
        var rebootCall =
            waitFor(
                () -> {
                  var r = get(client, oncall, "hung-node");
                  return r.getStatus() != null
                      && r.getStatus().getBatches().stream().anyMatch(b -> b.getJobId() != null);
                });
        double rebootWait = (rebootCall - urgentAt) / 1e9;
        long bigDone =
            waitFor(
                () ->
                    client
                        .resources(BareMetalPowerAction.class)
                        .inNamespace(nightly)
                        .list()
                        .getItems()
                        .stream()
                        .allMatch(
                            r ->
                                r.getStatus() != null
                                    && r.getStatus().getPhase() != null
                                    && r.getStatus().getPhase().isTerminal()));
        return new Result(
            rebootWait,
            (bigDone - started) / 1e9,
            sim.stats().path("actionCalls").asInt(),
            sim.stats().path("maxSubmissionsPerServer").asInt());
      } finally {
        operator.stop();
        client.namespaces().withName(nightly).delete();
        client.namespaces().withName(oncall).delete();
      }
    }
  }

  private static BareMetalPowerAction get(KubernetesClient client, String ns, String name) {
    return client.resources(BareMetalPowerAction.class).inNamespace(ns).withName(name).get();
  }

  /** Polls every 100 ms, at most 10 minutes; returns the moment it held. */
  private static long waitFor(java.util.concurrent.Callable<Boolean> condition) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(100))
        .until(condition);
    return System.nanoTime();
  }

  private static BareMetalPowerAction resource(
      String ns, String name, int servers, PowerAction action, SimulatorFixture sim) {
    var resource = new BareMetalPowerAction();
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    var spec = new BareMetalPowerActionSpec();
    List<String> ids = new ArrayList<>(servers);
    for (int i = 0; i < servers; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    spec.setServers(ids);
    spec.setAction(action);
    var cloud = new CloudSpec();
    cloud.setEndpoint(sim.simulator.baseUrl());
    cloud.setProjectId(sim.options.projectId);
    cloud.setCredentialsSecretRef(new SecretReference("bms-credentials"));
    spec.setCloud(cloud);
    resource.setSpec(spec);
    return resource;
  }
}
