package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.Kstatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The statuses the reconciler really writes, in each phase, read by the real kstatus library (what
 * Flux health checks and kstatus-based tools wait on): in progress until the action ends, Current
 * only when it succeeded, Failed when it failed or waits for a person.
 *
 * <p>kstatus (cli-utils v0.37.2, status.Compute) reads, first match wins: a deletionTimestamp;
 * status.observedGeneration against metadata.generation (per-condition observedGeneration is not
 * read); the first Reconciling=True (InProgress) or Stalled=True (Failed) in list order; then Ready
 * (True: Current, else InProgress); else Current. The older condition types (Complete, Failed, ...)
 * have rules only for batch/v1 Jobs, so they do not interfere.
 */
class KstatusOfOperatorStatusesTest {

  @Test
  void eachPhaseReadsAsItMeans() throws Exception {
    try (var f = new ReconcilerFixture(o -> o.jobDuration = Duration.ofSeconds(10))) {
      f.create("running", f.servers(0, 3), spec -> {});
      f.pass("running");
      f.pass("running");
      f.create("waiting-behind", f.servers(2, 4), spec -> {});
      f.pass("waiting-behind");
      f.create("suspended", f.servers(10, 12), spec -> spec.setSuspend(true));
      f.pass("suspended");
      f.create("succeeded", f.servers(20, 22), spec -> {});
      f.runToEnd("succeeded");
      List<String> someUnknown = new ArrayList<>(f.servers(30, 32));
      someUnknown.add("00000000-0000-4000-8000-000000000001");
      f.create("partly", someUnknown, spec -> {});
      f.runToEnd("partly");
      f.create(
          "failed", List.of("00000000-0000-4000-8000-000000000002"), spec -> spec.setDryRun(true));
      f.runToEnd("failed");
      f.secretExists = false;
      f.create("no-secret", f.servers(40, 42), spec -> {});
      f.pass("no-secret");

      Map<String, String> expected =
          Map.of(
              "running", "InProgress",
              "waiting-behind", "InProgress",
              "suspended", "InProgress",
              "succeeded", "Current",
              "partly", "Failed",
              "failed", "Failed",
              "no-secret", "Failed");
      List<BareMetalPowerAction> resources = expected.keySet().stream().map(f.api::get).toList();
      List<Kstatus.Result> results = Kstatus.compute(resources);

      for (int i = 0; i < resources.size(); i++) {
        String name = resources.get(i).getMetadata().getName();
        assertThat(results.get(i).status()).as(name).isEqualTo(expected.get(name));
      }
      assertThat(f.phase("running")).isEqualTo(Phase.Running);
      assertThat(f.phase("partly")).isEqualTo(Phase.PartiallySucceeded);
      assertThat(f.phase("suspended")).isEqualTo(Phase.Suspended);
    }
  }

  @Test
  void aFinishedResourceWhosePolicyChangedIsCurrentAgainOnceSeen() throws Exception {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("done", f.servers(0, 2), spec -> {});
      f.runToEnd("done");
      f.edit(
          "done",
          r -> {
            r.getSpec().setDeletionPolicy(io.bmspower.api.v1alpha1.DeletionPolicy.Abandon);
            r.getMetadata().setGeneration(2L);
            return r;
          });
      assertThat(Kstatus.compute(List.of(f.api.get("done"))).get(0).status())
          .isEqualTo("InProgress");

      f.pass("done");

      assertThat(Kstatus.compute(List.of(f.api.get("done"))).get(0).status()).isEqualTo("Current");
      assertThat(f.phase("done")).isEqualTo(Phase.Succeeded);
    }
  }
}
