package io.bmspower.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator jar as a separate process against the local control plane, for tests where a second
 * instance, a pause or a kill is the point: signals are real (SIGTERM, SIGKILL, SIGSTOP).
 */
public final class OperatorProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;

  private OperatorProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code java -jar target/bms-power-operator.jar args} and waits until it runs. */
  public static OperatorProcess start(
      String name, Path workDir, Map<String, String> env, List<String> args) throws IOException {
    return start(name, workDir, env, args, LocalControlPlane.get().kubeConfigYaml());
  }

  /** As {@link #start}, with its own kubeconfig (e.g. through a {@link TcpProxy}). */
  public static OperatorProcess start(
      String name, Path workDir, Map<String, String> env, List<String> args, String kubeconfigYaml)
      throws IOException {
    Files.createDirectories(workDir);
    Path kubeconfig = workDir.resolve(name + ".kubeconfig");
    Files.writeString(kubeconfig, kubeconfigYaml);
    Path log = workDir.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(DeploymentsAsProcesses.JAR.toAbsolutePath().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.environment().putAll(env);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("HOSTNAME", name);
    builder.environment().put("POD_NAME", name);
    OperatorProcess p = new OperatorProcess(name, builder.start(), log);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .failFast(() -> !p.process.isAlive())
          .until(() -> p.log().contains("operator started"));
    } catch (RuntimeException | Error e) {
      // Not started (or the wait was interrupted): leave no process behind.
      p.process.destroyForcibly();
      throw e;
    }
    return p;
  }

  /** The admin kubeconfig with its API server address moved to a local port (a proxy's). */
  public static String kubeconfigVia(int port) {
    return LocalControlPlane.get()
        .kubeConfigYaml()
        .replaceAll("server: https://127\\.0\\.0\\.1:\\d+", "server: https://127.0.0.1:" + port);
  }

  /** The local API server's port, from its kubeconfig. */
  public static int apiServerPort() {
    var m =
        java.util.regex.Pattern.compile("server: https://127\\.0\\.0\\.1:(\\d+)")
            .matcher(LocalControlPlane.get().kubeConfigYaml());
    if (!m.find()) {
      throw new IllegalStateException("no 127.0.0.1 server in the local kubeconfig");
    }
    return Integer.parseInt(m.group(1));
  }

  public String name() {
    return name;
  }

  /** The process, to signal or reap it by PID. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM, as Kubernetes stops a pod; waits for the exit. */
  public void terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(40, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** SIGKILL, as a node failure or an OOM kill ends a pod: no goodbye; waits for the exit. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGSTOP: the process freezes (a GC pause, CPU throttling), clocks move on. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .inheritIO()
        .start()
        .waitFor();
  }

  /** Everything the process has written so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        resume();
      } catch (IOException e) {
        // gone already
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
    }
  }
}
