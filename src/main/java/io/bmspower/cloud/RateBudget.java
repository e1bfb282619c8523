package io.bmspower.cloud;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket of calls per minute shared by every caller of one (endpoint, project). A 429
 * pauses it ({@link #pause}) so all callers slow down together. It never blocks: {@link
 * #tryReserve} says how long to wait and the caller reschedules.
 */
public final class RateBudget {

  private final String name;
  private final double permitsPerNano;
  private final double capacity;
  private final LongSupplier nanoClock;
  private double available;
  private long lastRefill;
  private long pausedUntil;
  private long throttles;

  public RateBudget(String name, int perMinute) {
    this(name, perMinute, System::nanoTime);
  }

  RateBudget(String name, int perMinute, LongSupplier nanoClock) {
    if (perMinute < 1) {
      throw new IllegalArgumentException(name + " budget must be at least 1 call per minute");
    }
    this.name = name;
    this.permitsPerNano = perMinute / (double) TimeUnit.MINUTES.toNanos(1);
    // A small burst only: the cloud's limit is per minute, we spread calls over it.
    this.capacity = Math.max(1, perMinute / 20.0);
    this.nanoClock = nanoClock;
    this.available = capacity;
    this.lastRefill = nanoClock.getAsLong();
    this.pausedUntil = lastRefill;
  }

  /** Takes a permit if one is free now and returns 0; otherwise returns how long to wait. */
  public synchronized long tryReserve() {
    long now = nanoClock.getAsLong();
    if (now < pausedUntil) {
      // Nothing refills during a pause: after it, a permit still takes its steady-rate time.
      return pausedUntil - now + (long) Math.ceil(Math.max(0, 1 - available) / permitsPerNano);
    }
    available = Math.min(capacity, available + (now - lastRefill) * permitsPerNano);
    lastRefill = now;
    if (available >= 1) {
      available -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - available) / permitsPerNano);
  }

  /** How long the cloud's last 429 still holds every call back; 0 when it does not. */
  public synchronized long pausedNanos() {
    return Math.max(0, pausedUntil - nanoClock.getAsLong());
  }

  /**
   * The cloud throttled us: nobody calls for {@code duration}, and the burst is spent, so calls
   * resume at the steady rate, not all at once, when it ends.
   */
  public synchronized void pause(Duration duration) {
    throttles++;
    long until = nanoClock.getAsLong() + duration.toNanos();
    pausedUntil = Math.max(pausedUntil, until);
    available = 0;
    lastRefill = Math.max(lastRefill, pausedUntil);
  }

  public synchronized long throttles() {
    return throttles;
  }

  public String name() {
    return name;
  }
}
