package io.bmspower.reconciler;

import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.reconciler.ReconcileHooks.Point;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way an action call is made. QueuedRequests of different resources for the same (endpoint,
 * credentials, action) that are ready together go out as one call of up to 1,000 servers, never
 * naming a server twice; with merging off, every call has one participant. Each resource records
 * its intent before it joins; the outcome (job ID, error, or withdrawn) stays here until the
 * resource's status write has recorded it and {@link #acknowledge} is called. A merged call the
 * cloud refused without acting (an unknown server, a bad parameter) is re-sent per participant, so
 * one resource's bad input never fails another's servers. A ticket's state (queued, in flight,
 * answered) changes under one lock, so {@link #pending} never misses a call being sent. Nothing
 * here survives a restart: an intent without an outcome is recovered from the servers' state, per
 * resource.
 */
public final class SubmissionCoalescer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SubmissionCoalescer.class);

  private final Duration linger;
  private final Duration maxWait;
  private final int maxParticipants;
  private final ReconcileHooks hooks;
  private final Clock clock;
  private final CallGate gate;
  private final ScheduledExecutorService executor;

  // Guarded by this: every ticket is in at most one of queues, inFlight and outcomes.
  private final Map<CallKey, ArrayDeque<QueuedRequest>> queues = new HashMap<>();
  private final Set<CallTicket> inFlight = new HashSet<>();
  private final Map<CallTicket, CallOutcome> outcomes = new HashMap<>();
  private final Set<CallTicket> discarded = new HashSet<>();
  private final Map<CallKey, Long> notBefore = new HashMap<>();
  private final ActionPermits permits;

  /**
   * @param maxParticipants 1 sends every request on its own (merging off)
   */
  public SubmissionCoalescer(
      Duration linger,
      Duration maxWait,
      int maxParticipants,
      CallGate gate,
      ReconcileHooks hooks,
      Clock clock) {
    this.linger = linger;
    this.maxWait = maxWait;
    this.maxParticipants = maxParticipants;
    this.gate = gate;
    this.hooks = hooks;
    this.clock = clock;
    this.permits = new ActionPermits(gate.maxIntentAge());
    this.executor =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "submission-coalescer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * May a resource record the intent of a batch of {@code servers} for this key now? {@link
   * Duration#ZERO} when its call has a permit of the action budget, else how long to wait.
   */
  synchronized Duration admit(CallKey key, String uid, int servers, BmsClient client) {
    ArrayDeque<QueuedRequest> queued = queues.getOrDefault(key, new ArrayDeque<>());
    return permits.admit(key, uid, servers, queued, maxParticipants, client, System.nanoTime());
  }

  /** Queues a request whose intent is already recorded. */
  void enqueue(
      CallKey key,
      CallTicket ticket,
      List<String> servers,
      BmsClient client,
      String secretVersion,
      Instant intentAt) {
    synchronized (this) {
      permits.enqueued(key, ticket.uid());
      queues
          .computeIfAbsent(key, k -> new ArrayDeque<>())
          .add(
              new QueuedRequest(
                  ticket,
                  List.copyOf(servers),
                  client,
                  secretVersion,
                  intentAt,
                  false,
                  System.nanoTime()));
    }
    executor.execute(() -> flushIfReady(key));
    executor.schedule(() -> flushIfReady(key), linger.toMillis(), TimeUnit.MILLISECONDS);
  }

  CallGate gate() {
    return gate;
  }

  /** Queued, in flight, or answered but not yet acknowledged: this instance knows the ticket. */
  synchronized boolean pending(CallTicket ticket) {
    return inFlight.contains(ticket) || outcomes.containsKey(ticket) || queued(ticket) != null;
  }

  /** The outcome of a finished call; it stays until {@link #acknowledge}d. */
  synchronized Optional<CallOutcome> outcome(CallTicket ticket) {
    return Optional.ofNullable(outcomes.get(ticket));
  }

  /** The outcome is recorded in the resource's status: forget it. */
  synchronized void acknowledge(CallTicket ticket) {
    outcomes.remove(ticket);
  }

  /**
   * Withdraws a request not yet sent; true when it was withdrawn (so nothing was submitted). The
   * withdrawal is an outcome like any other: it stays until acknowledged.
   */
  synchronized boolean withdraw(CallTicket ticket) {
    QueuedRequest r = queued(ticket);
    if (r == null) {
      return false;
    }
    queues.values().forEach(q -> q.remove(r));
    outcomes.put(ticket, new CallOutcome(null, null, true, 0, null, r.secretVersion()));
    return true;
  }

  /** The resource is gone: withdraw what is queued, forget its outcomes and late answers. */
  synchronized void forget(String uid) {
    queues.values().forEach(q -> q.removeIf(r -> r.ticket().uid().equals(uid)));
    outcomes.keySet().removeIf(t -> t.uid().equals(uid));
    inFlight.stream().filter(t -> t.uid().equals(uid)).forEach(discarded::add);
  }

  /** A request of this resource still waits to be sent (for partners or for the budget). */
  synchronized boolean queuedFor(String uid) {
    return queues.values().stream()
        .anyMatch(q -> q.stream().anyMatch(r -> r.ticket().uid().equals(uid)));
  }

  /** Nothing queued or in flight (outcomes may wait to be acknowledged). */
  synchronized boolean idle() {
    return inFlight.isEmpty() && queues.values().stream().allMatch(ArrayDeque::isEmpty);
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

  private void flushIfReady(CallKey key) {
    List<QueuedRequest> call;
    synchronized (this) {
      ArrayDeque<QueuedRequest> queue = queues.get(key);
      if (queue == null || queue.isEmpty()) {
        return;
      }
      long now = System.nanoTime();
      long wait = notBefore.getOrDefault(key, now) - now;
      if (wait > 0) {
        later(key, Duration.ofNanos(wait).plusMillis(1));
        return;
      }
      long newest = queue.stream().mapToLong(QueuedRequest::arrivedNanos).max().orElse(now);
      long oldest = queue.stream().mapToLong(QueuedRequest::arrivedNanos).min().orElse(now);
      int queuedServers = queue.stream().mapToInt(r -> r.servers().size()).sum();
      boolean ready =
          maxParticipants == 1
              || queue.peekFirst().solo()
              || queuedServers >= BmsClient.MAX_SERVERS_PER_CALL
              || now - newest >= linger.toNanos()
              || now - oldest >= maxWait.toNanos();
      if (!ready) {
        return;
      }
      call = QueuedRequest.pack(queue, maxParticipants);
      call.forEach(r -> inFlight.add(r.ticket()));
      if (!queue.isEmpty()) {
        later(key, maxParticipants == 1 ? Duration.ZERO : linger);
      }
    }
    executor.execute(() -> send(key, call));
  }

  private void send(CallKey key, List<QueuedRequest> planned) {
    List<QueuedRequest> call = sendable(planned);
    if (call.isEmpty()) {
      return;
    }
    List<String> servers = new ArrayList<>();
    call.forEach(r -> servers.addAll(r.servers()));
    Instant sentAt = clock.instant();
    Instant notAfter =
        gate.notAfter(call.stream().map(QueuedRequest::intentAt).min(Instant::compareTo).get());
    CloudException error = null;
    String jobId = null;
    boolean reserved;
    synchronized (this) {
      reserved = permits.take(key);
    }
    try {
      BmsClient client = call.get(0).client();
      jobId =
          reserved
              ? client.submitReserved(key.action(), servers, notAfter)
              : client.submit(key.action(), servers, notAfter);
      LOG.atInfo()
          .setMessage("action call accepted")
          .addKeyValue("action", key.action())
          .addKeyValue("resources", call.size())
          .addKeyValue("servers", servers.size())
          .addKeyValue("jobId", jobId)
          .log();
    } catch (CloudException e) {
      error = e;
    } catch (RuntimeException | Error e) {
      // Whatever happened, the call may have gone out: an unknown outcome, never a stuck ticket.
      error = CloudException.network("submit", true, e);
    }
    if (error != null && CloudException.INTENT_EXPIRED.equals(error.code())) {
      gate.expired(call.size());
      withdrawn(call);
      return;
    }
    if (error != null && CloudException.LOCAL_BUDGET.equals(error.code())) {
      // Not sent: the requests wait, still withdrawable, until the budget frees.
      if (reserved) {
        synchronized (this) {
          permits.giveBack(key);
        }
      }
      requeue(key, call, false, error.retryAfter());
      return;
    }
    if (error != null && call.size() > 1 && nothingExecuted(error)) {
      LOG.atInfo()
          .setMessage("merged action call refused without acting; re-sending each resource alone")
          .addKeyValue("resources", call.size())
          .addKeyValue("code", error.code())
          .log();
      requeue(key, call, true, Duration.ZERO);
      return;
    }
    try {
      hooks.at(Point.AFTER_POST);
    } catch (RuntimeException e) {
      LOG.warn("stopped after the action call: {}", e.getMessage());
      return;
    }
    record(call, new CallOutcome(jobId, error, false, call.size(), sentAt, null));
  }

  /** Right before the call: what the gate refuses is dropped unsent (withdrawn). */
  private List<QueuedRequest> sendable(List<QueuedRequest> planned) {
    CallGate.Check check = gate.check();
    List<QueuedRequest> call = new ArrayList<>();
    List<QueuedRequest> refused = new ArrayList<>();
    for (QueuedRequest r : planned) {
      CallGate.Dropped why = check.refuse(r.intentAt());
      (why == null ? call : refused).add(r);
      if (why != null) {
        LOG.atWarn()
            .setMessage("action request dropped unsent")
            .addKeyValue("reason", why)
            .addKeyValue("resource", r.ticket().uid())
            .log();
      }
    }
    withdrawn(refused);
    return call;
  }

  private synchronized void withdrawn(List<QueuedRequest> requests) {
    for (QueuedRequest r : requests) {
      inFlight.remove(r.ticket());
      if (!discarded.remove(r.ticket())) {
        outcomes.put(r.ticket(), new CallOutcome(null, null, true, 0, null, r.secretVersion()));
      }
    }
  }

  private synchronized void record(List<QueuedRequest> call, CallOutcome outcome) {
    for (QueuedRequest r : call) {
      inFlight.remove(r.ticket());
      if (!discarded.remove(r.ticket())) {
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

  /** The call was not made, or must be made per participant: back to the head of the queue. */
  private synchronized void requeue(
      CallKey key, List<QueuedRequest> call, boolean solo, Duration after) {
    ArrayDeque<QueuedRequest> queue = queues.computeIfAbsent(key, k -> new ArrayDeque<>());
    for (int i = call.size() - 1; i >= 0; i--) {
      QueuedRequest r = call.get(i);
      inFlight.remove(r.ticket());
      if (!discarded.remove(r.ticket())) {
        queue.addFirst(solo ? r.asSolo() : r);
      }
    }
    if (!after.isZero() && !after.isNegative()) {
      notBefore.put(key, System.nanoTime() + after.toNanos());
    }
    later(key, after);
  }

  private void later(CallKey key, Duration after) {
    executor.schedule(
        () -> flushIfReady(key), Math.max(0, after.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** The cloud refused the whole call for its content, before acting on any server. */
  static boolean nothingExecuted(CloudException e) {
    return (e.errorClass() == ErrorClass.SERVER_TERMINAL || e.errorClass() == ErrorClass.TERMINAL)
        && e.httpStatus() >= 400
        && e.httpStatus() < 500;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
