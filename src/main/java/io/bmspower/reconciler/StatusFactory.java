package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.Optional;

/**
 * The one place conditions and the phase are set, each stamped with the generation it was computed
 * for and the pass's clock. A condition's lastTransitionTime changes only when its status does, so
 * an unchanged pass leaves the status untouched.
 */
final class StatusFactory {

  private final BareMetalPowerActionStatus status;
  private final long generation;
  private final Instant now;

  StatusFactory(BareMetalPowerActionStatus status, long generation, Instant now) {
    this.status = status;
    this.generation = generation;
    this.now = now;
    status.setObservedGeneration(generation);
  }

  /** Every condition says it reflects this generation (a finished resource's mutable fields). */
  void restamp() {
    status.getConditions().forEach(c -> c.setObservedGeneration(generation));
  }

  void accepted(String message) {
    set(ConditionType.Accepted, true, Reason.ACCEPTED, message);
  }

  /** The namespace's policies permit this action (checked once, before any action call). */
  void permitted(String reason, String message) {
    set(ConditionType.Permitted, true, reason, message);
  }

  boolean isPermitted() {
    return find(ConditionType.Permitted).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  void notPermitted(String message) {
    set(ConditionType.Permitted, false, Reason.NOT_PERMITTED, message);
  }

  void cloudSettingsMissing(String message) {
    set(ConditionType.Accepted, false, Reason.CLOUD_SETTINGS_MISSING, message);
    waitingForAPerson(Reason.CLOUD_SETTINGS_MISSING, message);
  }

  void credentialsValid(String message) {
    set(ConditionType.CredentialsValid, true, Reason.CREDENTIALS_RESOLVED, message);
  }

  /** Missing, incomplete or refused credentials: nothing moves until a person fixes them. */
  void credentialsInvalid(String reason, String message) {
    set(ConditionType.CredentialsValid, false, reason, message);
    waitingForAPerson(reason, message);
  }

  boolean credentialsInvalidFor(String reason) {
    return find(ConditionType.CredentialsValid)
        .map(c -> "False".equals(c.getStatus()) && reason.equals(c.getReason()))
        .orElse(false);
  }

  /** Submitting or polling, or waiting for a retry, the budget or another resource. */
  void inProgress(String reason, String message, boolean started) {
    status.setPhase(started ? Phase.Running : Phase.Pending);
    set(ConditionType.Progressing, true, reason, message);
    set(ConditionType.Suspended, false, Reason.NOT_SUSPENDED, "spec.suspend is false");
    unfinished(reason, message);
  }

  /** Cloud trouble the operator retries by itself (5xx, throttling, network). */
  void cloudUnavailable(String message) {
    set(ConditionType.Progressing, true, Reason.CLOUD_UNAVAILABLE, message);
    unfinished(Reason.CLOUD_UNAVAILABLE, message);
    if (status.getPhase() == null) {
      status.setPhase(Phase.Pending);
    }
  }

  void suspended(String message, boolean jobsRunning) {
    status.setPhase(Phase.Suspended);
    set(ConditionType.Suspended, true, Reason.SUSPENDED_BY_SPEC, message);
    set(
        ConditionType.Progressing,
        jobsRunning,
        jobsRunning ? Reason.JOBS_RUNNING : Reason.SUSPENDED,
        message);
    unfinished(Reason.SUSPENDED, message);
  }

  boolean isSuspended() {
    return find(ConditionType.Suspended).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  void finished(Phase phase, String reason, String message) {
    status.setPhase(phase);
    status.setCompletionTime(Rfc3339.format(now));
    boolean succeeded = phase == Phase.Succeeded;
    set(ConditionType.Ready, succeeded, reason, message);
    set(ConditionType.Reconciling, false, reason, message);
    set(ConditionType.Stalled, !succeeded, reason, message);
    set(ConditionType.Progressing, false, reason, message);
    set(ConditionType.Complete, phase != Phase.Failed, reason, message);
    set(ConditionType.Failed, !succeeded, reason, message);
    set(ConditionType.Suspended, false, Reason.FINISHED, "the action has ended");
  }

  /** An unexpected error in a pass: reported, retried by the next pass. */
  void reconcileError(String message) {
    set(ConditionType.Reconciling, true, Reason.RECONCILE_ERROR, message);
    set(ConditionType.Ready, false, Reason.RECONCILE_ERROR, message);
    if (status.getPhase() == null) {
      status.setPhase(Phase.Pending);
    }
  }

  private void waitingForAPerson(String reason, String message) {
    set(ConditionType.Progressing, false, reason, message);
    set(ConditionType.Ready, false, reason, message);
    set(ConditionType.Reconciling, false, reason, message);
    set(ConditionType.Stalled, true, reason, message);
    if (status.getPhase() == null) {
      status.setPhase(Phase.Pending);
    }
  }

  private void unfinished(String reason, String message) {
    set(ConditionType.Ready, false, Reason.IN_PROGRESS, status.getProgress() + " servers done");
    set(ConditionType.Reconciling, true, reason, message);
    set(ConditionType.Stalled, false, reason, message);
    set(ConditionType.Complete, false, Reason.IN_PROGRESS, status.getProgress() + " servers done");
    set(
        ConditionType.Failed,
        false,
        Reason.IN_PROGRESS,
        status.getFailed() + " server(s) failed so far");
  }

  Optional<Condition> find(ConditionType type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type.name())).findFirst();
  }

  private void set(ConditionType type, boolean value, String reason, String message) {
    new StampedConditions(status.getConditions(), generation, now, StatusFactory::order)
        .set(type.name(), value, reason, message);
  }

  private static int order(String type) {
    try {
      return ConditionType.valueOf(type).ordinal();
    } catch (IllegalArgumentException e) {
      return Integer.MAX_VALUE;
    }
  }
}
