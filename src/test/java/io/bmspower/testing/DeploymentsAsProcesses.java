package io.bmspower.testing;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stands in for the nodes a test control plane lacks: each Deployment of the operator's chart runs
 * as local {@code java -jar} processes of the jar its image is built from, one per replica, with
 * the container's args and environment, authenticated as the pod's ServiceAccount (a TokenRequest
 * token), and counted ready when {@code /readyz} answers, as the chart's readiness probe asks. Like
 * a kubelet, it sets {@code HOSTNAME} to the pod's name and stops the processes of Deployments that
 * disappear with SIGTERM.
 */
public final class DeploymentsAsProcesses implements AutoCloseable {

  static final String CHART_LABEL = "app.kubernetes.io/name";
  static final String CHART_NAME = "bms-power-operator";

  public static final Path JAR = Path.of("target/bms-power-operator.jar");

  private final KubernetesClient admin;
  private final String namespace;
  private final Path workDir;
  private final Map<String, List<Pod>> running = new LinkedHashMap<>();
  private final Map<String, String> templates = new HashMap<>();
  private final Map<String, Integer> revisions = new HashMap<>();
  private final Map<String, Deployment> deployed = new HashMap<>();

  /** A local process standing in for one pod. */
  public record Pod(String name, Process process, Path log, int healthPort) {}

  /** Runs the chart's Deployments in {@code namespace} (all namespaces if null). */
  public DeploymentsAsProcesses(KubernetesClient admin, String namespace, Path workDir) {
    this.admin = admin;
    this.namespace = namespace;
    this.workDir = workDir;
  }

  /** Starts pods of new Deployments and stops those of deleted ones; returns what changed. */
  public List<String> sync() throws Exception {
    List<String> changes = new ArrayList<>();
    Map<String, Deployment> wanted = new LinkedHashMap<>();
    var deployments =
        namespace == null
            ? admin.apps().deployments().inAnyNamespace()
            : admin.apps().deployments().inNamespace(namespace);
    for (Deployment d : deployments.withLabel(CHART_LABEL, CHART_NAME).list().getItems()) {
      wanted.put(d.getMetadata().getNamespace() + "/" + d.getMetadata().getName(), d);
    }
    for (var it = running.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (!wanted.containsKey(entry.getKey())) {
        entry.getValue().forEach(DeploymentsAsProcesses::stop);
        changes.add("stopped the pods of deployment " + entry.getKey());
        it.remove();
      }
    }
    for (var entry : wanted.entrySet()) {
      Deployment d = entry.getValue();
      String template = Serialization.asJson(d.getSpec().getTemplate());
      if (!running.containsKey(entry.getKey())) {
        List<Pod> pods = new ArrayList<>();
        running.put(entry.getKey(), pods);
        for (int i = 0; i < replicas(d); i++) {
          pods.add(start(d, i, 0));
        }
        changes.add("started " + replicas(d) + " ready pod(s) of deployment " + entry.getKey());
      } else if (!template.equals(templates.get(entry.getKey()))) {
        changes.add(rollOut(entry.getKey(), d));
      }
      templates.put(entry.getKey(), template);
      deployed.put(entry.getKey(), d);
    }
    return changes;
  }

  /**
   * A changed pod template, rolled out as the Deployment's strategy says: Recreate stops every old
   * pod before the first new one starts; RollingUpdate (the chart's default with leader election,
   * maxSurge 25% and maxUnavailable 25% rounding to one pod at a time, surge first) starts a new
   * pod, waits until it is ready, then stops an old one (SIGTERM), so old and new overlap.
   */
  private String rollOut(String key, Deployment d) throws Exception {
    int revision = revisions.merge(key, 1, Integer::sum);
    List<Pod> old = running.get(key);
    List<Pod> pods = new ArrayList<>();
    boolean recreate =
        d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType());
    if (recreate) {
      old.forEach(DeploymentsAsProcesses::stop);
      for (int i = 0; i < replicas(d); i++) {
        pods.add(start(d, i, revision));
      }
    } else {
      for (int i = 0; i < replicas(d); i++) {
        pods.add(start(d, i, revision));
        if (i < old.size()) {
          stop(old.get(i));
        }
      }
      old.subList(Math.min(old.size(), pods.size()), old.size())
          .forEach(DeploymentsAsProcesses::stop);
    }
    running.put(key, pods);
    return (recreate ? "recreated" : "rolled") + " the pods of deployment " + key;
  }

  /**
   * Starts again, under the same name, every pod whose process exited by itself (restartPolicy
   * Always), as a kubelet restarts a container; returns their names.
   */
  public List<String> restartExited() throws Exception {
    List<String> restarted = new ArrayList<>();
    for (var entry : running.entrySet()) {
      List<Pod> pods = entry.getValue();
      for (int i = 0; i < pods.size(); i++) {
        Pod pod = pods.get(i);
        if (!pod.process().isAlive()) {
          Files.writeString(
              pod.log(),
              "--- exited with " + pod.process().exitValue() + "; restarted ---\n",
              java.nio.file.StandardOpenOption.APPEND);
          pods.set(i, start(deployed.get(entry.getKey()), pod.name(), true));
          restarted.add(pod.name());
        }
      }
    }
    return restarted;
  }

  private static int replicas(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  public Map<String, List<Pod>> running() {
    return running;
  }

  /** Kills a pod's process at once (SIGKILL), as a node failure would; it is not restarted. */
  public void crash(String podName) throws InterruptedException {
    for (List<Pod> pods : running.values()) {
      for (Pod pod : pods) {
        if (pod.name().equals(podName)) {
          pod.process().destroyForcibly().waitFor();
          return;
        }
      }
    }
    throw new IllegalArgumentException("no pod " + podName);
  }

  /** Pod names stay as before for the first revision; later ones carry the revision. */
  private Pod start(Deployment deployment, int index, int revision) throws Exception {
    String name = deployment.getMetadata().getName();
    return start(
        deployment,
        revision == 0 ? name + "-local-" + index : name + "-r" + revision + "-local-" + index,
        false);
  }

  private Pod start(Deployment deployment, String podName, boolean appendLog) throws Exception {
    String namespace = deployment.getMetadata().getNamespace();
    var podSpec = deployment.getSpec().getTemplate().getSpec();
    Container container = podSpec.getContainers().get(0);
    Path log = workDir.resolve(podName + ".log");

    Map<String, String> env = new HashMap<>();
    for (EnvVar var : container.getEnv()) {
      env.put(var.getName(), resolve(var, podName, namespace, podSpec.getServiceAccountName()));
    }
    int healthPort = freePort();
    env.put("BMS_HEALTH_PORT", Integer.toString(healthPort)); // a pod has its own network
    env.put("KUBECONFIG", serviceAccountKubeconfig(podSpec.getServiceAccountName(), namespace));
    env.put("HOME", Files.createDirectories(workDir.resolve(podName + "-home")).toString());
    env.put("HOSTNAME", podName);

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    if (container.getArgs() != null) {
      command.addAll(container.getArgs());
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(
        appendLog
            ? ProcessBuilder.Redirect.appendTo(log.toFile())
            : ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().clear();
    builder.environment().putAll(env);
    Pod pod = new Pod(podName, builder.start(), log, healthPort);
    awaitReady(pod);
    return pod;
  }

  private static String resolve(
      EnvVar var, String podName, String namespace, String serviceAccount) {
    if (var.getValueFrom() == null) {
      return var.getValue() == null ? "" : var.getValue();
    }
    var field = var.getValueFrom().getFieldRef();
    if (field != null && field.getFieldPath().equals("metadata.name")) {
      return podName;
    }
    if (field != null && field.getFieldPath().equals("metadata.namespace")) {
      return namespace;
    }
    if (field != null && field.getFieldPath().equals("spec.serviceAccountName")) {
      return serviceAccount;
    }
    throw new IllegalStateException(
        "env "
            + var.getName()
            + ": this stand-in resolves only metadata.name/namespace and spec.serviceAccountName");
  }

  private String serviceAccountKubeconfig(String serviceAccount, String namespace)
      throws IOException {
    String token = ServiceAccountTokens.request(admin, namespace, serviceAccount);
    Config config = admin.getConfiguration();
    String authority =
        config.getCaCertData() != null
            ? "certificate-authority-data: " + config.getCaCertData()
            : "certificate-authority: " + config.getCaCertFile();
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: local
            cluster: {server: %s, %s}
        users:
          - name: %s
            user: {token: %s}
        contexts:
          - name: pod
            context: {cluster: local, user: %s, namespace: %s}
        current-context: pod
        """
            .formatted(
                config.getMasterUrl(), authority, serviceAccount, token, serviceAccount, namespace);
    Path file = workDir.resolve(serviceAccount + "-" + namespace + ".kubeconfig");
    Files.writeString(file, kubeconfig);
    return file.toString();
  }

  private static void awaitReady(Pod pod) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI readyz = URI.create("http://127.0.0.1:" + pod.healthPort() + "/readyz");
    Instant deadline = Instant.now().plusSeconds(90);
    while (Instant.now().isBefore(deadline)) {
      if (!pod.process().isAlive()) {
        fail("pod %s exited with %d:%n%s", pod.name(), pod.process().exitValue(), tail(pod));
      }
      try {
        var response =
            http.send(
                HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    stop(pod);
    fail("pod %s not ready within 90s:%n%s", pod.name(), tail(pod));
  }

  /** Everything the pod's process has written so far. */
  public static String log(Pod pod) {
    try {
      return Files.readString(pod.log());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String tail(Pod pod) {
    try {
      List<String> lines = Files.readAllLines(pod.log());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void stop(Pod pod) {
    pod.process().destroy();
    try {
      if (!pod.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        pod.process().destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pod.process().destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    running.values().forEach(pods -> pods.forEach(DeploymentsAsProcesses::stop));
    running.clear();
  }
}
