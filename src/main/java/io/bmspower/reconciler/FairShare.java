package io.bmspower.reconciler;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Grants the action budget's permits across namespaces by their shares, and within a namespace by
 * {@code spec.priority}, instead of to whichever pass asks first. Namespaces are served by stride
 * scheduling: each has a virtual count, grants/share, and the waiting namespace with the lowest
 * count is next; a namespace that starts waiting joins at the count of the last grant, so idle time
 * banks no credit. Hence a namespace that starts waiting gets a permit within N-1 grants to others
 * (N namespaces waiting) and then, while it waits, share/total of the grants. Within a namespace,
 * higher priority first, then the longest waiting; a resource waiting longer than {@code aging}
 * goes before every one that has not, so none starves. Passes are not blocked: one that is not next
 * is told to come back shortly. Not thread-safe: the {@link SubmissionCoalescer} guards it with its
 * lock.
 */
public final class FairShare {

  /** Who asks: one resource's next call. */
  record Claim(String uid, String namespace, int share, int priority) {}

  /** Told to a pass whose turn it is not. */
  static final Duration NOT_YOUR_TURN = Duration.ofMillis(250);

  /** A waiter that does not come back this long after it was told to is dropped. */
  static final Duration STALE_AFTER = Duration.ofSeconds(3);

  /** How long a resource waits before its priority no longer counts against it. */
  public static final Duration DEFAULT_AGING = Duration.ofMinutes(2);

  /** Reports a grant: namespace and how long it waited. */
  public interface Granted {
    void granted(String namespace, Duration waited);
  }

  private static final class Waiter {
    Claim claim;
    final long firstNanos;
    long backByNanos;

    Waiter(Claim claim, long firstNanos) {
      this.claim = claim;
      this.firstNanos = firstNanos;
    }
  }

  private static final class Budget {
    final Map<String, Waiter> waiters = new HashMap<>();
    final Map<String, Double> served = new HashMap<>();

    /** The virtual count of the last grant, before it was counted. */
    double now;
  }

  private final boolean enabled;
  private final long agingNanos;
  private final Granted report;
  private final Map<Object, Budget> budgets = new HashMap<>();

  /**
   * When each resource first asked, kept while it waits even if it is dropped for coming back late
   * (a busy pass), so its age for the aging rule is not lost. Cleared on a grant or {@link #leave}.
   */
  private final Map<String, Long> firstAsked = new HashMap<>();

  /**
   * A first-ask older than this with no waiter behind it is forgotten (its resource stopped asking
   * without a pass saying so, e.g. the operator's queries were throttled for that long).
   */
  static final Duration FORGET_AFTER = Duration.ofMinutes(10);

  /** On, with the default aging and no metrics. */
  static FairShare byDefault() {
    return new FairShare(true, DEFAULT_AGING, (ns, waited) -> {});
  }

  public FairShare(boolean enabled, Duration aging, Granted report) {
    this.enabled = enabled;
    this.agingNanos = aging.toNanos();
    this.report = report;
  }

  /**
   * Takes a permit of {@code budget} for the claim's call if it is next: {@link Duration#ZERO} when
   * taken, else how long to wait. {@code permit} takes one from the budget itself (a zero answer)
   * or says how long until one frees.
   */
  Duration reserve(Object budget, Claim claim, Supplier<Duration> permit, long now) {
    if (!enabled) {
      Duration wait = permit.get();
      if (wait.isZero()) {
        report.granted(claim.namespace(), Duration.ZERO);
      }
      return wait;
    }
    Budget b = budgets.computeIfAbsent(budget, k -> new Budget());
    b.waiters.values().removeIf(w -> now - w.backByNanos > STALE_AFTER.toNanos());
    Waiter me = b.waiters.get(claim.uid());
    if (me == null) {
      join(b, claim.namespace());
      firstAsked
          .entrySet()
          .removeIf(
              e ->
                  now - e.getValue() > FORGET_AFTER.toNanos()
                      && budgets.values().stream()
                          .noneMatch(x -> x.waiters.containsKey(e.getKey())));
      me = new Waiter(claim, firstAsked.computeIfAbsent(claim.uid(), u -> now));
      me.backByNanos = now;
      b.waiters.put(claim.uid(), me);
    }
    me.claim = claim;
    Waiter next = next(b, now);
    if (next != me) {
      // Back when the one before it is due: no sooner can its turn come.
      Duration wait = Duration.ofNanos(Math.max(NOT_YOUR_TURN.toNanos(), next.backByNanos - now));
      me.backByNanos = now + wait.toNanos();
      return wait;
    }
    Duration wait = permit.get();
    if (!wait.isZero()) {
      me.backByNanos = now + wait.toNanos();
      return wait;
    }
    b.waiters.remove(claim.uid());
    firstAsked.remove(claim.uid());
    double at = b.served.getOrDefault(claim.namespace(), 0.0);
    b.now = Math.max(b.now, at);
    b.served.put(claim.namespace(), at + 1.0 / Math.max(1, claim.share()));
    report.granted(claim.namespace(), Duration.ofNanos(now - me.firstNanos));
    return Duration.ZERO;
  }

  /** The resource no longer waits (merged into a call that holds a permit, finished, deleted). */
  void leave(String uid) {
    budgets.values().forEach(b -> b.waiters.remove(uid));
    firstAsked.remove(uid);
  }

  private static void join(Budget b, String namespace) {
    boolean waiting =
        b.waiters.values().stream().anyMatch(w -> w.claim.namespace().equals(namespace));
    if (!waiting) {
      // Where the schedule stands now: idle time banks no credit.
      b.served.merge(namespace, b.now, Math::max);
    }
  }

  private Waiter next(Budget b, long now) {
    Map<String, Waiter> heads = new HashMap<>();
    Comparator<Waiter> inNamespace = withinNamespace(now);
    for (Waiter w : b.waiters.values()) {
      heads.merge(w.claim.namespace(), w, (x, y) -> inNamespace.compare(x, y) <= 0 ? x : y);
    }
    return heads.values().stream()
        .min(
            Comparator.<Waiter>comparingDouble(w -> b.served.getOrDefault(w.claim.namespace(), 0.0))
                .thenComparingLong(w -> w.firstNanos)
                .thenComparing(w -> w.claim.uid()))
        .orElseThrow();
  }

  private Comparator<Waiter> withinNamespace(long now) {
    return Comparator.<Waiter>comparingInt(w -> now - w.firstNanos > agingNanos ? 0 : 1)
        .thenComparing(
            (x, y) ->
                now - x.firstNanos > agingNanos
                    ? 0
                    : Integer.compare(y.claim.priority(), x.claim.priority()))
        .thenComparingLong(w -> w.firstNanos)
        .thenComparing(w -> w.claim.uid());
  }
}
