package io.bmspower.reconciler;

import io.bmspower.cloud.BmsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Permits of the action budget, taken before an intent is recorded: a pass records an intent only
 * once every queued (and admitted) request of its (endpoint, credentials, action) has a permit for
 * the call that will carry it, so a recorded intent never waits for the budget and its call goes
 * out within the merge window. Merged requests share a call and so a permit. Not thread-safe: the
 * {@link SubmissionCoalescer} guards it with its lock.
 */
final class ActionPermits {

  private record Admitted(int servers, long atNanos) {}

  private final Map<CallKey, Integer> held = new HashMap<>();
  private final Map<CallKey, Map<String, Admitted>> admitted = new HashMap<>();
  private final long admissionTtlNanos;
  private final FairShare fairShare;

  /**
   * @param admissionTtl how long an admission counts without its request arriving (the pass's
   *     status write failed, say)
   * @param fairShare who gets a permit the budget frees, when several wait
   */
  ActionPermits(Duration admissionTtl, FairShare fairShare) {
    this.admissionTtlNanos = admissionTtl.toNanos();
    this.fairShare = fairShare;
  }

  /**
   * May a resource record the intent of a batch of {@code servers} now? {@link Duration#ZERO} when
   * it may (a permit is held for its call), else how long until the budget frees one.
   */
  Duration admit(
      CallKey key,
      FairShare.Claim claim,
      int servers,
      Collection<QueuedRequest> queued,
      int maxParticipants,
      BmsClient client,
      long now) {
    Map<String, Admitted> waiting = admitted.computeIfAbsent(key, k -> new HashMap<>());
    waiting.values().removeIf(a -> now - a.atNanos() > admissionTtlNanos);
    String uid = claim.uid();
    waiting.remove(uid);
    List<Integer> sizes = new ArrayList<>();
    int soloCalls = 0;
    for (QueuedRequest r : queued) {
      if (r.solo()) {
        soloCalls++;
      } else {
        sizes.add(r.servers().size());
      }
    }
    waiting.values().forEach(a -> sizes.add(a.servers()));
    sizes.add(servers);
    int needed = soloCalls + callsNeeded(sizes, maxParticipants);
    while (held.getOrDefault(key, 0) < needed) {
      Duration wait = fairShare.reserve(key.endpoint(), claim, client::reserveActionCall, now);
      if (!wait.isZero()) {
        return wait;
      }
      held.merge(key, 1, Integer::sum);
    }
    fairShare.leave(uid);
    waiting.put(uid, new Admitted(servers, now));
    return Duration.ZERO;
  }

  /** The resource does not wait for the budget now (nothing due, suspended, blocked, done). */
  void notWaiting(String uid) {
    fairShare.leave(uid);
  }

  /** The resource is gone or done: it no longer waits for the budget. */
  void forget(String uid) {
    fairShare.leave(uid);
    admitted.values().forEach(w -> w.remove(uid));
  }

  /** The admitted request is queued now: it is counted there. */
  void enqueued(CallKey key, String uid) {
    Map<String, Admitted> waiting = admitted.get(key);
    if (waiting != null) {
      waiting.remove(uid);
    }
  }

  /** Takes a held permit for a call about to be made; false when none is held. */
  boolean take(CallKey key) {
    int n = held.getOrDefault(key, 0);
    if (n == 0) {
      return false;
    }
    held.put(key, n - 1);
    return true;
  }

  /** The call was not made after all (the cloud's pause): the permit stays for it. */
  void giveBack(CallKey key) {
    held.merge(key, 1, Integer::sum);
  }

  /** Calls of up to 1,000 servers and {@code maxParticipants} requests, filled first-fit. */
  static int callsNeeded(List<Integer> sizes, int maxParticipants) {
    List<int[]> calls = new ArrayList<>(); // {servers, participants}
    for (int size : sizes) {
      int[] fit = null;
      for (int[] call : calls) {
        if (call[0] + size <= BmsClient.MAX_SERVERS_PER_CALL && call[1] < maxParticipants) {
          fit = call;
          break;
        }
      }
      if (fit == null) {
        calls.add(new int[] {size, 1});
      } else {
        fit[0] += size;
        fit[1]++;
      }
    }
    return calls.size();
  }
}
