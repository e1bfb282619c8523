package io.bmspower.reconciler;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asked right before every action call: may this instance act now? With leader election, only while
 * it holds the Lease and renewed it within the renew deadline, read from the API server (not a
 * cached flag), so a leader that was paused or cut off from the API server sends nothing. It also
 * tells the term (the Lease's leaseTransitions) that intents record, and since when this instance
 * leads, from which another holder's intents are counted.
 */
public interface LeaseFence {

  /** Without leader election: intents are fenced by their age alone. */
  LeaseFence NONE = () -> true;

  boolean holds();

  /** The Lease's leaseTransitions as last read; null without leader election. */
  default Long epoch() {
    return null;
  }

  /** When this instance took the Lease; null without leader election (or not leading yet). */
  default Instant leadingSince() {
    return null;
  }

  /** The Lease as the API server has it now. */
  static ApiServerLease of(
      KubernetesClient kubernetes,
      String namespace,
      String name,
      String identity,
      Duration renewDeadline,
      Clock clock,
      LongConsumer transitions) {
    return new ApiServerLease(
        kubernetes, namespace, name, identity, renewDeadline, clock, transitions);
  }

  /** The Lease read from the API server at every call. */
  final class ApiServerLease implements LeaseFence {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseFence.class);

    private final KubernetesClient kubernetes;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Duration renewDeadline;
    private final Clock clock;
    private final LongConsumer transitions;
    private volatile Long epoch;
    private volatile Instant since;

    private ApiServerLease(
        KubernetesClient kubernetes,
        String namespace,
        String name,
        String identity,
        Duration renewDeadline,
        Clock clock,
        LongConsumer transitions) {
      this.kubernetes = kubernetes;
      this.namespace = namespace;
      this.name = name;
      this.identity = identity;
      this.renewDeadline = renewDeadline;
      this.clock = clock;
      this.transitions = transitions;
    }

    /** Leader election says this instance took the Lease: note when, and its term. */
    public void tookLease() {
      since = clock.instant();
      holds();
    }

    @Override
    public Long epoch() {
      return epoch;
    }

    @Override
    public Instant leadingSince() {
      return since;
    }

    @Override
    public boolean holds() {
      Lease lease;
      try {
        lease = kubernetes.leases().inNamespace(namespace).withName(name).get();
      } catch (KubernetesClientException e) {
        LOG.atWarn()
            .setMessage("cannot read the Lease; no action call until it can be")
            .addKeyValue("error", e.getMessage())
            .log();
        return false;
      }
      if (lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null) {
        return false;
      }
      if (lease.getSpec().getLeaseTransitions() != null) {
        long term = lease.getSpec().getLeaseTransitions();
        if (identity.equals(lease.getSpec().getHolderIdentity())) {
          epoch = term;
        }
        transitions.accept(term);
      }
      Instant renewed = lease.getSpec().getRenewTime().toInstant();
      return identity.equals(lease.getSpec().getHolderIdentity())
          && clock.instant().isBefore(renewed.plus(renewDeadline));
    }
  }
}
