package io.bmspower.reconciler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link SubmissionCoalescer}'s bookkeeping of tickets: queued (per call key), in flight, or
 * answered and not yet acknowledged; every ticket is in at most one of these. A ticket in flight
 * whose resource is gone is discarded: its late answer is dropped. Also when a key may send again
 * after the budget refused its call. Not thread-safe; guarded by the coalescer's lock: every method
 * is called with it held.
 */
final class TicketBook {

  private final Map<CallKey, ArrayDeque<QueuedRequest>> queues = new HashMap<>();
  private final Set<CallTicket> inFlight = new HashSet<>();
  private final Map<CallTicket, CallOutcome> outcomes = new HashMap<>();
  private final Set<CallTicket> discarded = new HashSet<>();
  private final Map<CallKey, Long> notBefore = new HashMap<>();

  /** The requests waiting for a call of this key, oldest first; empty if none. */
  ArrayDeque<QueuedRequest> queue(CallKey key) {
    return queues.getOrDefault(key, new ArrayDeque<>());
  }

  void enqueue(CallKey key, QueuedRequest request) {
    queues.computeIfAbsent(key, k -> new ArrayDeque<>()).add(request);
  }

  /** Queued, in flight, or answered but not yet acknowledged. */
  boolean pending(CallTicket ticket) {
    return inFlight.contains(ticket) || outcomes.containsKey(ticket) || queued(ticket) != null;
  }

  Optional<CallOutcome> outcome(CallTicket ticket) {
    return Optional.ofNullable(outcomes.get(ticket));
  }

  void acknowledge(CallTicket ticket) {
    outcomes.remove(ticket);
  }

  /** Withdraws a queued ticket (its outcome: withdrawn); false when it is not queued. */
  boolean withdraw(CallTicket ticket) {
    QueuedRequest r = queued(ticket);
    if (r == null) {
      return false;
    }
    queues.values().forEach(q -> q.remove(r));
    outcomes.put(ticket, withdrawnOutcome(r));
    return true;
  }

  /** The resource is gone: drop what is queued and answered, discard what is in flight. */
  void forget(String uid) {
    queues.values().forEach(q -> q.removeIf(r -> r.ticket().uid().equals(uid)));
    outcomes.keySet().removeIf(t -> t.uid().equals(uid));
    inFlight.stream().filter(t -> t.uid().equals(uid)).forEach(discarded::add);
  }

  boolean queuedFor(String uid) {
    return queues.values().stream()
        .anyMatch(q -> q.stream().anyMatch(r -> r.ticket().uid().equals(uid)));
  }

  /** Nothing queued or in flight. */
  boolean idle() {
    return inFlight.isEmpty() && queues.values().stream().allMatch(ArrayDeque::isEmpty);
  }

  /** How long, from {@code nowNanos}, the key must wait before its next call; 0 or less: none. */
  long waitNanos(CallKey key, long nowNanos) {
    return notBefore.getOrDefault(key, nowNanos) - nowNanos;
  }

  /** Takes the next call out of the key's queue; its tickets are in flight from now. */
  List<QueuedRequest> takeCall(CallKey key, int maxParticipants) {
    List<QueuedRequest> call = QueuedRequest.pack(queues.get(key), maxParticipants);
    call.forEach(r -> inFlight.add(r.ticket()));
    return call;
  }

  /** The requests were not sent: withdrawn, unless their resource is gone. */
  void withdrawn(List<QueuedRequest> requests) {
    for (QueuedRequest r : requests) {
      if (landed(r)) {
        outcomes.put(r.ticket(), withdrawnOutcome(r));
      }
    }
  }

  /** The call was answered: each participant's outcome, unless its resource is gone. */
  void record(List<QueuedRequest> call, CallOutcome outcome) {
    for (QueuedRequest r : call) {
      if (landed(r)) {
        outcomes.put(
            r.ticket(),
            new CallOutcome(
                outcome.jobId(),
                outcome.error(),
                false,
                outcome.participants(),
                outcome.sentAt(),
                r.secretVersion()));
      }
    }
  }

  /**
   * The call was not made, or must be made per participant: back to the head of the queue (not
   * before {@code after}, when positive), unless their resource is gone.
   */
  void requeue(CallKey key, List<QueuedRequest> call, boolean solo, Duration after) {
    ArrayDeque<QueuedRequest> queue = queues.computeIfAbsent(key, k -> new ArrayDeque<>());
    for (int i = call.size() - 1; i >= 0; i--) {
      QueuedRequest r = call.get(i);
      if (landed(r)) {
        queue.addFirst(solo ? r.asSolo() : r);
      }
    }
    if (!after.isZero() && !after.isNegative()) {
      notBefore.put(key, System.nanoTime() + after.toNanos());
    }
  }

  /** The request is no longer in flight; false when its resource is gone (it is dropped). */
  private boolean landed(QueuedRequest r) {
    inFlight.remove(r.ticket());
    return !discarded.remove(r.ticket());
  }

  private QueuedRequest queued(CallTicket ticket) {
    for (ArrayDeque<QueuedRequest> queue : queues.values()) {
      for (QueuedRequest r : queue) {
        if (r.ticket().equals(ticket)) {
          return r;
        }
      }
    }
    return null;
  }

  private static CallOutcome withdrawnOutcome(QueuedRequest r) {
    return new CallOutcome(null, null, true, 0, null, r.secretVersion());
  }
}
