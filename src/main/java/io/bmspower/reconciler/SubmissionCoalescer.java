package io.bmspower.reconciler;

import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.ErrorClassifier;
import io.bmspower.reconciler.ReconcileHooks.Point;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  private final MergeWindow window;
  private final ReconcileHooks hooks;
  private final Clock clock;
  private final CallGate gate;
  private final ScheduledExecutorService executor;

  // Guarded by this: the tickets' states and the budget's permits change under this one lock.
  private final TicketBook tickets = new TicketBook();
  private final ActionPermits permits;

  /**
   * @param maxParticipants 1 sends every request on its own (merging off)
   * @param fairShare who gets a permit of the action budget when several resources wait
   */
  public SubmissionCoalescer(
      Duration linger,
      Duration maxWait,
      int maxParticipants,
      CallGate gate,
      ReconcileHooks hooks,
      Clock clock,
      FairShare fairShare) {
    this.window = new MergeWindow(linger, maxWait, maxParticipants);
    this.gate = gate;
    this.hooks = hooks;
    this.clock = clock;
    this.permits = new ActionPermits(gate.maxIntentAge(), fairShare);
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
  synchronized Duration admit(CallKey key, FairShare.Claim claim, int servers, BmsClient client) {
    ArrayDeque<QueuedRequest> queued = tickets.queue(key);
    return permits.admit(
        key, claim, servers, queued, window.maxParticipants(), client, System.nanoTime());
  }

  /** This pass does not ask the action budget for anything: it waits for no permit. */
  synchronized void notWaitingForBudget(String uid) {
    permits.notWaiting(uid);
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
      tickets.enqueue(
          key,
          new QueuedRequest(
              ticket,
              List.copyOf(servers),
              client,
              secretVersion,
              intentAt,
              false,
              System.nanoTime()));
    }
    try {
      executor.execute(() -> flushIfReady(key));
      executor.schedule(() -> flushIfReady(key), window.linger().toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // The operator is stopping: the call is not made; its intent is recovered by the next one.
      LOG.debug("not sending {}: the operator is stopping", ticket);
    }
  }

  CallGate gate() {
    return gate;
  }

  /** Queued, in flight, or answered but not yet acknowledged: this instance knows the ticket. */
  synchronized boolean pending(CallTicket ticket) {
    return tickets.pending(ticket);
  }

  /** The outcome of a finished call; it stays until {@link #acknowledge}d. */
  synchronized Optional<CallOutcome> outcome(CallTicket ticket) {
    return tickets.outcome(ticket);
  }

  /** The outcome is recorded in the resource's status: forget it. */
  synchronized void acknowledge(CallTicket ticket) {
    tickets.acknowledge(ticket);
  }

  /**
   * Withdraws a request not yet sent; true when it was withdrawn (so nothing was submitted). The
   * withdrawal is an outcome like any other: it stays until acknowledged.
   */
  synchronized boolean withdraw(CallTicket ticket) {
    return tickets.withdraw(ticket);
  }

  /** The resource is gone: withdraw what is queued, forget its outcomes and late answers. */
  synchronized void forget(String uid) {
    tickets.forget(uid);
    permits.forget(uid);
  }

  /** A request of this resource still waits to be sent (for partners or for the budget). */
  synchronized boolean queuedFor(String uid) {
    return tickets.queuedFor(uid);
  }

  /** Nothing queued or in flight (outcomes may wait to be acknowledged). */
  synchronized boolean idle() {
    return tickets.idle();
  }

  private void flushIfReady(CallKey key) {
    List<QueuedRequest> call;
    boolean reserved;
    synchronized (this) {
      ArrayDeque<QueuedRequest> queue = tickets.queue(key);
      if (queue.isEmpty()) {
        return;
      }
      long now = System.nanoTime();
      long wait = tickets.waitNanos(key, now);
      if (wait > 0) {
        later(key, Duration.ofNanos(wait).plusMillis(1));
        return;
      }
      if (!window.ready(queue, now)) {
        return;
      }
      call = tickets.takeCall(key, window.maxParticipants());
      // The permit leaves the pool with the call, in the same step: an admission in between must
      // not count this call's permit as still free.
      reserved = permits.take(key);
      if (!queue.isEmpty()) {
        later(key, window.nextLook());
      }
    }
    executor.execute(() -> send(key, call, reserved));
  }

  private void send(CallKey key, List<QueuedRequest> planned, boolean reserved) {
    List<QueuedRequest> call = sendable(planned);
    if (call.isEmpty()) {
      giveBack(key, reserved);
      return;
    }
    List<String> servers = new ArrayList<>();
    call.forEach(r -> servers.addAll(r.servers()));
    Instant sentAt = clock.instant();
    Instant notAfter =
        gate.notAfter(call.stream().map(QueuedRequest::intentAt).min(Instant::compareTo).get());
    CloudException error = null;
    String jobId = null;
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
      giveBack(key, reserved);
      gate.expired(call.size());
      withdrawn(call);
      return;
    }
    if (error != null && CloudException.LOCAL_BUDGET.equals(error.code())) {
      // Not sent: the requests wait, still withdrawable, until the budget frees.
      giveBack(key, reserved);
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
    tickets.withdrawn(requests);
  }

  private synchronized void record(List<QueuedRequest> call, CallOutcome outcome) {
    tickets.record(call, outcome);
  }

  /** The call was not made, or must be made per participant: back to the head of the queue. */
  private synchronized void requeue(
      CallKey key, List<QueuedRequest> call, boolean solo, Duration after) {
    tickets.requeue(key, call, solo, after);
    later(key, after);
  }

  /** A permit taken for a call that was not made after all stays for the next. */
  private synchronized void giveBack(CallKey key, boolean reserved) {
    if (reserved) {
      permits.giveBack(key);
    }
  }

  private void later(CallKey key, Duration after) {
    executor.schedule(
        () -> flushIfReady(key), Math.max(0, after.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** The cloud refused the whole call for its content, before acting on any server. */
  static boolean nothingExecuted(CloudException e) {
    return ((e.errorClass() == ErrorClass.SERVER_TERMINAL || e.errorClass() == ErrorClass.TERMINAL)
            && e.httpStatus() >= 400
            && e.httpStatus() < 500)
        || ErrorClassifier.stateRefusal(e.httpStatus(), e.code());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
