package io.bmspower.cloud;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base * 2^attempt)). */
public record Backoff(Duration base, Duration cap) {

  public Duration delay(int attempt) {
    long ceiling = ceiling(attempt);
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, ceiling)));
  }

  /** The upper bound of {@link #delay} for this attempt (0-based). */
  public long ceiling(int attempt) {
    long shifted = base.toMillis() << Math.min(Math.max(attempt, 0), 30);
    return Math.min(cap.toMillis(), shifted < 0 ? Long.MAX_VALUE : shifted);
  }
}
