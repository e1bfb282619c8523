package io.bmspower.ha;

import static io.bmspower.ha.TwoInstancesIT.EACH;
import static io.bmspower.ha.TwoInstancesIT.RESOURCES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.OperatorProcess;
import io.bmspower.testing.RestartableControlPlane;
import io.bmspower.testing.SimulatorFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API server and etcd killed and started again (same data) while two leader-elected instances
 * have a backlog of action calls: the instances lose the Lease and exit, and are started again the
 * way a kubelet restarts a container. Every resource converges and no server is submitted twice.
 */
class ControlPlaneRestartIT {

  static final Path WORK = TwoInstancesIT.WORK.resolve("control-plane-restart");

  @Test
  void aControlPlaneRestartMidRunConvergesWithoutSubmittingAServerTwice() throws Exception {
    try (var plane = RestartableControlPlane.start(WORK.resolve("plane"));
        var sim = SimulatorFixture.start(o -> o.servers = RESOURCES * EACH);
        var h = new OperatorHarness(sim, plane.newClient());
        var kubelet = new Kubelet(plane.kubeConfigYaml())) {
      h.createAkSkSecret("bms-credentials");
      Map<String, String> env = TwoInstancesIT.leaseEnv();
      List<String> args =
          TwoInstancesIT.args(h, "--leader-election", "true", "--lease-namespace", h.namespace);
      kubelet.run("first", env, args);
      kubelet.run("second", env, args);
      await().atMost(Duration.ofSeconds(30)).until(() -> TwoInstancesIT.holder(h) != null);
      TwoInstancesIT.createBacklog(h, sim);
      await().atMost(Duration.ofSeconds(30)).until(() -> TwoInstancesIT.actionCalls(sim) >= 2);

      // Down longer than the renew deadline: the leader loses the Lease and exits.
      plane.kill();
      await().atMost(Duration.ofSeconds(30)).until(kubelet::anyExited);
      plane.startAgain();

      await()
          .atMost(Duration.ofSeconds(240))
          .pollInterval(Duration.ofSeconds(1))
          // While the API server starts, reads fail and a restarted process may exit again.
          .ignoreExceptions()
          .until(
              () -> {
                kubelet.restartExited();
                return allSucceeded(h);
              });
      assertThat(sim.stats().path("maxSubmissionsPerServer").asInt()).isEqualTo(1);
      assertThat(sim.stats().path("serversSubmitted").asInt()).isEqualTo(RESOURCES * EACH);
    }
  }

  private static boolean allSucceeded(OperatorHarness h) {
    for (int i = 0; i < RESOURCES; i++) {
      var r = h.get("backlog-" + i);
      if (r == null || r.getStatus() == null || r.getStatus().getPhase() != Phase.Succeeded) {
        return false;
      }
    }
    return true;
  }

  /** Restarts an operator process that exited, under the same name, as a kubelet would. */
  static final class Kubelet implements AutoCloseable {
    private final String kubeconfig;
    private final List<Container> containers = new ArrayList<>();

    private record Container(String name, Map<String, String> env, List<String> args) {}

    private final Map<String, OperatorProcess> running = new java.util.HashMap<>();
    private int restarts;

    Kubelet(String kubeconfig) {
      this.kubeconfig = kubeconfig;
    }

    void run(String name, Map<String, String> env, List<String> args) throws Exception {
      containers.add(new Container(name, env, args));
      start(containers.get(containers.size() - 1));
    }

    boolean anyExited() {
      return running.values().stream().anyMatch(p -> !p.alive());
    }

    void restartExited() throws Exception {
      for (Container c : containers) {
        if (!running.get(c.name()).alive()) {
          running.get(c.name()).close();
          restarts++;
          start(c);
        }
      }
    }

    private void start(Container c) throws Exception {
      Path dir = WORK.resolve("run-" + restarts);
      running.put(c.name(), OperatorProcess.start(c.name(), dir, c.env(), c.args(), kubeconfig));
    }

    @Override
    public void close() {
      running.values().forEach(OperatorProcess::close);
    }
  }
}
