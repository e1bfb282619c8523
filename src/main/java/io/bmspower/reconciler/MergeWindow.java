package io.bmspower.reconciler;

import io.bmspower.cloud.BmsClient;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * When the queued requests of one call key go out. Pure: a queue is ready when merging is off, its
 * head must go alone, it fills a call, no request arrived for {@code linger}, or the oldest waited
 * {@code maxWait}.
 *
 * @param maxParticipants 1 sends every request on its own (merging off)
 */
record MergeWindow(Duration linger, Duration maxWait, int maxParticipants) {

  /** Whether the (non-empty) queue goes out at {@code nowNanos}. */
  boolean ready(ArrayDeque<QueuedRequest> queue, long nowNanos) {
    long newest = queue.stream().mapToLong(QueuedRequest::arrivedNanos).max().orElse(nowNanos);
    long oldest = queue.stream().mapToLong(QueuedRequest::arrivedNanos).min().orElse(nowNanos);
    int queuedServers = queue.stream().mapToInt(r -> r.servers().size()).sum();
    return maxParticipants == 1
        || queue.peekFirst().solo()
        || queuedServers >= BmsClient.MAX_SERVERS_PER_CALL
        || nowNanos - newest >= linger.toNanos()
        || nowNanos - oldest >= maxWait.toNanos();
  }

  /** How soon to look again at a queue that still holds requests after a call was taken. */
  Duration nextLook() {
    return maxParticipants == 1 ? Duration.ZERO : linger;
  }
}
