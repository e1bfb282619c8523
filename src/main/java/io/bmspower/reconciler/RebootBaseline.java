package io.bmspower.reconciler;

import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.ServerDetails;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * What tells whether a Reboot of unknown outcome was taken by a server whose state shows no reboot
 * task: its {@code updated} time compared with a baseline read from the cloud before the intent,
 * the latest {@code updated} among the batch's servers. Both are the cloud's clock, so an offset
 * between the cloud's clock and the operator's (#12) decides nothing.
 *
 * <p>A server not rebooted since the read shows an {@code updated} at or before the baseline. A
 * reboot changes {@code updated} when it starts (while it runs, its task state shows it) and again
 * when it ends, after the read and more than a second after its start, so a server rebooted since
 * shows a reboot task or an {@code updated} later than the baseline, even at the second's
 * resolution of the field: later is taken, the same second or earlier is not.
 *
 * <p>An intent recorded without a baseline (by an older version, or when no server showed an {@code
 * updated}) falls back to the earlier rule: updated at or after the intent's time (less a second)
 * on the operator's clock.
 */
record RebootBaseline(Instant baseline, Instant submittedAt) {

  static RebootBaseline of(BatchAttempt a) {
    return new RebootBaseline(parse(a.entry().getBaselineUpdated()), a.submittedAt());
  }

  /** The baseline of these servers, read now; null when none shows an {@code updated} time. */
  static String read(BmsClient client, Collection<String> servers) {
    return ServerDirectory.lookup(client, servers).values().stream()
        .map(d -> parse(d.updated()))
        .filter(t -> t != null)
        .max(Instant::compareTo)
        .map(Instant::toString)
        .orElse(null);
  }

  /** The server's {@code updated} shows a change since the baseline (or since the intent). */
  boolean updatedSince(ServerDetails d) {
    Instant updated = parse(d.updated());
    if (updated == null) {
      return false;
    }
    if (baseline != null) {
      return updated.isAfter(baseline);
    }
    return submittedAt != null && !updated.isBefore(submittedAt.minusSeconds(1));
  }

  private static Instant parse(String time) {
    try {
      return Optional.ofNullable(time).map(Instant::parse).orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
