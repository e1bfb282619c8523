package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.Job;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reconciler's passes against an in-memory cloud, API server and clock. */
class ReconcilerTest {

  @Test
  void aStopEndsSucceededWithEachServerSubmittedOnceAndEachEventOnce() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> {});

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(status.getSucceeded()).isEqualTo(5);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(f.events.reasons("a"))
          .containsExactly(Reason.ACCEPTED, Reason.BATCH_SUBMITTED, Reason.ALL_SERVERS_DONE);
      assertThat(f.metric("bms.servers", "result", "succeeded")).isEqualTo(5);
      assertThat(Conditions.isTrue(status.getConditions(), "Ready")).isTrue();
      assertThat(Conditions.isTrue(status.getConditions(), "Stalled")).isFalse();
    }
  }

  @Test
  void reorderingTheServersMidRunSubmitsNoServerTwice() {
    try (var f = new ReconcilerFixture(o -> {}, 1, Duration.ZERO, 1)) {
      f.create("a", f.servers(0, 20), spec -> spec.setBatchSize(10));
      f.pass("a");
      f.pass("a");
      assertThat(f.api.get("a").getStatus().getBatches())
          .extracting(b -> b.getState())
          .containsExactly(BatchState.Running);

      f.edit(
          "a",
          r -> {
            List<String> changed = new ArrayList<>(r.getSpec().getServers());
            Collections.reverse(changed);
            r.getSpec().setServers(changed);
            return r;
          });
      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(status.getSucceeded()).isEqualTo(20);
      assertThat(f.cloud.submissions()).hasSize(20).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void aJobIdSurvivesConflictingWritesAndTheResourceFinishesFromItsJob() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> spec.setAction(PowerAction.Reboot));
      f.pass("a");
      assertThat(f.cloud.submissions()).hasSize(5);

      f.api.conflictNext(BareMetalPowerActionReconciler.PASSES_PER_CONFLICT);
      f.pass("a");
      assertThat(f.api.get("a").getStatus().getBatches().get(0).getJobId()).isNull();
      f.clock.advance(ReconcilerFixture.GRACE.plusSeconds(1));
      f.pass("a");

      var batch = f.api.get("a").getStatus().getBatches().get(0);
      assertThat(batch.getState()).isEqualTo(BatchState.Running);
      assertThat(batch.getJobId()).isNotNull();
      var status = f.runToEnd("a").getStatus();
      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(status.getBatches().get(0).getJobId()).isEqualTo(batch.getJobId());
      assertThat(f.events.count("a", Reason.BATCH_SUBMITTED)).isOne();
      assertThat(f.events.count("a", Reason.SUBMISSION_RECOVERED)).isZero();
      assertThat(f.cloud.submissions()).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void aConflictThenARetryReportsEventsAndMetricsOnce() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.pass("a");
      f.pass("a");
      f.clock.advance(Duration.ofSeconds(11));

      f.api.conflictNext(1);
      f.pass("a");

      assertThat(f.phase("a")).isEqualTo(Phase.Succeeded);
      assertThat(f.events.count("a", Reason.ALL_SERVERS_DONE)).isOne();
      assertThat(f.metric("bms.servers", "result", "succeeded")).isEqualTo(5);
      assertThat(f.api.get("a").getStatus().getSucceeded()).isEqualTo(5);
    }
  }

  @Test
  void thePassComesBackWhenTheJobIsDueOrARetryIsDue() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> {});
      var afterIntent = f.pass("a");
      var afterJobId = f.pass("a");
      f.clock.advance(Duration.ofSeconds(2));
      var afterFirstPoll = f.pass("a");

      assertThat(afterIntent.getScheduleDelay())
          .as("the call's outcome is due soon")
          .contains(BareMetalPowerActionReconciler.CALL_WAIT.toMillis());
      assertThat(afterJobId.getScheduleDelay()).contains(200L);
      assertThat(afterFirstPoll.getScheduleDelay())
          .hasValueSatisfying(d -> assertThat(d).isBetween(2000L, 3000L));
    }
  }

  @Test
  void aThrottledCallComesBackWhenItsRetryAfterEnds() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.cloud.failNextSubmit(
          new CloudException(
              429,
              "APIG.0308",
              "throttled",
              null,
              ErrorClass.RETRYABLE,
              Duration.ofSeconds(10),
              null));
      f.pass("a");

      var control = f.pass("a");

      assertThat(control.getScheduleDelay()).contains(10_000L);
      assertThat(f.api.get("a").getStatus().getBatches().get(0).getState())
          .isEqualTo(BatchState.Pending);
    }
  }

  @Test
  void suspendWithdrawsAQueuedCallAndResumingSubmitsIt() {
    try (var f = new ReconcilerFixture(o -> {}, 100, Duration.ofSeconds(2), 3)) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.passNoWait("a");
      f.edit(
          "a",
          r -> {
            r.getSpec().setSuspend(true);
            return r;
          });
      f.passNoWait("a");
      f.awaitIdle();

      assertThat(f.phase("a")).isEqualTo(Phase.Suspended);
      assertThat(f.cloud.submissions()).isEmpty();
      assertThat(f.api.get("a").getStatus().getBatches().get(0).getState())
          .isEqualTo(BatchState.Pending);

      f.edit(
          "a",
          r -> {
            r.getSpec().setSuspend(false);
            return r;
          });
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(f.events.reasons("a")).contains(Reason.SUSPENDED, Reason.RESUMED);
    }
  }

  @Test
  void aDeadlineWithdrawsAQueuedCallAndEndsFailed() {
    try (var f = new ReconcilerFixture(o -> {}, 100, Duration.ofSeconds(2), 3)) {
      f.create("a", f.servers(0, 5), spec -> spec.setActiveDeadlineSeconds(5L));
      f.passNoWait("a");
      f.clock.advance(Duration.ofSeconds(6));
      f.passNoWait("a");
      f.awaitIdle();

      var status = f.api.get("a").getStatus();
      assertThat(status.getPhase()).isEqualTo(Phase.Failed);
      assertThat(Conditions.find(status.getConditions(), "Failed").orElseThrow().getReason())
          .isEqualTo(Reason.DEADLINE_EXCEEDED);
      assertThat(f.cloud.submissions()).isEmpty();
    }
  }

  @Test
  void aDryRunLooksServersUpAndCallsNothing() {
    try (var f = new ReconcilerFixture(o -> {})) {
      List<String> servers = new ArrayList<>(f.servers(0, 3));
      servers.add("00000000-0000-4000-8000-000000000001");
      f.create("a", servers, spec -> spec.setDryRun(true));

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Failed);
      assertThat(status.getFailureCounts()).containsEntry("BMS.0040", 1);
      assertThat(f.cloud.submissions()).isEmpty();
    }
  }

  @Test
  void twoResourcesNamingOneServerTakeTurnsAndTheLaterSaysWhom() {
    try (var f = new ReconcilerFixture(o -> o.jobDuration = Duration.ofSeconds(5))) {
      f.create("first", f.servers(0, 5), spec -> {});
      f.create("second", f.servers(4, 8), spec -> {});
      f.pass("second");
      f.pass("first");
      f.pass("second");

      var waiting = f.api.get("second").getStatus();
      assertThat(waiting.getPhase()).isEqualTo(Phase.Pending);
      assertThat(Conditions.find(waiting.getConditions(), "Progressing").orElseThrow().getMessage())
          .contains("ns/first");
      assertThat(f.cloud.submissions()).hasSize(5);

      assertThat(f.runToEnd("first").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.runToEnd("second").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.events.count("second", Reason.WAITING_FOR_OTHER_ACTION)).isOne();
      assertThat(f.cloud.submissions().get(f.servers(4, 5).get(0))).isEqualTo(2);
    }
  }

  @Test
  void anUnexpectedErrorBecomesAConditionNotASilentRetry() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 2), spec -> {});
      f.pass("a");

      var control =
          f.reconciler.updateErrorStatus(f.api.get("a"), null, new IllegalStateException("boom"));

      var reconciling =
          Conditions.find(f.api.get("a").getStatus().getConditions(), "Reconciling").orElseThrow();
      assertThat(reconciling.getReason()).isEqualTo(Reason.RECONCILE_ERROR);
      assertThat(reconciling.getMessage()).contains("boom");
      assertThat(control.isNoRetry()).isFalse();
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
    }
  }

  @Test
  void aCallNeverNamesAServerTwiceEvenWhenTwoResourcesSlipPastTheOverlapGuard() {
    try (var f = new ReconcilerFixture(o -> {}, 100, Duration.ofMillis(500), 3)) {
      f.create("first", f.servers(0, 5), spec -> {});
      f.create("second", f.servers(4, 8), spec -> {});

      f.passAlone("first");
      f.passAlone("second");
      f.awaitIdle();

      assertThat(f.cloud.actionCalls()).isEqualTo(2);
      assertThat(f.cloud.requests("submit 400")).isZero();
    }
  }

  @Test
  void aServerMissingFromAFinishedJobIsJudgedByItsStateNotResubmittedBlindly() {
    try (var f = new ReconcilerFixture(o -> {})) {
      String hidden = f.servers(0, 1).get(0);
      f.client = new HidingSubJob(f.cloud, hidden);
      f.create("a", f.servers(0, 5), spec -> {});

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void aCloudErrorWhileRecoveringBecomesAConditionNotAnException() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.cloud.dropNextSubmitAnswer();
      f.pass("a");
      f.pass("a");
      f.clock.advance(ReconcilerFixture.SENT_CALL_GRACE.plusSeconds(1));
      f.cloud.throttleQueries(true);

      f.pass("a");

      var progressing =
          Conditions.find(f.api.get("a").getStatus().getConditions(), "Progressing").orElseThrow();
      assertThat(progressing.getReason()).isEqualTo(Reason.CLOUD_UNAVAILABLE);
      f.cloud.throttleQueries(false);
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void aRefusalOfRotatedCredentialsIsNotChargedToTheNewSecret() {
    try (var f = new ReconcilerFixture(o -> {}, 100, Duration.ofSeconds(1), 3)) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.cloud.failNextSubmit(
          new CloudException(
              401,
              "APIG.0301",
              "Incorrect IAM authentication information",
              null,
              ErrorClass.CREDENTIALS,
              null,
              null));
      f.passNoWait("a");
      f.secretVersion = "2";
      f.awaitIdle();

      f.pass("a");

      var status = f.api.get("a").getStatus();
      assertThat(
              Conditions.find(status.getConditions(), "CredentialsValid").orElseThrow().getStatus())
          .isEqualTo("True");
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
    }
  }

  @Test
  void aSignatureRefusedForTheClockSaysClockAndIsNotPinnedOnTheSecret() {
    try (var f = new ReconcilerFixture(o -> {}, 100, Duration.ofSeconds(1), 3)) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.cloud.failNextSubmit(
          new CloudException(
              401,
              "APIG.0301",
              "Incorrect IAM authentication information: verify aksk signature fail,"
                  + " signature expired",
              null,
              ErrorClass.CREDENTIALS,
              null,
              null));
      f.passNoWait("a");
      f.awaitIdle();
      f.pass("a");

      var condition =
          Conditions.find(f.api.get("a").getStatus().getConditions(), "CredentialsValid")
              .orElseThrow();
      assertThat(condition.getReason()).isEqualTo("ClockSkew");
      assertThat(condition.getMessage()).contains("clock").contains("not the problem");
      assertThat(f.events.all).anySatisfy(e -> assertThat(e.reason()).isEqualTo("ClockSkew"));

      // The same Secret works once the clocks agree: nothing waits for it to change.
      assertThat(f.runToEnd("a").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
    }
  }

  @Test
  void whileTheActionBudgetIsSpentTheCallWaitsQueuedAndSuspendStillWithdrawsIt() {
    try (var f = new ReconcilerFixture(o -> {})) {
      f.create("a", f.servers(0, 5), spec -> {});
      f.cloud.failNextSubmit(CloudException.throttledLocally("submit", Duration.ofSeconds(2)));
      long started = System.nanoTime();
      f.passNoWait("a");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> f.cloud.submissions().isEmpty());

      f.edit(
          "a",
          r -> {
            r.getSpec().setSuspend(true);
            return r;
          });
      f.passNoWait("a");

      assertThat(f.phase("a")).isEqualTo(Phase.Suspended);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(4))
          .until(() -> f.cloud.submissions().isEmpty());
      f.pass("a");
      assertThat(f.api.get("a").getStatus().getBatches().get(0).getState())
          .isEqualTo(BatchState.Pending);
    }
  }

  /** The cloud's job answers leave one server out. */
  private record HidingSubJob(BmsClient delegate, String hidden) implements BmsClient {
    @Override
    public String submit(CloudAction action, List<String> serverIds) {
      return delegate.submit(action, serverIds);
    }

    @Override
    public Job getJob(String jobId) {
      Job job = delegate.getJob(jobId);
      return new Job(
          job.jobId(),
          job.status(),
          job.jobType(),
          job.subJobs().stream().filter(s -> !hidden.equalsIgnoreCase(s.serverId())).toList(),
          job.errorCode(),
          job.failReason(),
          job.beginTime(),
          job.endTime());
    }

    @Override
    public ServerDetails getServer(String serverId) {
      return delegate.getServer(serverId);
    }

    @Override
    public ServerPage listServers(int page, int limit) {
      return delegate.listServers(page, limit);
    }
  }
}
