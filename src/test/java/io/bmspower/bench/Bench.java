package io.bmspower.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmspower.OperatorMain;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.api.v1alpha1.SecretReference;
import io.bmspower.config.OperatorSettings;
import io.bmspower.reconciler.ReconcileHooks;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code make bench}: scenarios against the real local control plane and the simulator (rate limits
 * on at the published 50 actions and 2,000 job queries a minute), one line each.
 */
public final class Bench {

  record Scenario(int resources, int servers, boolean batching) {
    String label() {
      return String.format(
          Locale.ROOT, "%,d x %,d%s", resources, servers, batching ? "" : " (no batching)");
    }

    int minimumCalls() {
      int perResource = (servers + 999) / 1000;
      return batching && servers <= 1000
          ? (resources * servers + 999) / 1000
          : resources * perResource;
    }
  }

  private final Duration jobDuration;
  private final OperatorSettings defaults = new OperatorSettings();

  private Bench(Duration jobDuration) {
    this.jobDuration = jobDuration;
  }

  public static void main(String[] args) throws Exception {
    boolean full = List.of(args).contains("--full");
    Duration job = Duration.ofSeconds(full ? 30 : 10);
    for (String arg : args) {
      if (arg.startsWith("--job-duration=")) {
        job = io.bmspower.config.Options.duration(arg.substring("--job-duration=".length()));
      }
    }
    List<Scenario> scenarios =
        full
            ? List.of(
                new Scenario(1, 10_000, true),
                new Scenario(100, 1_000, true),
                new Scenario(500, 1, true),
                new Scenario(1_000, 5, true),
                new Scenario(1_000, 5, false))
            : List.of(
                new Scenario(1, 10_000, true),
                new Scenario(10, 1_000, true),
                new Scenario(50, 1, true),
                new Scenario(100, 5, true),
                new Scenario(100, 5, false));
    int code = 0;
    try {
      if (List.of(args).contains("--fairness-only")) {
        List<String> fairness = new FairnessBench().run();
        fairness.forEach(System.out::println);
        System.exit(fairness.stream().anyMatch(l -> l.contains("MISSED")) ? 1 : 0);
      }
      if (List.of(args).contains("--handover-only")) {
        String handover = new HandoverBench().run();
        System.out.println(handover);
        System.exit(handover.contains("MISSED") ? 1 : 0);
      }
      code = new Bench(job).run(full, scenarios);
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  private int run(boolean full, List<Scenario> scenarios) throws Exception {
    System.out.printf(
        "bms-power-operator bench (%s mode): simulated job %ss, simulator limits 50 actions/min and 2,000 job"
            + " queries/min, operator budgets %d and %d/min; %d cores, max heap %d MiB%n",
        full ? "full" : "short",
        jobDuration.toSeconds(),
        defaults.actionsPerMinute,
        defaults.queriesPerMinute,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    LocalControlPlane plane = LocalControlPlane.get();
    System.out.println(
        String.join(
            " | ",
            "scenario",
            "calls/min",
            "job polls",
            "status writes",
            "429s",
            "wall",
            "overhead",
            "peak live heap",
            "largest status",
            "targets"));
    int failures = 0;
    for (Scenario s : scenarios) {
      String line = runScenario(plane, s);
      System.out.println(line);
      failures += line.contains("MISSED") ? 1 : 0;
    }
    String handover = new HandoverBench().run();
    System.out.println(handover);
    failures += handover.contains("MISSED") ? 1 : 0;
    for (String line : new FairnessBench().run()) {
      System.out.println(line);
      failures += line.contains("MISSED") ? 1 : 0;
    }
    System.out.println(
        failures == 0
            ? "bench: every target holds"
            : "bench: " + failures + " scenario(s) missed a target");
    return failures == 0 ? 0 : 1;
  }

  private String runScenario(LocalControlPlane plane, Scenario s) throws Exception {
    String ns = "bench-" + UUID.randomUUID().toString().substring(0, 6);
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 0;
                  o.acceptAnyUuid = true;
                  o.jobDuration = jobDuration;
                });
        KubernetesClient client = plane.newClient()) {
      client
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .serverSideApply();
      client.resource(SimulatorFixture.akSkSecret(ns, "bms-credentials", sim.options)).create();
      OperatorSettings settings = new OperatorSettings();
      settings.namespaces = Set.of(ns);
      settings.healthPort = -1;
      settings.batchAcrossResources = s.batching();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      System.gc();
      AtomicLong peakHeap = new AtomicLong();
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      sampler.scheduleAtFixedRate(
          () -> peakHeap.accumulateAndGet(liveHeapAfterGc(), Math::max),
          0,
          2000,
          TimeUnit.MILLISECONDS);
      var operator =
          OperatorMain.newOperator(
              client, settings, registry, Clock.systemUTC(), ReconcileHooks.NONE);
      operator.start();
      long started = System.nanoTime();
      try {
        // Created as automation would: a few at a time, in parallel.
        var creators = Executors.newFixedThreadPool(8);
        for (int r = 0; r < s.resources(); r++) {
          String name = "r-" + r;
          creators.execute(
              () ->
                  client
                      .resource(
                          resource(
                              ns,
                              name,
                              s.servers(),
                              sim.simulator.baseUrl(),
                              sim.options.projectId))
                      .create());
        }
        creators.shutdown();
        creators.awaitTermination(10, TimeUnit.MINUTES);
        long deadline = System.nanoTime() + Duration.ofHours(2).toNanos();
        List<BareMetalPowerAction> all;
        do {
          Thread.sleep(500);
          all = client.resources(BareMetalPowerAction.class).inNamespace(ns).list().getItems();
        } while (!allTerminal(all, s.resources()) && System.nanoTime() < deadline);
        double wall = (System.nanoTime() - started) / 1e9;
        sampler.shutdownNow();
        return report(s, sim.stats(), registry, all, wall, peakHeap.get());
      } finally {
        operator.stop();
        sampler.shutdownNow();
        client.namespaces().withName(ns).delete();
      }
    }
  }

  private String report(
      Scenario s,
      JsonNode stats,
      SimpleMeterRegistry registry,
      List<BareMetalPowerAction> all,
      double wall,
      long peakHeap) {
    int calls = stats.path("actionCalls").asInt();
    int min = s.minimumCalls();
    long polls = sum(stats.path("requests"), "getJob ");
    long throttled = sum(stats.path("requests"), " 429");
    double writes = registry.counter("bms.status.writes").count();
    int largestStatus =
        all.stream()
            .mapToInt(
                r -> Serialization.asJson(r.getStatus()).getBytes(StandardCharsets.UTF_8).length)
            .max()
            .orElse(0);
    int maxPerServer = stats.path("maxSubmissionsPerServer").asInt();
    long succeeded =
        all.stream().filter(r -> r.getStatus().getPhase().name().equals("Succeeded")).count();
    // The cloud allows 50 calls a minute; the operator spends at most its budget of 40.
    double submitFloor = Math.max(0, min - 1) * 60.0 / defaults.actionsPerMinute;
    double overhead = wall - jobDuration.toSeconds() - submitFloor;
    List<String> missed = new ArrayList<>();
    if (calls != min) {
      missed.add("calls " + calls + " != min " + min);
    }
    if (maxPerServer > 1) {
      missed.add("a server submitted " + maxPerServer + " times");
    }
    if (succeeded != s.resources()) {
      missed.add((s.resources() - succeeded) + " resource(s) not Succeeded");
    }
    if (throttled > 0) {
      missed.add(throttled + " answers 429");
    }
    if (overhead > 60) {
      missed.add("overhead over 60s");
    }
    if (s.resources() == 100 && s.servers() == 1000 && peakHeap > 256L << 20) {
      missed.add("heap over 256 MiB");
    }
    if (s.servers() >= 10_000 && largestStatus > 16 * 1024) {
      missed.add("status over 16 KiB");
    }
    if (s.batching() && s.servers() == 5 && calls > (s.resources() * 5 + 999) / 1000) {
      missed.add("merging did not reach the minimum");
    }
    return String.format(
        Locale.ROOT,
        "%-24s | %d/%d | %,d | %,.0f | %d | %.1fs | %.1fs | %d MiB | %,d B | %s",
        s.label(),
        calls,
        min,
        polls,
        writes,
        throttled,
        wall,
        overhead,
        peakHeap >> 20,
        largestStatus,
        missed.isEmpty() ? "all hold" : "MISSED: " + String.join("; ", missed));
  }

  /** The live heap: what is still used right after a full collection (sampled every 2 s). */
  private static long liveHeapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long sum(JsonNode requests, String contains) {
    long total = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = requests.fields(); it.hasNext(); ) {
      var e = it.next();
      if (e.getKey().contains(contains)) {
        total += e.getValue().asLong();
      }
    }
    return total;
  }

  private static boolean allTerminal(List<BareMetalPowerAction> all, int expected) {
    return all.size() == expected
        && all.stream()
            .allMatch(
                r ->
                    r.getStatus() != null
                        && r.getStatus().getPhase() != null
                        && r.getStatus().getPhase().isTerminal());
  }

  private static BareMetalPowerAction resource(
      String ns, String name, int servers, String endpoint, String project) {
    var resource = new BareMetalPowerAction();
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    var spec = new BareMetalPowerActionSpec();
    List<String> ids = new ArrayList<>(servers);
    for (int i = 0; i < servers; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    spec.setServers(ids);
    var cloud = new CloudSpec();
    cloud.setEndpoint(endpoint);
    cloud.setProjectId(project);
    cloud.setCredentialsSecretRef(new SecretReference("bms-credentials"));
    spec.setCloud(cloud);
    resource.setSpec(spec);
    return resource;
  }
}
