package io.bmspower.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A kube-apiserver and an etcd of their own (the binaries {@code make test-env} built, the
 * certificates kube-api-test made) that can be stopped and started again on the same ports and the
 * same etcd data, as a control-plane restart or an etcd outage does in a real cluster.
 * kube-api-test cannot: its stop deletes etcd's data.
 */
public final class RestartableControlPlane implements AutoCloseable {

  private final Path workDir;
  private final Path binaries;
  private final Path certs = LocalControlPlane.testDir();
  private final int etcdPort = freePort();
  private final int peerPort = freePort();
  private final int apiPort = freePort();
  private Process etcd;
  private Process apiServer;
  private int starts;

  private RestartableControlPlane(Path workDir) {
    this.workDir = workDir;
    this.binaries =
        LocalControlPlane.builtTool("kubectl")
            .orElseThrow(() -> new IllegalStateException("run make test-env first"))
            .getParent();
  }

  /** Starts etcd and the API server with the CRD installed. */
  public static RestartableControlPlane start(Path workDir) throws IOException {
    // The shared control plane made the certificates (and checked the binaries) on its first start.
    LocalControlPlane.get();
    deleteRecursively(workDir);
    Files.createDirectories(workDir);
    var plane = new RestartableControlPlane(workDir);
    plane.startProcesses();
    try (KubernetesClient client = plane.newClient()) {
      LocalControlPlane.installCrd(client);
    }
    return plane;
  }

  /** Kills the API server and etcd at once (SIGKILL): an outage until {@link #startAgain}. */
  public void kill() throws InterruptedException {
    stopProcesses();
  }

  /** Starts both again on the same data and ports, and waits until the API server is ready. */
  public void startAgain() throws IOException {
    startProcesses();
  }

  public KubernetesClient newClient() {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(kubeConfigYaml()))
        .build();
  }

  public String kubeConfigYaml() {
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: restartable
            cluster: {server: "https://127.0.0.1:%d", certificate-authority: "%s"}
        users:
          - name: admin
            user: {client-certificate: "%s", client-key: "%s"}
        contexts:
          - name: restartable
            context: {cluster: restartable, user: admin, namespace: default}
        current-context: restartable
        """
        .formatted(
            apiPort,
            certs.resolve("apiserver.crt"),
            certs.resolve("client.crt"),
            certs.resolve("client.key"));
  }

  private void startProcesses() throws IOException {
    starts++;
    etcd =
        new ProcessBuilder(
                binaries.resolve("etcd").toString(),
                "--data-dir",
                workDir.resolve("etcd-data").toString(),
                "--listen-client-urls",
                "http://127.0.0.1:" + etcdPort,
                "--advertise-client-urls",
                "http://127.0.0.1:" + etcdPort,
                "--initial-cluster",
                "default=http://localhost:" + peerPort,
                "--initial-advertise-peer-urls",
                "http://localhost:" + peerPort,
                "--listen-peer-urls",
                "http://localhost:" + peerPort)
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("etcd-" + starts + ".log").toFile())
            .start();
    String apiServerKey = certs.resolve("apiserver.key").toString();
    apiServer =
        new ProcessBuilder(
                List.of(
                    binaries.resolve("kube-apiserver").toString(),
                    "--cert-dir",
                    certs.toString(),
                    "--secure-port",
                    Integer.toString(apiPort),
                    "--etcd-servers",
                    "http://127.0.0.1:" + etcdPort,
                    "--authorization-mode",
                    "RBAC",
                    "--service-account-issuer",
                    "https://localhost",
                    "--service-account-signing-key-file",
                    apiServerKey,
                    "--service-account-key-file",
                    apiServerKey,
                    "--disable-admission-plugins",
                    "ServiceAccount",
                    "--client-ca-file",
                    certs.resolve("client.crt").toString(),
                    "--service-cluster-ip-range",
                    "10.0.0.0/24",
                    "--allow-privileged"))
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("kube-apiserver-" + starts + ".log").toFile())
            .start();
    try (KubernetesClient client = newClient()) {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .failFast(() -> !apiServer.isAlive() || !etcd.isAlive())
          .until(
              () ->
                  "ok".equals(client.raw("/readyz"))
                      && client.namespaces().withName("default").get() != null);
    }
  }

  private void stopProcesses() throws InterruptedException {
    for (Process p : new Process[] {apiServer, etcd}) {
      if (p != null) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopProcesses();
    deleteRecursively(workDir.resolve("etcd-data"));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
