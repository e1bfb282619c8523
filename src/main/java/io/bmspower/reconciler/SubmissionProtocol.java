package io.bmspower.reconciler;

import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.ErrorClassifier;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The write-ahead protocol of action calls. A pass records the intent (state Submitting) in its
 * status write; only after that write are the calls handed to the {@link SubmissionCoalescer}.
 * Their outcomes stay there until a later write records them. An intent this instance knows nothing
 * about (a crash, a restart) is resolved from the servers' real state after a grace period: only
 * servers provably not acted on are submitted again.
 */
final class SubmissionProtocol {

  private final SubmissionCoalescer calls;
  private final Duration grace;
  private final Duration unknownIntentGrace;
  private final String identity;
  private final ReconcileHooks hooks;

  /** Refusals per attempt (uid/index/attempt) for the backoff; in memory only. */
  private final Map<CallTicket, Integer> refusals = new ConcurrentHashMap<>();

  /** Namespace -> its weight in the action budget's fair share. */
  private final java.util.function.ToIntFunction<String> shares;

  SubmissionProtocol(
      SubmissionCoalescer calls,
      ReconcilerSettings settings,
      ReconcileHooks hooks,
      java.util.function.ToIntFunction<String> shares) {
    this.calls = calls;
    this.shares = shares;
    this.grace = settings.sentCallGrace();
    this.unknownIntentGrace = settings.unknownIntentGrace();
    this.identity = settings.identity();
    this.hooks = hooks;
  }

  /**
   * Records the outcomes of calls made for this resource. Returns the cloud's refusal of the
   * current credentials, if that is what came back, for the caller to report.
   */
  CloudException collect(Pass pass, CloudTargetResolver.Resolution target) {
    CloudException refusedCredentials = null;
    BatchLedger ledger = pass.ledger();
    for (BatchAttempt a : ledger.awaitingOutcome()) {
      CallTicket ticket = ticket(pass, a);
      CallOutcome outcome = calls.outcome(ticket).orElse(null);
      if (outcome == null) {
        continue;
      }
      if (outcome.withdrawn()) {
        ledger.withdrawn(a);
      } else if (outcome.jobId() != null) {
        pass.afterWrite(() -> refusals.remove(ticket));
        ledger.accepted(a, outcome.jobId(), outcome.participants(), outcome.sentAt());
        pass.afterWrite(() -> hooks.at(ReconcileHooks.Point.AFTER_JOB_ID));
      } else {
        CloudException e = outcome.error();
        if (e.errorClass() == ErrorClass.CREDENTIALS
            && !java.util.Objects.equals(outcome.secretVersion(), target.secretVersion())) {
          // Made with credentials the Secret no longer holds: try again with the new ones.
          ledger.withdrawn(a);
        } else if (ErrorClassifier.stateRefusal(e.httpStatus(), e.code())) {
          var states = ServerDirectory.lookup(target.client(), ledger.servers(a));
          ledger.refusals().stateRefused(a, states, e);
        } else if (e.errorClass() == ErrorClass.SERVER_TERMINAL) {
          var existing = ServerDirectory.lookup(target.client(), ledger.servers(a));
          ledger.refusals().leaveOutUnknown(a, new HashSet<>(existing.keySet()), e);
        } else {
          // Counted once written: a pass redone after a conflict does not count it again.
          ledger.refused(a, e, refusals.getOrDefault(ticket, 0), outcome.sentAt(), grace);
          pass.afterWrite(() -> refusals.merge(ticket, 1, Integer::sum));
          if (e.errorClass() == ErrorClass.CREDENTIALS) {
            refusedCredentials = e;
          }
        }
      }
      // Only once applied: a lookup that throws above leaves the outcome for the next pass.
      pass.afterWrite(() -> calls.acknowledge(ticket));
    }
    return refusedCredentials;
  }

  /**
   * Intents this process does not know (an earlier process's, another instance's) once no call for
   * them can still be under way, and calls made without an answer a grace period after they were
   * made: the servers' state decides.
   */
  void recover(Pass pass, CloudTargetResolver.Resolution target) {
    BatchLedger ledger = pass.ledger();
    for (BatchAttempt a : ledger.awaitingOutcome()) {
      if (calls.pending(ticket(pass, a)) || pass.now().isBefore(recoverableAt(a))) {
        continue;
      }
      ledger.recovered(
          a,
          ServerDirectory.lookup(target.client(), ledger.servers(a)),
          a.sent()
              ? "no answer to the action call"
              : "no outcome recorded for the intent of " + a.holder());
    }
  }

  /** Takes back calls not yet made (suspend, deadline, deletion). */
  void withdraw(Pass pass) {
    for (BatchAttempt a : pass.ledger().awaitingOutcome()) {
      CallTicket ticket = ticket(pass, a);
      if (calls.withdraw(ticket)) {
        pass.ledger().withdrawn(a);
        pass.afterWrite(() -> calls.acknowledge(ticket));
      }
    }
  }

  /**
   * Records the intent for the next due batch once its call holds a permit of the action budget;
   * its call goes out once the status is written. One request of a resource waits in the queue at a
   * time (a call carries at most one batch of a resource anyway). Returns how long until the budget
   * frees a permit, or null when there is nothing to wait for.
   */
  Duration startDue(Pass pass, CloudTargetResolver.Resolution target, int maxActive) {
    if (calls.queuedFor(pass.uid())) {
      return null;
    }
    var key =
        new CallKey(
            target.target().endpoint(),
            target.credentials(),
            CloudActions.of(pass.spec().getAction()));
    int limit = Math.min(maxActive, pass.ledger().active() + 1);
    int size = pass.ledger().dueSize(limit);
    if (size == 0) {
      return null;
    }
    // The budget's permit before the intent: a recorded intent never waits for the budget.
    String namespace = pass.resource().getMetadata().getNamespace();
    Integer priority = pass.spec().getPriority();
    var claim =
        new FairShare.Claim(
            pass.uid(), namespace, shares.applyAsInt(namespace), priority == null ? 0 : priority);
    Duration budget = calls.admit(key, claim, size, target.client());
    if (!budget.isZero()) {
      return budget;
    }
    // Reboot: the baseline in the cloud's clock, read before the intent (a failed read throws:
    // the pass is retried later and no intent is recorded).
    String baseline =
        key.action() == CloudAction.REBOOT
            ? RebootBaseline.read(target.client(), pass.ledger().dueServers(limit))
            : null;
    Holder holder = new Holder(identity, calls.gate().epoch());
    for (BatchAttempt a : pass.ledger().startDue(limit, holder)) {
      a.baseline(baseline);
      pass.intentRecorded();
      CallTicket ticket = ticket(pass, a);
      var servers = pass.ledger().servers(a);
      // The time recorded in status (whole seconds), so every instance counts from the same one.
      Instant intentAt = pass.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      pass.afterWrite(
          () -> {
            hooks.at(ReconcileHooks.Point.AFTER_INTENT);
            calls.enqueue(key, ticket, servers, target.client(), target.secretVersion(), intentAt);
          });
    }
    return null;
  }

  /** This pass asks the budget for nothing: it leaves the fair share's queue. */
  void notWaitingForBudget(Pass pass) {
    calls.notWaitingForBudget(pass.uid());
  }

  /** A call of this resource is queued or in flight: the next pass should come soon. */
  boolean awaitingCall(Pass pass) {
    return pass.ledger().awaitingOutcome().stream().anyMatch(a -> calls.pending(ticket(pass, a)));
  }

  /**
   * When an intent without an outcome may be recovered: a grace after a call this process made; the
   * intent's bound after an intent of its own; and for an intent of another holder or term, the
   * bound counted from the later of the intent and the moment this instance took the Lease (so from
   * after that holder's Lease expired: it cannot have started a call since).
   */
  Instant recoverableAt(BatchAttempt a) {
    if (a.sent()) {
      return a.submittedAt().plus(grace);
    }
    Instant from = a.submittedAt();
    Instant leading = calls.gate().leadingSince();
    if (leading != null
        && leading.isAfter(from)
        && !a.holder().sameAs(new Holder(identity, calls.gate().epoch()))) {
      from = leading;
    }
    return from.plus(unknownIntentGrace);
  }

  void forget(Pass pass) {
    calls.forget(pass.uid());
    refusals.keySet().removeIf(t -> t.uid().equals(pass.uid()));
  }

  private static CallTicket ticket(Pass pass, BatchAttempt a) {
    return new CallTicket(pass.uid(), a.index(), a.attempt());
  }
}
