package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Two live resources that name the same server never act on it at the same time: the later one
 * waits until the earlier one ends. Earlier means: started submitting first, else created first
 * (then by namespace and name), so every instance and every restart decides the same way.
 */
final class OverlapGuard {

  private static final Comparator<BareMetalPowerAction> PRECEDENCE =
      Comparator.comparing((BareMetalPowerAction r) -> started(r) ? 0 : 1)
          .thenComparing(r -> String.valueOf(r.getMetadata().getCreationTimestamp()))
          .thenComparing(r -> r.getMetadata().getNamespace())
          .thenComparing(r -> r.getMetadata().getName());

  private OverlapGuard() {}

  /** The first earlier live resource sharing a server with this one, if any. */
  static Optional<BareMetalPowerAction> blocker(
      BareMetalPowerAction resource, Collection<BareMetalPowerAction> live) {
    Set<String> mine = null;
    for (BareMetalPowerAction other : live) {
      if (other.getMetadata().getUid().equals(resource.getMetadata().getUid())
          || !contends(other)
          || PRECEDENCE.compare(other, resource) >= 0) {
        continue;
      }
      if (mine == null) {
        mine = new HashSet<>(BatchPlan.canonical(resource.getSpec().getServers()));
      }
      for (String id : other.getSpec().getServers()) {
        if (mine.contains(id.toLowerCase(Locale.ROOT))) {
          return Optional.of(other);
        }
      }
    }
    return Optional.empty();
  }

  static String describe(BareMetalPowerAction other) {
    return "waiting for BareMetalPowerAction "
        + other.getMetadata().getNamespace()
        + "/"
        + other.getMetadata().getName()
        + ", which acts on some of the same servers, to end";
  }

  /** Not finished and not a dry run: it may act on its servers. */
  private static boolean contends(BareMetalPowerAction r) {
    return !Boolean.TRUE.equals(r.getSpec().getDryRun())
        && (r.getStatus() == null
            || r.getStatus().getPhase() == null
            || !r.getStatus().getPhase().isTerminal());
  }

  private static boolean started(BareMetalPowerAction r) {
    return r.getStatus() != null
        && r.getStatus().getNextBatch() != null
        && r.getStatus().getNextBatch() > 0;
  }
}
