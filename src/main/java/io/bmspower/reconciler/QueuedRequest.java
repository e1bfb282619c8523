package io.bmspower.reconciler;

import io.bmspower.cloud.BmsClient;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** A batch attempt waiting in the {@link SubmissionCoalescer} for its call. */
record QueuedRequest(
    CallTicket ticket,
    List<String> servers,
    BmsClient client,
    String secretVersion,
    Instant intentAt,
    boolean solo,
    long arrivedNanos) {

  /** The same request, to be sent on its own (its merged call was refused for its content). */
  QueuedRequest asSolo() {
    return new QueuedRequest(ticket, servers, client, secretVersion, intentAt, true, arrivedNanos);
  }

  /**
   * Takes the next call out of a queue: up to 1,000 servers and {@code maxParticipants} requests,
   * at most one request per resource (its batchSize is its own limit), never one server twice; a
   * solo request goes on its own.
   */
  static List<QueuedRequest> pack(ArrayDeque<QueuedRequest> queue, int maxParticipants) {
    List<QueuedRequest> call = new ArrayList<>();
    Set<String> resources = new HashSet<>();
    Set<String> servers = new HashSet<>();
    for (Iterator<QueuedRequest> it = queue.iterator(); it.hasNext(); ) {
      QueuedRequest r = it.next();
      boolean fits =
          servers.size() + r.servers().size() <= BmsClient.MAX_SERVERS_PER_CALL
              && call.size() < maxParticipants
              && !resources.contains(r.ticket().uid())
              && r.servers().stream().noneMatch(servers::contains)
              && (call.isEmpty() || !r.solo() && !call.get(0).solo());
      if (fits) {
        call.add(r);
        resources.add(r.ticket().uid());
        servers.addAll(r.servers());
        it.remove();
      }
    }
    return call;
  }
}
