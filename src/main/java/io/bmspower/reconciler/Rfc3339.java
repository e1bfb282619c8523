package io.bmspower.reconciler;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Kubernetes timestamps: RFC 3339, UTC, whole seconds. */
public final class Rfc3339 {

  private Rfc3339() {}

  public static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static Instant parse(String value) {
    return value == null ? null : Instant.parse(value);
  }
}
