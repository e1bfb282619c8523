package io.bmspower.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.OperatorProcess;
import io.bmspower.testing.SimulatorFixture;
import io.bmspower.testing.TcpProxy;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two operator processes at once, as an upgrade or a leader handover makes them: a backlog of
 * queued action calls in the first while the second starts reconciling the same resources. Every
 * server is submitted at most once (the simulator's counts) and every resource ends Succeeded.
 */
class TwoInstancesIT {

  static final int RESOURCES = 6;
  static final int EACH = 6;
  static final Path WORK = Path.of("target/two-instances");

  @Test
  void aRollingUpgradeWithoutLeaderElectionSubmitsNoServerTwice() throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.servers = RESOURCES * EACH);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      Map<String, String> env = Map.of("BMS_MAX_INTENT_AGE", "10s");
      List<String> args = args(h, "--leader-election", "false");
      try (var old = OperatorProcess.start("old", WORK.resolve("upgrade"), env, args)) {
        createBacklog(h, sim);
        await().atMost(Duration.ofSeconds(30)).until(() -> actionCalls(sim) >= 2);
        try (var next = OperatorProcess.start("new", WORK.resolve("upgrade"), env, args)) {
          // The Deployment's rolling update: both run a while, then the old pod gets its SIGTERM.
          await().atMost(Duration.ofSeconds(60)).until(() -> actionCalls(sim) >= 4);
          old.terminate();
          awaitAllSucceeded(h);
        }
      }
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(sim.stats().path("serversSubmitted").asInt()).isEqualTo(RESOURCES * EACH);
    }
  }

  @Test
  void aLeaderPausedPastItsLeaseSendsNothingAfterItWakes() throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.servers = RESOURCES * EACH);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      Map<String, String> env = leaseEnv();
      List<String> args = args(h, "--leader-election", "true", "--lease-namespace", h.namespace);
      try (var first = OperatorProcess.start("first", WORK.resolve("pause"), env, args);
          var second = OperatorProcess.start("second", WORK.resolve("pause"), env, args)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> "first".equals(holder(h)));
        createBacklog(h, sim);
        await().atMost(Duration.ofSeconds(30)).until(() -> actionCalls(sim) >= 1);

        first.pause();
        await().atMost(Duration.ofSeconds(45)).until(() -> "second".equals(holder(h)));
        int logBeforeResume = first.log().length();
        first.resume();
        await().atMost(Duration.ofSeconds(30)).until(() -> !first.alive());

        awaitAllSucceeded(h);
        assertThat(first.log().substring(logBeforeResume))
            .as("the paused leader made no call after it woke")
            .doesNotContain("action submitted")
            .contains("lost the Lease");
        assertThat(second.log()).contains("action submitted");
      }
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(sim.stats().path("serversSubmitted").asInt()).isEqualTo(RESOURCES * EACH);
    }
  }

  @Test
  void aLeaderCutOffFromTheApiServerButNotTheCloudSendsNothingMore() throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.servers = RESOURCES * EACH);
        var h = new OperatorHarness(sim);
        var proxy = new TcpProxy("127.0.0.1", OperatorProcess.apiServerPort())) {
      h.createAkSkSecret("bms-credentials");
      Map<String, String> env = leaseEnv();
      List<String> args = args(h, "--leader-election", "true", "--lease-namespace", h.namespace);
      Path work = WORK.resolve("partition");
      try (var first =
              OperatorProcess.start(
                  "first", work, env, args, OperatorProcess.kubeconfigVia(proxy.port()));
          var second = OperatorProcess.start("second", work, env, args)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> "first".equals(holder(h)));
        createBacklog(h, sim);
        await().atMost(Duration.ofSeconds(30)).until(() -> actionCalls(sim) >= 1);

        proxy.cut();
        await().atMost(Duration.ofSeconds(45)).until(() -> "second".equals(holder(h)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !first.alive());

        awaitAllSucceeded(h);
        assertThat(first.log()).contains("lost the Lease");
        assertThat(second.log()).contains("action submitted");
      }
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(sim.stats().path("serversSubmitted").asInt()).isEqualTo(RESOURCES * EACH);
    }
  }

  static Map<String, String> leaseEnv() {
    return Map.of(
        "BMS_MAX_INTENT_AGE", "15s",
        "BMS_LEASE_DURATION", "6s",
        "BMS_LEASE_RENEW_DEADLINE", "4s",
        "BMS_LEASE_RETRY_PERIOD", "1s");
  }

  /** The same settings for every instance; short bounds so the test takes a minute or two. */
  static List<String> args(OperatorHarness h, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--namespaces", h.namespace,
                "--health-port", "0",
                "--actions-per-minute", "12",
                "--ambiguous-grace", "2s",
                "--cloud-request-timeout", "5s",
                "--batch-linger", "1s",
                "--batch-max-wait", "5s",
                "--poll-interval-min", "500ms",
                "--poll-interval-max", "2s",
                "--retry-backoff-base", "500ms",
                "--retry-backoff-cap", "2s"));
    args.addAll(List.of(more));
    return args;
  }

  /** Resources of batchSize 1: every server is its own intent, most wait for the budget. */
  static void createBacklog(OperatorHarness h, SimulatorFixture sim) {
    List<String> servers = sim.simulator.inventory();
    for (int i = 0; i < RESOURCES; i++) {
      h.create(
          "backlog-" + i, servers.subList(i * EACH, (i + 1) * EACH), spec -> spec.setBatchSize(1));
    }
  }

  static void awaitAllSucceeded(OperatorHarness h) {
    for (int i = 0; i < RESOURCES; i++) {
      h.awaitPhase("backlog-" + i, Phase.Succeeded, Duration.ofSeconds(180));
    }
  }

  static long actionCalls(SimulatorFixture sim) {
    return sim.stats().path("actionCalls").asLong();
  }

  static String holder(OperatorHarness h) {
    Lease lease = h.client.leases().inNamespace(h.namespace).withName("bms-power-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }
}
