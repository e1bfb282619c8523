package io.bmspower.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.readme.ReadmeCommands.Command;
import io.bmspower.testing.DeploymentsAsProcesses;
import io.bmspower.testing.LocalControlPlane;
import io.bmspower.testing.SimulatorFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs every command of the README as written, in order, with bash, against a fresh control plane
 * of its own (nothing installed), the real helm and kubectl binaries of {@code make test-env}, and
 * the BMS simulator standing in for the cloud. The values the README asks the reader to set ({@code
 * $BMS_ENDPOINT}, ...) point at the simulator; the chart's Deployment runs as local processes of
 * the built jar ({@link DeploymentsAsProcesses}), since the control plane has no nodes. {@code
 * make} commands are dry-run ({@code make -n}): the target and its variables must exist; the
 * targets themselves are what CI and the other tests run. The transcript is left in
 * target/readme-check/transcript.txt.
 */
class ReadmeCommandsIT {

  static final Path README = Path.of("README.md");
  static final Path WORK = Path.of("target/readme-check");
  static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

  @Test
  void everyCommandInTheReadmeWorksAsWritten() throws Exception {
    String readme = Files.readString(README);
    List<Command> commands = ReadmeCommands.parse(readme);
    assertThat(commands)
        .extracting(Command::text)
        .anyMatch(c -> c.startsWith("helm install "))
        .anyMatch(c -> c.startsWith("kubectl apply -f examples/"))
        .anyMatch(c -> c.startsWith("helm uninstall "))
        .anyMatch(c -> c.startsWith("kubectl delete crd "));
    recreate(WORK);

    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.acceptAnyUuid = true;
                  o.jobDuration = Duration.ofSeconds(1);
                });
        var plane = LocalControlPlane.startEmpty();
        var admin = plane.newClient();
        var pods = new DeploymentsAsProcesses(admin, null, WORK)) {
      Map<String, String> yourValues = new LinkedHashMap<>();
      yourValues.put("IMAGE_REPOSITORY", "registry.example.com/bms-power-operator");
      yourValues.put("IMAGE_TAG", "0.1.0");
      yourValues.put("BMS_ENDPOINT", sim.simulator.baseUrl());
      yourValues.put("BMS_PROJECT_ID", sim.options.projectId);
      yourValues.put("BMS_AK", sim.options.accessKey);
      yourValues.put("BMS_SK", sim.options.secretKey);
      yourValues
          .keySet()
          .forEach(name -> assertThat(readme).as("README names $" + name).contains("`" + name));

      Path kubeconfig = WORK.resolve("kubeconfig");
      Files.writeString(kubeconfig, plane.kubeConfigYaml());
      Map<String, String> env = new LinkedHashMap<>(yourValues);
      env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
      env.put("PATH", toolPath() + ":" + System.getenv("PATH"));
      for (String helmHome : List.of("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME")) {
        env.put(helmHome, Files.createDirectories(WORK.resolve(helmHome)).toAbsolutePath() + "");
      }

      assertThat(bash("command -v kubectl && command -v helm", env).exit())
          .as(
              "kubectl and helm under %s or on the PATH: run `make test-env`",
              LocalControlPlane.testDir())
          .isZero();

      List<String> transcript = new ArrayList<>();
      try {
        for (Command command : commands) {
          String shell = command.dryRun();
          transcript.add("$ " + shell + "    # README.md:" + command.line());
          Result result = bash(shell, env);
          transcript.add(result.output());
          assertThat(result.exit())
              .as("%s%nexit %d:%n%s", command, result.exit(), result.output())
              .isZero();
          if (!command.isMake()) {
            pods.sync().forEach(change -> transcript.add("[stand-in] " + change));
          }
        }
      } finally {
        Files.write(WORK.resolve("transcript.txt"), transcript);
      }

      assertThat(String.join("\n", transcript))
          .as("the example's servers were stopped through the installed chart")
          .contains("stop-rack-a condition met")
          .containsPattern("\n  Phase: +Succeeded\n");
      var submitted = sim.stats().path("submissionsPerServer");
      assertThat(submitted.size()).isEqualTo(2);
      submitted.forEach(count -> assertThat(count.asInt()).isEqualTo(1));
      assertThat(pods.running()).as("helm uninstall removed the Deployment").isEmpty();
      assertThat(
              admin
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName(BareMetalPowerAction.CRD_NAME)
                  .get())
          .isNull();
    }
  }

  record Result(int exit, String output) {}

  private static Result bash(String command, Map<String, String> env) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Path out = Files.createTempFile(WORK, "out", ".txt");
    builder.redirectOutput(out.toFile());
    Process process = builder.start();
    if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
      return new Result(-1, Files.readString(out) + "\n(timed out after " + COMMAND_TIMEOUT + ")");
    }
    String output = Files.readString(out);
    Files.delete(out);
    return new Result(process.exitValue(), output.strip());
  }

  /** The directories holding the kubectl and helm that {@code make test-env} built, if any. */
  private static String toolPath() {
    return Stream.of("kubectl", "helm")
        .map(LocalControlPlane::builtTool)
        .flatMap(Optional::stream)
        .map(tool -> tool.getParent().toString())
        .collect(Collectors.joining(":"));
  }

  private static void recreate(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(dir);
  }
}
