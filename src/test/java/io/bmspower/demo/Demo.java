package io.bmspower.demo;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code make demo}: the local control plane, the simulator and the operator jar as separate
 * processes, the examples in {@code examples/demo/} applied with kubectl, a live table, a summary.
 */
public final class Demo {

  static final String NAMESPACE = "bms-demo";
  static final int SERVERS = 3000;
  static final int STOPPED = 300;
  static final long SEED = 42;
  static final String EXPECTED_PHASE = "bmspower.io/demo-expected-phase";
  static final Path OUT = Path.of("target/demo");

  private final List<Process> processes = new ArrayList<>();
  private final boolean keepRunning;
  private final Duration timeout;

  private Demo(boolean keepRunning, Duration timeout) {
    this.keepRunning = keepRunning;
    this.timeout = timeout;
  }

  public static void main(String[] args) throws Exception {
    boolean keep = List.of(args).contains("--keep-running");
    if (List.of(args).contains("--help")) {
      System.out.println(
          "make demo [DEMO_ARGS=--keep-running]: runs the operator against the simulator on a local control plane.");
      return;
    }
    if (List.of(args).contains("--write-examples")) {
      DemoExamples.write(Path.of("examples/demo"));
      return;
    }
    int code;
    try {
      code = new Demo(keep, Duration.ofMinutes(5)).run();
    } catch (Exception e) {
      System.err.println("demo failed: " + e.getMessage());
      code = 1;
    }
    // Exit explicitly: client threads would keep the JVM (and its control plane) alive.
    System.exit(code);
  }

  private int run() throws Exception {
    Files.createDirectories(OUT);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopProcesses, "demo-stop"));
    step("starting the local control plane (kube-apiserver and etcd from make test-env)");
    LocalControlPlane plane = LocalControlPlane.get();
    Path kubeconfig = OUT.resolve("kubeconfig").toAbsolutePath();
    Files.writeString(kubeconfig, plane.kubeConfigYaml());
    System.out.println(
        "  kubeconfig: "
            + kubeconfig
            + "   (try: KUBECONFIG="
            + kubeconfig
            + " kubectl get bmpa -A)");

    step(
        "starting the BMS simulator: "
            + SERVERS
            + " servers, the last "
            + STOPPED
            + " powered off, jobs take 3s");
    Process simulator =
        start(
            OUT.resolve("simulator.log"),
            Map.of(),
            "java",
            "-jar",
            jar(),
            "simulator",
            "--port",
            "0",
            "--servers",
            String.valueOf(SERVERS),
            "--stopped",
            String.valueOf(STOPPED),
            "--seed",
            String.valueOf(SEED),
            "--job-duration",
            "3s",
            "--tags",
            "demo=schedule:0.01");
    String endpoint =
        awaitLine(simulator, OUT.resolve("simulator.log"), "BMS simulator listening on ").trim();
    System.out.println("  endpoint: " + endpoint);
    SimulatorOptions sim = new SimulatorOptions();

    step(
        "creating namespace "
            + NAMESPACE
            + " and the credentials Secret bms-credentials (the simulator's AK/SK)");
    try (KubernetesClient client = plane.newClient()) {
      client
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .serverSideApply();
      client
          .resource(SimulatorFixture.akSkSecret(NAMESPACE, "bms-credentials", sim))
          .serverSideApply();
    }

    step(
        "starting the operator: java -jar "
            + jar()
            + " (log: "
            + OUT.resolve("operator.log")
            + ")");
    start(
        OUT.resolve("operator.log"),
        Map.of(
            "KUBECONFIG",
            kubeconfig.toString(),
            "BMS_NAMESPACES",
            NAMESPACE,
            "BMS_DEFAULT_ENDPOINT",
            endpoint,
            "BMS_DEFAULT_PROJECT_ID",
            sim.projectId,
            "BMS_DEFAULT_CREDENTIALS_SECRET",
            "bms-credentials",
            "BMS_HEALTH_PORT",
            "0",
            "BMS_POLL_INTERVAL_MAX",
            "5s"),
        "java",
        "-jar",
        jar());

    step("applying examples/demo/ with kubectl");
    System.out.print(kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "examples/demo/"));

    step("progress (kubectl get bmpa -n " + NAMESPACE + ")");
    Instant deadline = Instant.now().plus(timeout);
    String table = "";
    boolean done = false;
    while (!done && Instant.now().isBefore(deadline)) {
      table = kubectl(kubeconfig, "get", "bmpa", "-n", NAMESPACE);
      System.out.print(table);
      System.out.println();
      try (KubernetesClient client = plane.newClient()) {
        done =
            client
                .resources(BareMetalPowerAction.class)
                .inNamespace(NAMESPACE)
                .list()
                .getItems()
                .stream()
                .allMatch(
                    r ->
                        r.getStatus() != null
                            && r.getStatus().getPhase() != null
                            && r.getStatus().getPhase().isTerminal());
      }
      if (!done) {
        Thread.sleep(2000);
      }
    }
    Files.writeString(OUT.resolve("get.txt"), table);
    int failures = summary(plane, kubeconfig, done);
    failures += NodeDemo.run(plane, kubeconfig, endpoint, OUT);
    failures += schedule(plane, kubeconfig);
    if (keepRunning) {
      step(
          "still running (--keep-running): KUBECONFIG=" + kubeconfig + "; Ctrl-C stops everything");
      new CountDownLatch(1).await();
    }
    return failures == 0 ? 0 : 1;
  }

  private int summary(LocalControlPlane plane, Path kubeconfig, boolean done) throws Exception {
    step("summary");
    int failures = 0;
    try (KubernetesClient client = plane.newClient()) {
      for (BareMetalPowerAction r :
          client.resources(BareMetalPowerAction.class).inNamespace(NAMESPACE).list().getItems()) {
        String expected =
            r.getMetadata().getAnnotations() == null
                ? null
                : r.getMetadata().getAnnotations().get(EXPECTED_PHASE);
        String actual =
            r.getStatus() == null || r.getStatus().getPhase() == null
                ? "none"
                : r.getStatus().getPhase().name();
        boolean ok = expected == null || expected.equals(actual);
        failures += ok ? 0 : 1;
        System.out.printf(
            "  %-4s %-22s %-8s phase %-18s expected %-18s progress %-11s failed %s%n",
            ok ? "OK" : "FAIL",
            r.getMetadata().getName(),
            r.getSpec().getAction(),
            actual,
            expected,
            r.getStatus() == null ? "-" : r.getStatus().getProgress(),
            r.getStatus() == null
                ? "-"
                : r.getStatus().getFailed() + " " + r.getStatus().getFailureCounts());
        Files.writeString(
            OUT.resolve("describe-" + r.getMetadata().getName() + ".txt"),
            kubectl(kubeconfig, "describe", "bmpa", "-n", NAMESPACE, r.getMetadata().getName()));
      }
    }
    if (!done) {
      System.out.println(
          "  not every resource reached a terminal phase within "
              + timeout.toMinutes()
              + " minutes");
      failures++;
    }
    System.out.println(
        failures == 0
            ? "demo: every resource reached its expected phase"
            : "demo: " + failures + " problem(s); see " + OUT);
    System.out.println("  kubectl describe output: " + OUT + "/describe-*.txt");
    return failures;
  }

  /**
   * Applies examples/schedule-demo.yaml (a one-minute off-window every two minutes) and shows the
   * schedule creating its runs until two of them have succeeded.
   */
  private int schedule(LocalControlPlane plane, Path kubeconfig) throws Exception {
    step(
        "a BareMetalPowerSchedule: examples/schedule-demo.yaml (Stop on even minutes, Start on odd ones)");
    System.out.print(
        kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "examples/schedule-demo.yaml"));
    String[] tables = {"", ""};
    java.util.concurrent.Callable<Long> succeededRuns =
        () -> {
          tables[0] = kubectl(kubeconfig, "get", "bmps", "-n", NAMESPACE);
          tables[1] =
              kubectl(
                  kubeconfig,
                  "get",
                  "bmpa",
                  "-n",
                  NAMESPACE,
                  "-l",
                  "bmspower.io/schedule=every-other-minute");
          System.out.print(tables[0]);
          System.out.print(tables[1]);
          System.out.println();
          try (KubernetesClient client = plane.newClient()) {
            return client
                .resources(BareMetalPowerAction.class)
                .inNamespace(NAMESPACE)
                .withLabel("bmspower.io/schedule", "every-other-minute")
                .list()
                .getItems()
                .stream()
                .filter(
                    r ->
                        r.getStatus() != null
                            && r.getStatus().getPhase() == io.bmspower.api.v1alpha1.Phase.Succeeded)
                .count();
          }
        };
    boolean ok;
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofMinutes(4))
          .pollDelay(Duration.ofSeconds(5))
          .pollInterval(Duration.ofSeconds(5))
          .until(succeededRuns, n -> n >= 2);
      ok = true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      ok = false;
    }
    Files.writeString(OUT.resolve("get-bmps.txt"), tables[0] + "\n" + tables[1]);
    Files.writeString(
        OUT.resolve("describe-schedule.txt"),
        kubectl(kubeconfig, "describe", "bmps", "-n", NAMESPACE, "every-other-minute"));
    System.out.println(
        ok
            ? "demo: the schedule created its runs and two succeeded ("
                + OUT
                + "/describe-schedule.txt)"
            : "demo: the schedule did not get two runs to Succeeded within 4 minutes; see " + OUT);
    return ok ? 0 : 1;
  }

  private Process start(Path log, Map<String, String> env, String... command) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private static String awaitLine(Process process, Path log, String prefix) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the process exited; see " + log + ":\n" + Files.readString(log));
      }
      if (Files.exists(log)) {
        try (Stream<String> lines = Files.lines(log)) {
          var line = lines.filter(l -> l.startsWith(prefix)).findFirst();
          if (line.isPresent()) {
            return line.get().substring(prefix.length());
          }
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no '" + prefix + "' in " + log + " after 30s");
  }

  static String kubectl(Path kubeconfig, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(kubectlBinary());
    command.add("--kubeconfig");
    command.add(kubeconfig.toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder sb = new StringBuilder();
                r.lines().forEach(l -> sb.append(l).append('\n'));
                return sb.toString();
              } catch (IOException e) {
                return e.toString();
              }
            });
    p.waitFor(60, TimeUnit.SECONDS);
    return out.get(10, TimeUnit.SECONDS);
  }

  /** The kubectl built by make test-env, else the one on the PATH. */
  static String kubectlBinary() {
    return LocalControlPlane.builtTool("kubectl").map(Path::toString).orElse("kubectl");
  }

  private static String jar() {
    File jar = new File("target/bms-power-operator.jar");
    if (!jar.exists()) {
      throw new IllegalStateException("target/bms-power-operator.jar is missing; run make build");
    }
    return jar.getPath();
  }

  private void stopProcesses() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
  }

  static void step(String what) {
    System.out.println();
    System.out.println("==> " + what);
  }
}
