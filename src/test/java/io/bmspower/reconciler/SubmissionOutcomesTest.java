package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every answer an action call can get, with the call made for one resource alone and merged with an
 * innocent one: each server is submitted at most once per attempt, the innocent resource's fate is
 * its own, and the final status is true.
 */
class SubmissionOutcomesTest {

  private static final List<String> UNKNOWN =
      List.of("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002");

  /**
   * One way a call can go: the fault, and how the resource under test must end when its call was
   * made alone and when it was merged with the innocent one.
   */
  record Case(
      String name,
      Consumer<ReconcilerFixture> fault,
      boolean withUnknownServers,
      boolean rotateSecret,
      Phase alone,
      int failedAlone,
      Phase merged,
      int failedMerged) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    List<Case> cases =
        List.of(
            new Case("accepted", f -> {}, false, false, Phase.Succeeded, 0, Phase.Succeeded, 0),
            new Case(
                "throttled with a Retry-After",
                f ->
                    f.cloud.failNextSubmit(
                        error(429, "APIG.0308", ErrorClass.RETRYABLE, Duration.ofMinutes(2))),
                false,
                false,
                Phase.Succeeded,
                0,
                Phase.Succeeded,
                0),
            new Case(
                "server error",
                f -> f.cloud.failNextSubmit(error(500, "BMS.9999", ErrorClass.RETRYABLE, null)),
                false,
                false,
                Phase.Succeeded,
                0,
                Phase.Succeeded,
                0),
            new Case(
                "overloaded",
                f -> f.cloud.failNextSubmit(error(400, "BMS.0212", ErrorClass.RETRYABLE, null)),
                false,
                false,
                Phase.Succeeded,
                0,
                Phase.Succeeded,
                0),
            new Case(
                "no answer after sending",
                f -> f.cloud.dropNextSubmitAnswer(),
                false,
                false,
                Phase.Succeeded,
                0,
                Phase.Succeeded,
                0),
            new Case(
                "unknown servers",
                f -> {},
                true,
                false,
                Phase.PartiallySucceeded,
                2,
                Phase.PartiallySucceeded,
                2),
            // Merged, the refusal is re-sent per participant, and the one-time fault has passed.
            new Case(
                "refused for its parameters",
                f -> f.cloud.failNextSubmit(error(400, "BMS.0018", ErrorClass.TERMINAL, null)),
                false,
                false,
                Phase.Failed,
                5,
                Phase.Succeeded,
                0),
            new Case(
                "credentials refused, then the Secret fixed",
                f -> f.cloud.failNextSubmit(error(401, "APIG.0301", ErrorClass.CREDENTIALS, null)),
                false,
                true,
                Phase.Succeeded,
                0,
                Phase.Succeeded,
                0),
            new Case(
                "already stopped", f -> {}, false, false, Phase.Succeeded, 0, Phase.Succeeded, 0));
    List<Arguments> all = new ArrayList<>();
    for (Case c : cases) {
      all.add(Arguments.of(c, false));
      all.add(Arguments.of(c, true));
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}, merged={1}")
  @MethodSource("cases")
  void eachServerAtMostOncePerAttemptAndATrueStatus(Case c, boolean merged) {
    Consumer<io.bmspower.simulator.SimulatorOptions> options =
        o -> o.stopped = c.name().equals("already stopped") ? o.servers : 0;
    try (var f =
        merged
            ? new ReconcilerFixture(options, 100, Duration.ofMillis(500), 3)
            : new ReconcilerFixture(options)) {
      List<String> servers = new ArrayList<>(f.servers(0, 5));
      if (c.withUnknownServers()) {
        servers = new ArrayList<>(f.servers(0, 3));
        servers.addAll(UNKNOWN);
      }
      f.create("a", servers, spec -> {});
      if (merged) {
        f.create("innocent", f.servers(10, 15), spec -> {});
      }
      c.fault().accept(f);

      f.passNoWait("a");
      if (merged) {
        f.passNoWait("innocent");
      }
      f.awaitIdle();
      f.pass("a");
      if (c.rotateSecret()) {
        assertThat(f.events.reasons("a")).contains(Reason.CREDENTIALS_REJECTED);
        f.secretVersion = "2";
      }
      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(merged ? c.merged() : c.alone());
      assertThat(status.getFailed()).isEqualTo(merged ? c.failedMerged() : c.failedAlone());
      assertThat(status.getSucceeded() + status.getFailed()).isEqualTo(5);
      if (c.withUnknownServers()) {
        assertThat(status.getFailedServers())
            .extracting(s -> s.getId())
            .containsExactlyInAnyOrderElementsOf(UNKNOWN);
      }
      if (merged) {
        var innocent = f.runToEnd("innocent").getStatus();
        assertThat(innocent.getPhase()).isEqualTo(Phase.Succeeded);
        assertThat(innocent.getFailedServers()).isEmpty();
      }
      if (merged && c.name().equals("accepted")) {
        assertThat(f.cloud.actionCalls()).as("both resources in one call").isOne();
      }
      assertThat(f.cloud.submissions()).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(f.cloud.submissions().keySet()).doesNotContainAnyElementsOf(UNKNOWN);
    }
  }

  @ParameterizedTest(name = "{0}, the call {1}")
  @org.junit.jupiter.params.provider.CsvSource({
    "Stop, took",
    "Stop, did not take",
    "Start, took",
    "Start, did not take",
    "Reboot, took",
    "Reboot, did not take"
  })
  void anUnansweredCallIsResolvedFromTheServersStateForEachAction(
      io.bmspower.api.v1alpha1.PowerAction action, String outcome) {
    boolean took = outcome.equals("took");
    try (var f =
        new ReconcilerFixture(
            o ->
                o.stopped = action == io.bmspower.api.v1alpha1.PowerAction.Start ? o.servers : 0)) {
      f.create("a", f.servers(0, 5), spec -> spec.setAction(action));
      if (took) {
        f.cloud.dropNextSubmitAnswer();
      } else {
        f.cloud.failNextSubmit(
            CloudException.network("submit", true, new java.io.IOException("reset")));
      }
      f.pass("a");
      f.pass("a");
      f.clock.advance(ReconcilerFixture.SENT_CALL_GRACE.plusSeconds(1));

      var status = f.runToEnd("a").getStatus();

      assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(f.cloud.submissions()).hasSize(5).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(f.cloud.actionCalls()).as("calls that created a job").isOne();
      assertThat(f.events.reasons("a"))
          .contains(Reason.SUBMISSION_UNANSWERED, Reason.SUBMISSION_RECOVERED);
      assertThat(status.getBatches().stream().anyMatch(b -> b.getAttempt() == 2))
          .as("a second attempt only when the first did not take")
          .isEqualTo(!took);
    }
  }

  private static CloudException error(int http, String code, ErrorClass cls, Duration retryAfter) {
    return new CloudException(http, code, "injected " + code, "req-1", cls, retryAfter, null);
  }
}
