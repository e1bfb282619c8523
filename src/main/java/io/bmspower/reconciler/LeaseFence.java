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
 * cached flag), so a leader that was paused or cut off from the API server sends nothing.
 */
public interface LeaseFence {

  /** Without leader election: intents are fenced by their age alone. */
  LeaseFence NONE = () -> true;

  boolean holds();

  /** The Lease as the API server has it now. */
  static LeaseFence of(
      KubernetesClient kubernetes,
      String namespace,
      String name,
      String identity,
      Duration renewDeadline,
      Clock clock,
      LongConsumer transitions) {
    Logger log = LoggerFactory.getLogger(LeaseFence.class);
    return () -> {
      Lease lease;
      try {
        lease = kubernetes.leases().inNamespace(namespace).withName(name).get();
      } catch (KubernetesClientException e) {
        log.atWarn()
            .setMessage("cannot read the Lease; no action call until it can be")
            .addKeyValue("error", e.getMessage())
            .log();
        return false;
      }
      if (lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null) {
        return false;
      }
      if (lease.getSpec().getLeaseTransitions() != null) {
        transitions.accept(lease.getSpec().getLeaseTransitions());
      }
      Instant renewed = lease.getSpec().getRenewTime().toInstant();
      return identity.equals(lease.getSpec().getHolderIdentity())
          && clock.instant().isBefore(renewed.plus(renewDeadline));
    };
  }
}
