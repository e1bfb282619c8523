package io.bmspower.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real kube-controller-manager (the binary {@code make test-env} compiles) as a child process
 * against a {@link LocalControlPlane}, running only the controllers that make Nodes and evictions
 * behave as on a real cluster: the node lifecycle controller (marks a Node whose kubelet went
 * silent Ready=Unknown and taints it), the disruption controller (computes PodDisruptionBudget
 * status, so the Eviction API really allows or refuses with 429), the pod garbage collector
 * (force-deletes terminating pods on a NotReady Node carrying the out-of-service taint) and the
 * taint-eviction controller (deletes pods that do not tolerate a NoExecute taint).
 *
 * <p>Safe next to the other tests of the shared control plane: no namespace, garbage collector,
 * ServiceAccount, Deployment or ReplicaSet controller runs, and the terminated-pod collector is off
 * ({@code --terminated-pod-gc-threshold=0}). The pod garbage collector still force-deletes pods
 * bound (spec.nodeName) to a Node that does not exist (after 40 s) and terminating pods bound to no
 * Node; tests that create such pods should know it. Grace periods are short ({@link
 * #NODE_MONITOR_GRACE_PERIOD}) so a silent Node turns NotReady within seconds, not the 50 s of a
 * default cluster. No leader election, no serving port.
 *
 * <p>Timings tests should allow for: the pod garbage collector runs every 20 s (fixed in the
 * binary), so a force-deletion takes up to 20 s after its conditions hold. Pods get the API
 * server's default tolerations of the not-ready and unreachable NoExecute taints (300 s), so the
 * taints the node lifecycle controller puts on a silent Node evict nothing within a test; the
 * out-of-service taint is tolerated by no pod.
 */
public final class ControllerManager implements AutoCloseable {

  /** The controllers it runs, by their 1.34 names ({@code --controllers}). */
  public static final List<String> CONTROLLERS =
      List.of(
          "node-lifecycle-controller",
          "disruption-controller",
          "pod-garbage-collector-controller",
          "taint-eviction-controller");

  /** How often the node lifecycle controller looks at Nodes' heartbeats. */
  public static final Duration NODE_MONITOR_PERIOD = Duration.ofSeconds(1);

  /** How long a Node may stay silent (no Lease renewal, no status) before it is NotReady. */
  public static final Duration NODE_MONITOR_GRACE_PERIOD = Duration.ofSeconds(6);

  /** How long a new Node may take to post its first status. */
  public static final Duration NODE_STARTUP_GRACE_PERIOD = Duration.ofSeconds(10);

  /**
   * The informer caches the controllers wait for before they work, as 1.34 logs them: the node
   * lifecycle controller's is "taint", the pod garbage collector's "GC".
   */
  private static final List<String> SYNCED_CACHES =
      List.of("taint", "disruption", "GC", "taint-eviction-controller");

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final String BINARY = "kube-controller-manager";

  private static ControllerManager shared;

  private final Process process;
  private final Path log;
  private final Path kubeconfig;

  private ControllerManager(LocalControlPlane controlPlane, Path logDir) {
    Path binary = binary();
    try {
      Files.createDirectories(logDir);
      kubeconfig = Files.createTempFile("kcm-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, controlPlane.kubeConfigYaml());
      log = Files.createTempFile(logDir, "kube-controller-manager-", ".log");
      process =
          new ProcessBuilder(command(binary, kubeconfig))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts one against this control plane and returns once every controller started and its caches
   * synced; {@link #close()} stops it. Its log goes to {@code target/kube-controller-manager/}.
   */
  public static ControllerManager start(LocalControlPlane controlPlane) {
    ControllerManager manager =
        new ControllerManager(controlPlane, Path.of("target", "kube-controller-manager"));
    try {
      manager.awaitStarted(START_TIMEOUT);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
    return manager;
  }

  /**
   * The one of this JVM, against {@link LocalControlPlane#get()}: started on first use, stopped at
   * JVM exit (closing it does nothing).
   */
  public static synchronized ControllerManager shared() {
    if (shared == null || !shared.process.isAlive()) {
      ControllerManager started = start(LocalControlPlane.get());
      Runtime.getRuntime()
          .addShutdownHook(new Thread(started::stop, "kube-controller-manager-stop"));
      shared = started;
    }
    return shared;
  }

  /** The binary {@code make test-env} built: the newest version under {@code <testDir>/node}. */
  public static Path binary() {
    Path versions = LocalControlPlane.testDir().resolve("node");
    Optional<Path> found = Optional.empty();
    if (Files.isDirectory(versions)) {
      try (Stream<Path> dirs = Files.list(versions)) {
        found =
            dirs.map(d -> d.resolve(BINARY))
                .filter(Files::isExecutable)
                .max(Comparator.comparing(Path::getParent));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return found
        .map(Path::toAbsolutePath)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "No "
                        + BINARY
                        + " under "
                        + versions
                        + "/<version>/. Run `make test-env` to compile it (with kubelet,"
                        + " kube-proxy and kube-scheduler) from the Go module proxy, once per"
                        + " machine."));
  }

  static List<String> command(Path binary, Path kubeconfig) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.add("--controllers=" + String.join(",", CONTROLLERS));
    command.add("--leader-elect=false");
    command.add("--secure-port=0");
    command.add("--use-service-account-credentials=false");
    command.add("--node-monitor-period=" + seconds(NODE_MONITOR_PERIOD));
    command.add("--node-monitor-grace-period=" + seconds(NODE_MONITOR_GRACE_PERIOD));
    command.add("--node-startup-grace-period=" + seconds(NODE_STARTUP_GRACE_PERIOD));
    command.add("--terminated-pod-gc-threshold=0");
    command.add("--v=2");
    return command;
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + "s";
  }

  /** Its log (stdout and stderr). */
  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  private void awaitStarted(Duration timeout) {
    try {
      org.awaitility.Awaitility.await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .failFast(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      BINARY
                          + " exited with "
                          + process.exitValue()
                          + "; see "
                          + log
                          + ":\n"
                          + tail(readLog()));
                }
              })
          .until(() -> notYetStarted(readLog()).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IllegalStateException(
          BINARY
              + " did not start "
              + notYetStarted(readLog())
              + " within "
              + timeout
              + "; see "
              + log);
    }
  }

  /** The controllers whose start, or whose caches' sync, the log does not show yet. */
  static List<String> notYetStarted(String log) {
    List<String> waiting = new ArrayList<>();
    for (String controller : CONTROLLERS) {
      if (!log.contains("\"Started controller\" controller=\"" + controller + "\"")) {
        waiting.add(controller);
      }
    }
    for (String cache : SYNCED_CACHES) {
      if (!log.contains("\"Caches are synced\" controller=\"" + cache + "\"")) {
        waiting.add(cache + " caches");
      }
    }
    return waiting;
  }

  private String readLog() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(String text) {
    return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
  }

  /** Stops the process (SIGTERM, then SIGKILL after 10 s); the shared one only at JVM exit. */
  @Override
  public void close() {
    if (this != shared) {
      stop();
    }
  }

  private void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(kubeconfig);
    } catch (IOException e) {
      // a temp file; the OS cleans up
    }
  }
}
