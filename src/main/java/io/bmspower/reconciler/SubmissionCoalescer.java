package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.Credentials;
import io.bmspower.reconciler.ReconcileHooks.Point;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges action requests of different resources for the same (endpoint, credentials, action) that
 * are ready together into one call of up to 1,000 servers. Each resource records its intent before
 * it joins; the outcome (the shared job ID, or the error) waits here for the resource's next pass
 * to record. Nothing here survives a restart, and nothing needs to: an intent without an outcome is
 * recovered from the servers' state, per resource.
 */
public final class SubmissionCoalescer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SubmissionCoalescer.class);

  record Key(CloudEndpoint endpoint, Credentials credentials, PowerAction action) {}

  /** One submission attempt of one resource's batch. */
  record Ticket(String uid, int index, int attempt) {}

  /** A finished call as one participant sees it: a job ID, or the error. */
  record Outcome(String jobId, CloudException error, int participants) {}

  private record Request(
      Ticket ticket, List<String> servers, BmsClient client, long arrivedNanos) {}

  private final Duration linger;
  private final Duration maxWait;
  private final ReconcileHooks hooks;
  private final ScheduledExecutorService executor;
  private final Map<Key, ArrayDeque<Request>> queues = new ConcurrentHashMap<>();
  private final Set<Ticket> inFlight = ConcurrentHashMap.newKeySet();
  private final Map<Ticket, Outcome> outcomes = new ConcurrentHashMap<>();

  public SubmissionCoalescer(Duration linger, Duration maxWait, ReconcileHooks hooks) {
    this.linger = linger;
    this.maxWait = maxWait;
    this.hooks = hooks;
    this.executor =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "submission-coalescer");
              t.setDaemon(true);
              return t;
            });
  }

  /** Queues a request whose intent is already recorded. */
  void enqueue(Key key, Ticket ticket, List<String> servers, BmsClient client) {
    ArrayDeque<Request> queue = queues.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (queue) {
      queue.add(new Request(ticket, List.copyOf(servers), client, System.nanoTime()));
    }
    executor.execute(() -> flushIfReady(key));
    executor.schedule(() -> flushIfReady(key), linger.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Queued or in flight: the outcome is not known yet. */
  boolean pending(Ticket ticket) {
    return inFlight.contains(ticket) || queued(ticket);
  }

  /** Takes the outcome of a finished call, once. */
  Optional<Outcome> take(Ticket ticket) {
    return Optional.ofNullable(outcomes.remove(ticket));
  }

  /** Withdraws a request not yet sent; true when it was withdrawn (so nothing was submitted). */
  boolean cancel(Ticket ticket) {
    for (ArrayDeque<Request> queue : queues.values()) {
      synchronized (queue) {
        if (queue.removeIf(r -> r.ticket().equals(ticket))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Withdraws every request of a resource not yet sent (it is being deleted). */
  void cancelAll(String uid) {
    for (ArrayDeque<Request> queue : queues.values()) {
      synchronized (queue) {
        queue.removeIf(r -> r.ticket().uid().equals(uid));
      }
    }
  }

  private boolean queued(Ticket ticket) {
    for (ArrayDeque<Request> queue : queues.values()) {
      synchronized (queue) {
        if (queue.stream().anyMatch(r -> r.ticket().equals(ticket))) {
          return true;
        }
      }
    }
    return false;
  }

  private void flushIfReady(Key key) {
    ArrayDeque<Request> queue = queues.get(key);
    if (queue == null) {
      return;
    }
    List<Request> call;
    synchronized (queue) {
      if (queue.isEmpty()) {
        return;
      }
      long now = System.nanoTime();
      long newest = queue.stream().mapToLong(Request::arrivedNanos).max().orElse(now);
      long oldest = queue.peekFirst().arrivedNanos();
      int queuedServers = queue.stream().mapToInt(r -> r.servers().size()).sum();
      boolean ready =
          queuedServers >= BmsClient.MAX_SERVERS_PER_CALL
              || now - newest >= linger.toNanos()
              || now - oldest >= maxWait.toNanos();
      if (!ready) {
        return;
      }
      call = pack(queue);
      call.forEach(r -> inFlight.add(r.ticket()));
    }
    executor.execute(() -> send(key, call));
    if (!queue.isEmpty()) {
      executor.schedule(() -> flushIfReady(key), linger.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Up to 1,000 servers, at most one request per resource (its batchSize is its own limit). */
  private static List<Request> pack(ArrayDeque<Request> queue) {
    List<Request> call = new ArrayList<>();
    Set<String> resources = new HashSet<>();
    int servers = 0;
    for (Iterator<Request> it = queue.iterator(); it.hasNext(); ) {
      Request r = it.next();
      if (servers + r.servers().size() > BmsClient.MAX_SERVERS_PER_CALL
          || !resources.add(r.ticket().uid())) {
        continue;
      }
      call.add(r);
      servers += r.servers().size();
      it.remove();
    }
    return call;
  }

  private void send(Key key, List<Request> call) {
    List<String> servers = new ArrayList<>();
    call.forEach(r -> servers.addAll(r.servers()));
    Outcome outcome;
    try {
      String jobId = call.get(0).client().submit(key.action(), servers);
      outcome = new Outcome(jobId, null, call.size());
      LOG.info(
          "merged action call: action={} resources={} servers={} jobId={}",
          key.action(),
          call.size(),
          servers.size(),
          jobId);
    } catch (CloudException e) {
      outcome = new Outcome(null, e, call.size());
    } catch (RuntimeException e) {
      outcome = new Outcome(null, CloudException.network("submit", true, e), call.size());
    }
    try {
      hooks.at(Point.AFTER_POST);
    } catch (RuntimeException e) {
      LOG.warn("stopped after the action call: {}", e.getMessage());
      return;
    }
    for (Request r : call) {
      outcomes.put(r.ticket(), outcome);
      inFlight.remove(r.ticket());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
