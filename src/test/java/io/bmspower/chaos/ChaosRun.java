package io.bmspower.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.RetrySpec;
import io.bmspower.api.v1alpha1.SecretReference;
import io.bmspower.cloud.CloudClientSettings;
import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.Credentials;
import io.bmspower.cloud.HttpBmsClient;
import io.bmspower.cloud.IamTokenProvider;
import io.bmspower.cloud.RateBudget;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import io.bmspower.simulator.BmsSimulator;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.DeploymentsAsProcesses;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.OperatorProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One chaos run, black-box: the simulator and the operator are processes of the jar; this class
 * only creates resources, kills and restarts the operator, and at the end compares three views: the
 * simulator's counters ({@code /_sim/stats}), the servers' power state (the list API, signed), and
 * the resources' status.
 *
 * <p>Definitions (all per run):
 *
 * <ul>
 *   <li><b>calls made/minimum</b>: action POSTs the simulator saw / a lower bound, per action the
 *       larger of (its servers / 1,000) and the most batches one resource of it needs (a call
 *       carries at most one batch of a resource).
 *   <li><b>twice</b>: servers the simulator counted in more than one accepted action call. When the
 *       run injects sub-job failures ({@code --overload subjob}) a failed sub-job is a legitimate
 *       reason to submit again, so there it counts servers submitted more often than the resources'
 *       {@code retry.maxAttempts}.
 *   <li><b>lost</b>: per resource, servers the simulator counted as submitted that the resource's
 *       final status accounts neither as succeeded nor as failed (a job that went out and was never
 *       recorded or folded in), summed.
 *   <li><b>not converged</b>: resources not in a terminal phase when the run's deadline passes.
 *   <li><b>wrong state</b>: servers whose settled power state is not the resource's target: Stop is
 *       SHUTOFF, Start is ACTIVE, Reboot is ACTIVE and submitted at least once; a server the list
 *       API does not return is wrong too.
 * </ul>
 *
 * The servers of the resources are disjoint, so every server's expected final state is
 * well-defined. Start resources get the servers the simulator starts powered off.
 */
final class ChaosRun {

  static final class Config {
    long seed = 1;
    int kills = 5;
    int servers = 2000;
    int resources = 24;
    List<String> faultArgs = List.of();
    String label = "default";
    List<String> readingArgs = List.of();

    /** The hard limit of one run; null: {@link ChaosRun#hardLimit()}. */
    Duration runTimeout;

    Config with(String label, List<String> readingArgs) {
      Config c = new Config();
      c.runTimeout = runTimeout;
      c.seed = seed;
      c.kills = kills;
      c.servers = servers;
      c.resources = resources;
      c.faultArgs = faultArgs;
      c.label = label;
      c.readingArgs = List.copyOf(readingArgs);
      return c;
    }
  }

  record Result(
      Config config,
      int kills,
      int servers,
      int resources,
      long calls,
      long minimumCalls,
      int twice,
      int lost,
      int notConverged,
      int wrong,
      int failedInStatus,
      double wallSeconds,
      String aborted) {

    /** A run stopped at its hard limit: its counts are unknown, every resource not converged. */
    static Result aborted(Config config, int kills, double wallSeconds, String why) {
      return new Result(
          config, kills, 0, config.resources, 0, 0, 0, 0, config.resources, 0, 0, wallSeconds, why);
    }

    boolean passed() {
      return aborted == null && twice == 0 && lost == 0 && notConverged == 0 && wrong == 0;
    }

    String line() {
      if (aborted != null) {
        return String.format(
            Locale.ROOT,
            "%-34s | kills %d | not converged %d (counts unknown) | wall %.1fs | ABORTED: %s",
            config.label,
            kills,
            notConverged,
            wallSeconds,
            aborted);
      }
      return String.format(
          Locale.ROOT,
          "%-34s | kills %d | servers %d in %d resources | calls %d/%d | twice %d | lost %d"
              + " | not converged %d | wrong state %d | failed in status %d | wall %.1fs | %s",
          config.label,
          kills,
          servers,
          resources,
          calls,
          minimumCalls,
          twice,
          lost,
          notConverged,
          wrong,
          failedInStatus,
          wallSeconds,
          passed() ? "OK" : "FAIL");
    }
  }

  /** One resource of the workload. */
  record Planned(String name, PowerAction action, List<String> servers, int batchSize, long atMs) {}

  static final int MAX_ATTEMPTS = 10;
  static final Duration JOB_DURATION = Duration.ofSeconds(2);
  static final int[] BATCH_SIZES = {25, 50, 100, 250, 1000};
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Fabric8 client bounds: no Kubernetes call of the runner waits longer (a dead API server). */
  static final int KUBE_CONNECT_TIMEOUT_MS = 5_000;

  static final int KUBE_REQUEST_TIMEOUT_MS = 10_000;

  /** Every simulator and operator process any run of this JVM started and has not reaped. */
  private static final Set<ProcessHandle> STARTED = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ChaosRun::killAllStarted, "chaos-kill-started"));
  }

  private final Config config;
  private final Random random;
  private final Path work;
  private final SimulatorOptions simDefaults = new SimulatorOptions();
  private final Set<ProcessHandle> mine = ConcurrentHashMap.newKeySet();
  private volatile int killsDone;

  ChaosRun(Config config) {
    this.config = config;
    this.random = new Random(config.seed);
    this.work =
        Path.of(
            "target/chaos", config.label.replaceAll("[^A-Za-z0-9=.-]", "_") + "-" + config.seed);
  }

  /** Where the run keeps details.txt, sim.log and the operators' logs. */
  Path work() {
    return work;
  }

  /**
   * {@link #run()} with a hard limit: past {@code limit} the run is abandoned (its thread
   * interrupted, its processes SIGKILLed by PID) and reported {@code ABORTED}, every resource
   * counted not converged. An exception is reported the same way.
   */
  Result runWithin(Duration limit) throws InterruptedException {
    long started = System.nanoTime();
    FutureTask<Result> task = new FutureTask<>(this::run);
    Thread worker = new Thread(task, "chaos-run-" + config.label);
    worker.setDaemon(true);
    worker.start();
    String why;
    try {
      return task.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      why = "hard deadline of " + limit.toSeconds() + "s passed; see " + work;
    } catch (ExecutionException e) {
      why = "error " + e.getCause() + "; see " + work;
    } finally {
      task.cancel(true);
      killMine();
    }
    worker.join(10_000);
    return Result.aborted(config, killsDone, (System.nanoTime() - started) / 1e9, why);
  }

  /**
   * The hard limit of a run: the creation window (a pause of at most 7 s and a restart of at most
   * 60 s per kill), the convergence deadline, the settle wait and a margin.
   */
  Duration hardLimit() {
    if (config.runTimeout != null) {
      return config.runTimeout;
    }
    return Duration.ofSeconds(67L * config.kills).plus(convergeDeadline()).plusMinutes(3);
  }

  private Duration convergeDeadline() {
    return Duration.ofMinutes(jobStartDelay().isZero() ? 3 : 5);
  }

  /** The simulator's job start delay under this run's readings (explicit switches win). */
  Duration jobStartDelay() {
    List<String> args = new ArrayList<>(config.readingArgs);
    args.addAll(config.faultArgs);
    return SimulatorOptions.parse(args.toArray(String[]::new), Map.of()).jobStartDelay;
  }

  Result run() throws Exception {
    Files.createDirectories(work);
    long started = System.nanoTime();
    int stopped = config.servers / 3;
    List<String> simArgs = new ArrayList<>();
    simArgs.addAll(
        List.of(
            "--port",
            "0",
            "--servers",
            Integer.toString(config.servers),
            "--seed",
            Long.toString(config.seed),
            "--stopped",
            Integer.toString(stopped),
            "--job-duration",
            JOB_DURATION.toMillis() + "ms"));
    simArgs.addAll(config.readingArgs);
    simArgs.addAll(config.faultArgs);
    List<Planned> plan = plan(BmsSimulator.inventory(config.servers, config.seed), stopped);
    try (var sim = SimProcess.start(work, simArgs, mine);
        KubernetesClient kube = boundedClient();
        PrintWriter details =
            new PrintWriter(Files.newBufferedWriter(work.resolve("details.txt")), true)) {
      // Unique per run (not from the seeded random): a matrix replays one seed in every run.
      String ns = "chaos-" + java.util.UUID.randomUUID().toString().substring(0, 8);
      kube.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
      kube.resource(
              new SecretBuilder()
                  .withMetadata(
                      new ObjectMetaBuilder().withName("bms-credentials").withNamespace(ns).build())
                  .withStringData(
                      Map.of(
                          "accessKey", simDefaults.accessKey, "secretKey", simDefaults.secretKey))
                  .build())
          .create();
      details.println("simulator " + sim.baseUrl + " " + String.join(" ", simArgs));
      details.println("namespace " + ns);
      List<String> operatorArgs = operatorArgs(ns, jobStartDelay());
      details.println("operator " + String.join(" ", operatorArgs));

      // Kill schedule: after each (re)start, a seeded pause of 2-7 s, then SIGKILL and restart.
      List<Long> pauses = new ArrayList<>();
      for (int i = 0; i < config.kills; i++) {
        pauses.add(2000L + random.nextInt(5000));
      }
      Map<String, String> env = Map.of("BMS_IDENTITY", "chaos-operator-0");
      int restarts = 0;
      OperatorProcess operator = startOperator("operator-" + restarts, env, operatorArgs);
      int kills = 0;
      try {
        long t0 = System.nanoTime();
        int next = 0;
        for (long pause : pauses) {
          long killAt = System.nanoTime() + pause * 1_000_000L;
          next = createDue(kube, ns, sim.baseUrl, plan, next, t0, killAt, details);
          sleepUntil(killAt);
          operator.kill();
          STARTED.remove(operator.handle());
          mine.remove(operator.handle());
          kills++;
          killsDone = kills;
          details.printf("kill %d at %.1fs%n", kills, (System.nanoTime() - started) / 1e9);
          operator = startOperator("operator-" + (++restarts), env, operatorArgs);
        }
        createDue(kube, ns, sim.baseUrl, plan, next, t0, Long.MAX_VALUE, details);

        // Converge: every resource terminal, then the servers settled.
        long deadline = System.nanoTime() + convergeDeadline().toNanos();
        Map<String, BareMetalPowerAction> finals = statuses(kube, ns);
        while (System.nanoTime() < deadline && !allTerminal(finals, plan)) {
          Thread.sleep(1000);
          finals = statuses(kube, ns);
        }
        HttpBmsClient cloud = checker(sim.baseUrl);
        Map<String, ServerDetails> states = settledStates(cloud, plan);
        Map<String, Integer> submissions = submissions(sim.stats());
        long calls = sim.stats().path("actionCalls").asLong();
        double wall = (System.nanoTime() - started) / 1e9;
        return judge(plan, finals, states, submissions, calls, kills, wall, details);
      } finally {
        killMine();
      }
    } finally {
      killMine();
    }
  }

  private OperatorProcess startOperator(String name, Map<String, String> env, List<String> args)
      throws IOException {
    OperatorProcess p = OperatorProcess.start(name, work, env, args);
    STARTED.add(p.handle());
    mine.add(p.handle());
    return p;
  }

  /** SIGKILL, by PID, to every process this run started that still runs. */
  void killMine() {
    for (ProcessHandle h : List.copyOf(mine)) {
      h.destroyForcibly();
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // reaped or not, it was signalled
      }
      mine.remove(h);
      STARTED.remove(h);
    }
  }

  /** The shutdown hook (Ctrl-C, System.exit): SIGKILL to every process any run started. */
  static void killAllStarted() {
    for (ProcessHandle h : List.copyOf(STARTED)) {
      h.destroyForcibly();
    }
  }

  /** A client of the local control plane whose every call is bounded. */
  static KubernetesClient boundedClient() {
    io.fabric8.kubernetes.client.Config c =
        io.fabric8.kubernetes.client.Config.fromKubeconfig(
            LocalControlPlane.get().kubeConfigYaml());
    c.setConnectionTimeout(KUBE_CONNECT_TIMEOUT_MS);
    c.setRequestTimeout(KUBE_REQUEST_TIMEOUT_MS);
    c.setRequestRetryBackoffLimit(1);
    c.setRequestRetryBackoffInterval(500);
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  // ---- workload ------------------------------------------------------------------------------

  /**
   * Disjoint resources: Start over the servers the simulator starts powered off, Stop and Reboot
   * over halves of the rest; random sizes, batch sizes and creation times (in waves, so requests of
   * one wave merge into shared calls); some resources name half their servers in upper case.
   */
  List<Planned> plan(List<String> inventory, int stopped) {
    int running = inventory.size() - stopped;
    int perAction = config.resources / 3;
    List<Planned> plan = new ArrayList<>();
    split(
        plan,
        PowerAction.Stop,
        inventory.subList(0, running / 2),
        config.resources - 2 * perAction);
    split(plan, PowerAction.Reboot, inventory.subList(running / 2, running), perAction);
    split(plan, PowerAction.Start, inventory.subList(running, inventory.size()), perAction);
    java.util.Collections.shuffle(plan, random);
    // Creation times: waves spread over most of the kill window (a pause and a restart ~ 9 s).
    long window = Math.max(1000, config.kills * 6000L);
    int waves = Math.max(3, plan.size() / 4);
    long[] waveAt = new long[waves];
    for (int w = 0; w < waves; w++) {
      waveAt[w] = w == 0 ? 0 : (long) (random.nextDouble() * window);
    }
    List<Planned> timed = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      Planned p = plan.get(i);
      long at = waveAt[random.nextInt(waves)];
      timed.add(
          new Planned(
              "r" + i + "-" + p.action().name().toLowerCase(Locale.ROOT),
              p.action(),
              p.servers(),
              p.batchSize(),
              at));
    }
    timed.sort(java.util.Comparator.comparingLong(Planned::atMs));
    return timed;
  }

  private void split(List<Planned> plan, PowerAction action, List<String> servers, int parts) {
    parts = Math.max(1, Math.min(parts, servers.size()));
    List<Integer> cuts = new ArrayList<>();
    java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
    while (set.size() < parts - 1) {
      set.add(1 + random.nextInt(servers.size() - 1));
    }
    cuts.add(0);
    cuts.addAll(set);
    cuts.add(servers.size());
    for (int i = 0; i < parts; i++) {
      List<String> chunk = new ArrayList<>(servers.subList(cuts.get(i), cuts.get(i + 1)));
      if (random.nextInt(5) == 0) {
        for (int j = 0; j < chunk.size(); j += 2) {
          chunk.set(j, chunk.get(j).toUpperCase(Locale.ROOT));
        }
      }
      plan.add(new Planned("", action, chunk, BATCH_SIZES[random.nextInt(BATCH_SIZES.length)], 0));
    }
  }

  private int createDue(
      KubernetesClient kube,
      String ns,
      String endpoint,
      List<Planned> plan,
      int next,
      long t0,
      long notAfter,
      PrintWriter details)
      throws InterruptedException {
    while (next < plan.size()) {
      Planned p = plan.get(next);
      long due = t0 + p.atMs() * 1_000_000L;
      if (due > notAfter) {
        return next;
      }
      sleepUntil(due);
      var resource = new BareMetalPowerAction();
      resource.setMetadata(new ObjectMetaBuilder().withName(p.name()).withNamespace(ns).build());
      var spec = new BareMetalPowerActionSpec();
      spec.setAction(p.action());
      spec.setServers(p.servers());
      spec.setBatchSize(p.batchSize());
      spec.setRetry(new RetrySpec(MAX_ATTEMPTS));
      var cloud = new CloudSpec();
      cloud.setEndpoint(endpoint);
      cloud.setProjectId(simDefaults.projectId);
      cloud.setCredentialsSecretRef(new SecretReference("bms-credentials"));
      spec.setCloud(cloud);
      resource.setSpec(spec);
      kube.resource(resource).create();
      details.printf(
          "create %s %s %d servers batch %d at %dms%n",
          p.name(), p.action(), p.servers().size(), p.batchSize(), p.atMs());
      next++;
    }
    return next;
  }

  static final Duration BATCH_MAX_WAIT = Duration.ofSeconds(3);
  static final Duration MAX_INTENT_AGE = Duration.ofSeconds(5);
  static final Duration CLOUD_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The operator's {@code --ambiguous-grace} for a cloud whose jobs show {@code jobStartDelay}
   * late. The operator assumes a job's servers show in transition within {@code
   * cloud-request-timeout + ambiguous-grace} of its POST; the simulator shows nothing for the
   * delay, then starts the sub-jobs one after another over as long again, so the last server moves
   * up to twice the delay after the POST. Grace: twice the delay plus 5 s (2 s without a delay).
   */
  static Duration ambiguousGrace(Duration jobStartDelay) {
    return jobStartDelay.isZero()
        ? Duration.ofSeconds(2)
        : jobStartDelay.multipliedBy(2).plusSeconds(5);
  }

  /**
   * Short bounds, so a run takes minutes: an intent no live process knows is recovered {@code
   * max-intent-age + cloud-request-timeout + ambiguous-grace} (5 + 5 + 2 s, or 5 + 5 + 45 s with 20
   * s job start delays) after it was written. {@code --max-intent-age} exceeds {@code
   * --batch-max-wait}, as the operator requires. Leader election off: one instance, restarted at
   * once as a kubelet restarts a container (same identity); with it on, every restart would first
   * wait out its own Lease.
   */
  static List<String> operatorArgs(String ns, Duration jobStartDelay) {
    if (MAX_INTENT_AGE.compareTo(BATCH_MAX_WAIT) <= 0) {
      throw new IllegalStateException("max-intent-age must exceed batch-max-wait");
    }
    return List.of(
        "--namespaces", ns,
        "--health-port", "0",
        "--leader-election", "false",
        "--batch-linger", "1s",
        "--batch-max-wait", BATCH_MAX_WAIT.toMillis() + "ms",
        "--max-intent-age", MAX_INTENT_AGE.toMillis() + "ms",
        "--cloud-request-timeout", CLOUD_REQUEST_TIMEOUT.toMillis() + "ms",
        "--ambiguous-grace", ambiguousGrace(jobStartDelay).toMillis() + "ms",
        "--poll-interval-min", "500ms",
        "--poll-interval-max", "2s",
        "--retry-backoff-base", "500ms",
        "--retry-backoff-cap", "2s",
        "--credentials-recheck", "1s");
  }

  // ---- observation ---------------------------------------------------------------------------

  private static Map<String, BareMetalPowerAction> statuses(KubernetesClient kube, String ns) {
    Map<String, BareMetalPowerAction> byName = new HashMap<>();
    try {
      for (var r : kube.resources(BareMetalPowerAction.class).inNamespace(ns).list().getItems()) {
        byName.put(r.getMetadata().getName(), r);
      }
    } catch (RuntimeException e) {
      // the next poll
    }
    return byName;
  }

  private static boolean terminal(BareMetalPowerAction r) {
    BareMetalPowerActionStatus s = r == null ? null : r.getStatus();
    Phase p = s == null ? null : s.getPhase();
    return p == Phase.Succeeded || p == Phase.PartiallySucceeded || p == Phase.Failed;
  }

  private static boolean allTerminal(Map<String, BareMetalPowerAction> finals, List<Planned> plan) {
    return plan.stream().allMatch(p -> terminal(finals.get(p.name())));
  }

  private HttpBmsClient checker(String baseUrl) {
    CloudClientSettings settings = CloudClientSettings.defaults();
    HttpClient http = HttpBmsClient.newHttpClient(settings);
    return new HttpBmsClient(
        CloudEndpoint.of(baseUrl, simDefaults.projectId),
        new Credentials.AkSk(simDefaults.accessKey, simDefaults.secretKey, null),
        http,
        new IamTokenProvider(http, settings.requestTimeout(), Clock.systemUTC()),
        new RateBudget("checker-actions", 1),
        new RateBudget("checker-queries", 400),
        settings,
        Clock.systemUTC(),
        HttpBmsClient.CallObserver.NONE);
  }

  /** The workload's servers, once none is transitioning (at most 60 s), by lower-cased ID. */
  private static Map<String, ServerDetails> settledStates(HttpBmsClient cloud, List<Planned> plan)
      throws InterruptedException {
    Set<String> wanted = new java.util.HashSet<>();
    plan.forEach(p -> p.servers().forEach(id -> wanted.add(id.toLowerCase(Locale.ROOT))));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, ServerDetails> states = listAll(cloud, wanted);
      boolean settled = states.values().stream().noneMatch(ServerDetails::isTransitioning);
      if (settled || System.nanoTime() > deadline) {
        return states;
      }
      Thread.sleep(1000);
    }
  }

  /**
   * Pages the list API both ways the cloud may count {@code offset} (page number from 1, row offset
   * from 0), independently of the operator's reading, until every wanted server was seen.
   */
  private static Map<String, ServerDetails> listAll(HttpBmsClient cloud, Set<String> wanted)
      throws InterruptedException {
    Map<String, ServerDetails> seen = new HashMap<>();
    int limit = 1000;
    for (boolean rowOffset : new boolean[] {false, true}) {
      for (int i = 0; i < 100 && !seen.keySet().containsAll(wanted); i++) {
        int offset = rowOffset ? i * limit : i + 1;
        ServerPage page = withRetries(() -> cloud.listServers(offset, limit));
        page.servers().forEach(s -> seen.put(s.id().toLowerCase(Locale.ROOT), s));
        if (page.servers().size() < limit) {
          break;
        }
      }
    }
    return seen;
  }

  private static <T> T withRetries(java.util.function.Supplier<T> call)
      throws InterruptedException {
    RuntimeException last = null;
    for (int i = 0; i < 60; i++) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        last = e;
        Thread.sleep(1000);
      }
    }
    throw last;
  }

  private static Map<String, Integer> submissions(JsonNode stats) {
    Map<String, Integer> byId = new HashMap<>();
    stats
        .path("submissionsPerServer")
        .fields()
        .forEachRemaining(
            e ->
                byId.merge(
                    e.getKey().toLowerCase(Locale.ROOT), e.getValue().asInt(), Integer::sum));
    return byId;
  }

  // ---- judgement -----------------------------------------------------------------------------

  private Result judge(
      List<Planned> plan,
      Map<String, BareMetalPowerAction> finals,
      Map<String, ServerDetails> states,
      Map<String, Integer> submissions,
      long calls,
      int kills,
      double wall,
      PrintWriter details) {
    boolean subJobFailures = String.join(" ", config.readingArgs).contains("--overload subjob");
    int allowed = subJobFailures ? MAX_ATTEMPTS : 1;
    int twice = 0;
    int lost = 0;
    int notConverged = 0;
    int wrong = 0;
    int failedInStatus = 0;
    int servers = 0;
    Map<PowerAction, Integer> perAction = new LinkedHashMap<>();
    Map<PowerAction, Integer> maxBatches = new LinkedHashMap<>();
    for (Planned p : plan) {
      servers += p.servers().size();
      perAction.merge(p.action(), p.servers().size(), Integer::sum);
      maxBatches.merge(
          p.action(), (p.servers().size() + p.batchSize() - 1) / p.batchSize(), Math::max);
      BareMetalPowerAction r = finals.get(p.name());
      BareMetalPowerActionStatus s = r == null ? null : r.getStatus();
      if (!terminal(r)) {
        notConverged++;
        details.printf(
            "NOT CONVERGED %s phase %s progress %s%n",
            p.name(), s == null ? null : s.getPhase(), s == null ? null : s.getProgress());
      }
      int submitted = 0;
      for (String id : p.servers()) {
        String key = id.toLowerCase(Locale.ROOT);
        int n = submissions.getOrDefault(key, 0);
        if (n > 0) {
          submitted++;
        }
        if (n > allowed) {
          twice++;
          details.printf("TWICE %s %s submitted %d times%n", p.name(), key, n);
        }
        ServerDetails d = states.get(key);
        boolean right =
            d != null
                && switch (p.action()) {
                  case Stop -> d.isOff();
                  case Start -> d.isOn();
                  case Reboot -> d.isOn() && n >= 1;
                };
        if (!right) {
          wrong++;
          details.printf(
              "WRONG %s %s %s: %s, submitted %d times%n",
              p.name(),
              p.action(),
              key,
              d == null ? "absent" : d.status() + "/" + d.taskState(),
              n);
        }
      }
      int succeeded = s == null || s.getSucceeded() == null ? 0 : s.getSucceeded();
      int failed = s == null || s.getFailed() == null ? 0 : s.getFailed();
      failedInStatus += failed;
      int unaccounted = Math.max(0, submitted - succeeded - failed);
      lost += unaccounted;
      details.printf(
          "%s %s %d servers batch %d: phase %s succeeded %d failed %d submitted %d%s%n",
          p.name(),
          p.action(),
          p.servers().size(),
          p.batchSize(),
          s == null ? null : s.getPhase(),
          succeeded,
          failed,
          submitted,
          unaccounted > 0 ? " LOST " + unaccounted : "");
      if (s != null && s.getFailureCounts() != null && !s.getFailureCounts().isEmpty()) {
        details.printf("  failures %s%n", s.getFailureCounts());
      }
    }
    long minimum = 0;
    for (var e : perAction.entrySet()) {
      minimum += Math.max((e.getValue() + 999) / 1000, maxBatches.get(e.getKey()));
    }
    Result result =
        new Result(
            config,
            kills,
            servers,
            plan.size(),
            calls,
            minimum,
            twice,
            lost,
            notConverged,
            wrong,
            failedInStatus,
            wall,
            null);
    details.println(result.line());
    return result;
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long ms = (nanoTime - System.nanoTime()) / 1_000_000L;
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  // ---- the simulator as a process ------------------------------------------------------------

  /** {@code java -jar target/bms-power-operator.jar simulator ...}; its output goes to sim.log. */
  static final class SimProcess implements AutoCloseable {
    final Process process;
    final String baseUrl;

    private SimProcess(Process process, String baseUrl) {
      this.process = process;
      this.baseUrl = baseUrl;
    }

    static SimProcess start(Path work, List<String> args, Set<ProcessHandle> started)
        throws Exception {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-jar");
      command.add(DeploymentsAsProcesses.JAR.toAbsolutePath().toString());
      command.add("simulator");
      command.addAll(args);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      STARTED.add(process.toHandle());
      started.add(process.toHandle());
      CompletableFuture<String> url = new CompletableFuture<>();
      Path log = work.resolve("sim.log");
      Thread copier =
          new Thread(
              () -> {
                try (BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    out.println(line);
                    String prefix = "BMS simulator listening on ";
                    if (line.startsWith(prefix)) {
                      url.complete(line.substring(prefix.length()).trim());
                    }
                  }
                } catch (IOException e) {
                  // the process ended
                }
                url.completeExceptionally(
                    new IllegalStateException("simulator exited; see " + log));
              },
              "sim-log");
      copier.setDaemon(true);
      copier.start();
      try {
        return new SimProcess(process, url.get(60, TimeUnit.SECONDS));
      } catch (Exception e) {
        process.destroyForcibly();
        throw e;
      }
    }

    JsonNode stats() throws IOException, InterruptedException {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(baseUrl + "/_sim/stats"))
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return JSON.readTree(body);
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      STARTED.remove(process.toHandle());
    }
  }
}
