package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerPolicy;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BareMetalPowerPolicies and namespace labels, read from the Kubernetes API: fresh when an
 * action is accepted, and cached briefly for the budget's fair share, which asks on every pass that
 * waits for a permit.
 */
final class Tenancy {

  private static final Logger LOG = LoggerFactory.getLogger(Tenancy.class);
  static final Duration SHARE_CACHE = Duration.ofSeconds(30);

  /** Where policies and namespace labels come from. */
  interface Source {
    List<BareMetalPowerPolicy> policies();

    Map<String, String> namespaceLabels(String namespace);
  }

  private record Cached(int share, Instant at) {}

  private final Source source;
  private final Clock clock;
  private final Map<String, Cached> shares = new ConcurrentHashMap<>();

  Tenancy(Source source, Clock clock) {
    this.source = source;
    this.clock = clock;
  }

  /** The policies selecting this namespace now, by name. */
  List<BareMetalPowerPolicy> selecting(String namespace) {
    return PolicyDecision.selecting(source.policies(), source.namespaceLabels(namespace));
  }

  /** The namespace's weight in the fair share (1 without a policy), at most 30 s old. */
  int share(String namespace) {
    Instant now = clock.instant();
    Cached c = shares.get(namespace);
    if (c == null || now.isAfter(c.at().plus(SHARE_CACHE))) {
      int share;
      try {
        share = PolicyDecision.share(selecting(namespace));
      } catch (KubernetesClientException e) {
        share = c == null ? 1 : c.share();
      }
      c = new Cached(share, now);
      shares.put(namespace, c);
    }
    return c.share();
  }

  /** Reads through the operator's client; without the policy CRD (an old install) no policies. */
  static Source of(KubernetesClient kubernetes) {
    AtomicBoolean warned = new AtomicBoolean();
    return new Source() {
      @Override
      public List<BareMetalPowerPolicy> policies() {
        try {
          return kubernetes.resources(BareMetalPowerPolicy.class).list().getItems();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404) {
            throw e;
          }
          if (warned.compareAndSet(false, true)) {
            LOG.warn(
                "the BareMetalPowerPolicy CRD is not installed (helm upgrade does not add CRDs:"
                    + " kubectl apply -f crds/); acting as if there were no policies");
          }
          return List.of();
        }
      }

      @Override
      public Map<String, String> namespaceLabels(String namespace) {
        Namespace ns = kubernetes.namespaces().withName(namespace).get();
        return ns == null || ns.getMetadata().getLabels() == null
            ? Map.of()
            : ns.getMetadata().getLabels();
      }
    };
  }
}
