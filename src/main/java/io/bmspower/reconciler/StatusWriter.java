package io.bmspower.reconciler;

import io.bmspower.OperatorMetrics;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Writes a resource's status with optimistic locking: a PUT of the status subresource carrying the
 * resourceVersion the pass started from, so a stale view can never record an intent twice.
 */
interface StatusWriter {

  /** Someone else changed the resource since it was read. */
  final class Conflict extends RuntimeException {
    Conflict(Throwable cause) {
      super("the resource changed since it was read", cause);
    }
  }

  /** Writes the status; returns the new resourceVersion. Throws {@link Conflict} on a 409. */
  String write(BareMetalPowerAction resource);

  /** The resource as the API server has it now; null when it is gone. */
  BareMetalPowerAction reread(BareMetalPowerAction resource);

  /** The operator's writer: the Kubernetes API. */
  static StatusWriter of(KubernetesClient kubernetes, OperatorMetrics metrics) {
    return new StatusWriter() {
      @Override
      public String write(BareMetalPowerAction resource) {
        try {
          BareMetalPowerAction written = kubernetes.resource(resource).updateStatus();
          metrics.statusWrite();
          return written.getMetadata().getResourceVersion();
        } catch (KubernetesClientException e) {
          if (e.getCode() == 409) {
            throw new Conflict(e);
          }
          throw e;
        }
      }

      @Override
      public BareMetalPowerAction reread(BareMetalPowerAction resource) {
        return kubernetes
            .resources(BareMetalPowerAction.class)
            .inNamespace(resource.getMetadata().getNamespace())
            .withName(resource.getMetadata().getName())
            .get();
      }
    };
  }
}
