package io.bmspower.reconciler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Decides, right before an action call, which of its requests may still go: none when this instance
 * no longer holds the Lease, and never one whose intent is older than the bound that other
 * instances count on before they recover it.
 */
public final class CallGate {

  /** Why a request was dropped unsent. */
  public enum Dropped {
    /** Its intent is older than the bound: another instance may already be recovering it. */
    EXPIRED,
    /** This instance no longer holds the Lease. */
    FENCED
  }

  private final Clock clock;
  private final Duration maxIntentAge;
  private final LeaseFence fence;
  private final Consumer<Dropped> dropped;

  public CallGate(Clock clock, Duration maxIntentAge, LeaseFence fence, Consumer<Dropped> dropped) {
    this.clock = clock;
    this.maxIntentAge = maxIntentAge;
    this.fence = fence;
    this.dropped = dropped;
  }

  /** One look at the Lease, then the clock (the Lease read may take a while). */
  Check check() {
    boolean leader = fence.holds();
    return new Check(clock.instant(), leader);
  }

  Duration maxIntentAge() {
    return maxIntentAge;
  }

  /** This instance's term for the intents it records; null without leader election. */
  Long epoch() {
    return fence.epoch();
  }

  /** When this instance took the Lease (null without leader election). */
  Instant leadingSince() {
    return fence.leadingSince();
  }

  /** The latest moment the call for these intents may start. */
  Instant notAfter(Instant oldestIntent) {
    return oldestIntent.plus(maxIntentAge);
  }

  /** The client found it too late right before sending: counted as expired. */
  void expired(int requests) {
    for (int i = 0; i < requests; i++) {
      dropped.accept(Dropped.EXPIRED);
    }
  }

  /** The verdict for each request of one call. */
  final class Check {
    private final Instant now;
    private final boolean leader;

    private Check(Instant now, boolean leader) {
      this.now = now;
      this.leader = leader;
    }

    /** Null when the request may go; else why it is dropped (and counted). */
    Dropped refuse(Instant intentAt) {
      Dropped why =
          !leader
              ? Dropped.FENCED
              : now.isAfter(intentAt.plus(maxIntentAge)) ? Dropped.EXPIRED : null;
      if (why != null) {
        dropped.accept(why);
      }
      return why;
    }
  }
}
