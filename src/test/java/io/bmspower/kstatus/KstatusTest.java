package io.bmspower.kstatus;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.Kstatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What kstatus (cli-utils v0.37.2, behind Flux health checks and kstatus-based waits) reads from
 * each phase's status. kstatus.Compute, in order: a deletionTimestamp is Terminating;
 * status.observedGeneration != metadata.generation is InProgress (conditions' own
 * observedGeneration is not read); then the first condition that is Reconciling=True (InProgress)
 * or Stalled=True (Failed), in list order; then Ready: True is Current, False or Unknown
 * InProgress; otherwise Current. Condition types it does not know, such as ours from before
 * (Complete, Failed, ...), are ignored for a CRD: the rules on Job's Complete/Failed apply to
 * batch/Job only.
 */
class KstatusTest {

  static final long GENERATION = 3;

  @Test
  void pendingIsInProgress() throws Exception {
    assertThat(kstatus(Statuses.pending()).status()).isEqualTo("InProgress");
  }

  @Test
  void runningIsInProgress() throws Exception {
    assertThat(kstatus(Statuses.running()).status()).isEqualTo("InProgress");
  }

  @Test
  void waitingBehindAnotherResourceIsInProgress() throws Exception {
    assertThat(kstatus(Statuses.waitingBehindAnotherResource()).status()).isEqualTo("InProgress");
  }

  @Test
  void suspendedIsInProgress() throws Exception {
    assertThat(kstatus(Statuses.suspended()).status()).isEqualTo("InProgress");
  }

  @Test
  void succeededIsCurrent() throws Exception {
    assertThat(kstatus(Statuses.succeeded()))
        .isEqualTo(new Kstatus.Result("Current", "Resource is Ready", null));
  }

  @Test
  void failedAndPartiallySucceededAreFailedWithTheStalledMessage() throws Exception {
    assertThat(kstatus(Statuses.failed()))
        .isEqualTo(new Kstatus.Result("Failed", "0 of 3 servers done, 3 failed", null));
    assertThat(kstatus(Statuses.partiallySucceeded()))
        .isEqualTo(new Kstatus.Result("Failed", "20 of 25 servers done, 5 failed", null));
  }

  @Test
  void waitingForAPersonIsFailed() throws Exception {
    // Flux shows the message, so it should say what the person has to do.
    assertThat(kstatus(Statuses.secretNotFound()))
        .isEqualTo(new Kstatus.Result("Failed", "Secret bms-credentials does not exist", null));
    assertThat(kstatus(Statuses.credentialsRefused()).status()).isEqualTo("Failed");
    assertThat(kstatus(Statuses.cloudSettingsMissing()).status()).isEqualTo("Failed");
  }

  @Test
  void aStatusForAnOlderGenerationIsInProgress() throws Exception {
    var stale = Statuses.succeeded();
    stale.setObservedGeneration(GENERATION - 1);
    assertThat(kstatus(stale).status()).isEqualTo("InProgress");
  }

  @Test
  void conditionsObservedGenerationAloneIsNotRead() throws Exception {
    // Only status.observedGeneration is compared: without it, an old Ready=True counts as Current.
    var stale = Statuses.succeeded();
    stale.setObservedGeneration(null);
    stale.getConditions().forEach(c -> c.setObservedGeneration(GENERATION - 1));
    assertThat(kstatus(stale).status()).isEqualTo("Current");
  }

  @Test
  void noStatusYetIsCurrent() throws Exception {
    // No observedGeneration and no condition to read: kstatus' last rule assumes a resource without
    // known conditions is Current. A Flux health check may pass before the operator's first write.
    assertThat(kstatus(null)).isEqualTo(new Kstatus.Result("Current", "Resource is current", null));
  }

  @Test
  void beingDeletedIsTerminating() throws Exception {
    // The finalizer keeps a deleted resource while its jobs are withdrawn; kstatus says so first.
    var resource = resource(Statuses.running());
    resource.getMetadata().setDeletionTimestamp("2026-11-27T12:05:00Z");
    assertThat(Kstatus.compute(resource).status()).isEqualTo("Terminating");
  }

  private static Kstatus.Result kstatus(BareMetalPowerActionStatus status) throws Exception {
    return Kstatus.compute(resource(status));
  }

  private static BareMetalPowerAction resource(BareMetalPowerActionStatus status) {
    // apiVersion and kind come from the type's annotations; kstatus reads the group and kind.
    var resource = new BareMetalPowerAction();
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName("r")
            .withNamespace("ns")
            .withGeneration(GENERATION)
            .build());
    resource.setStatus(status);
    return resource;
  }

  /**
   * Statuses per phase with the conditions the operator will set: Ready, Reconciling and Stalled
   * (kstatus' own types) after the older ones, so those come first in the list as a worst case.
   */
  static final class Statuses {

    static BareMetalPowerActionStatus pending() {
      return inProgress(Phase.Pending, "WaitingToSubmit", "10 servers waiting to be submitted");
    }

    static BareMetalPowerActionStatus running() {
      return inProgress(Phase.Running, "JobsRunning", "500 of 2500 servers done");
    }

    static BareMetalPowerActionStatus waitingBehindAnotherResource() {
      return inProgress(Phase.Pending, "WaitingForServers", "servers busy in ns/other");
    }

    static BareMetalPowerActionStatus suspended() {
      return status(
          Phase.Suspended,
          old("Accepted", true),
          old("CredentialsValid", true),
          old("Progressing", false),
          old("Complete", false),
          old("Failed", false),
          old("Suspended", true),
          condition("Ready", false, "InProgress", "suspended at 0 of 10 servers"),
          condition("Reconciling", true, "Suspended", "spec.suspend is true"),
          condition("Stalled", false, "Suspended", ""));
    }

    static BareMetalPowerActionStatus succeeded() {
      return status(
          Phase.Succeeded,
          old("Accepted", true),
          old("CredentialsValid", true),
          old("Progressing", false),
          old("Complete", true),
          old("Failed", false),
          old("Suspended", false),
          condition("Ready", true, "AllServersDone", "2500 of 2500 servers done"),
          condition("Reconciling", false, "AllServersDone", ""),
          condition("Stalled", false, "AllServersDone", ""));
    }

    static BareMetalPowerActionStatus partiallySucceeded() {
      return terminalFailure(Phase.PartiallySucceeded, "20 of 25 servers done, 5 failed");
    }

    static BareMetalPowerActionStatus failed() {
      return terminalFailure(Phase.Failed, "0 of 3 servers done, 3 failed");
    }

    static BareMetalPowerActionStatus secretNotFound() {
      return waitingForAPerson(
          Phase.Pending,
          "CredentialsValid",
          "SecretNotFound",
          "Secret bms-credentials does not exist");
    }

    static BareMetalPowerActionStatus credentialsRefused() {
      return waitingForAPerson(
          Phase.Running,
          "CredentialsValid",
          "CredentialsRejected",
          "the cloud refused the credentials: APIG.0303 Incorrect IAM authentication");
    }

    static BareMetalPowerActionStatus cloudSettingsMissing() {
      return waitingForAPerson(
          Phase.Pending, "Accepted", "CloudSettingsMissing", "spec.cloud.endpoint is not set");
    }

    private static BareMetalPowerActionStatus inProgress(
        Phase phase, String reason, String message) {
      return status(
          phase,
          old("Accepted", true),
          old("CredentialsValid", true),
          old("Progressing", true),
          old("Complete", false),
          old("Failed", false),
          old("Suspended", false),
          condition("Ready", false, "InProgress", message),
          condition("Reconciling", true, reason, message),
          condition("Stalled", false, reason, ""));
    }

    private static BareMetalPowerActionStatus terminalFailure(Phase phase, String message) {
      return status(
          phase,
          old("Accepted", true),
          old("CredentialsValid", true),
          old("Progressing", false),
          old("Complete", phase == Phase.PartiallySucceeded),
          condition("Failed", true, "SomeServersFailed", message),
          old("Suspended", false),
          condition("Ready", false, "SomeServersFailed", message),
          condition("Reconciling", false, "SomeServersFailed", ""),
          condition("Stalled", true, "SomeServersFailed", message));
    }

    /** Blocked until someone fixes a Secret or the spec: Stalled, not Reconciling. */
    private static BareMetalPowerActionStatus waitingForAPerson(
        Phase phase, String olderType, String reason, String message) {
      var status =
          status(
              phase,
              old("Accepted", true),
              old("CredentialsValid", true),
              old("Progressing", false),
              old("Complete", false),
              old("Failed", false),
              old("Suspended", false),
              condition("Ready", false, reason, message),
              condition("Reconciling", false, reason, ""),
              condition("Stalled", true, reason, message));
      status
          .getConditions()
          .replaceAll(
              c ->
                  c.getType().equals(olderType) ? condition(olderType, false, reason, message) : c);
      return status;
    }

    private static BareMetalPowerActionStatus status(Phase phase, Condition... conditions) {
      var status = new BareMetalPowerActionStatus();
      status.setObservedGeneration(GENERATION);
      status.setPhase(phase);
      status.setConditions(new ArrayList<>(List.of(conditions)));
      return status;
    }

    /** One of the older condition types, which kstatus should not read. */
    private static Condition old(String type, boolean value) {
      return condition(type, value, type, "");
    }

    private static Condition condition(String type, boolean value, String reason, String message) {
      return new ConditionBuilder()
          .withType(type)
          .withStatus(value ? "True" : "False")
          .withReason(reason)
          .withMessage(message)
          .withObservedGeneration(GENERATION)
          .withLastTransitionTime("2026-11-27T12:00:00Z")
          .build();
    }
  }
}
