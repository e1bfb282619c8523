package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.Credentials;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A cloud client for a namespace's cloud settings, resolved exactly as a BareMetalPowerAction's
 * (spec or operator defaults, the Secret), and held to the same policy rule for the operator's
 * default credentials. For the schedule controller, which lists servers but makes no action call.
 */
public final class CloudAccess {

  /** A client, or why there is none (reason and a message a person can act on). */
  public record Access(BmsClient client, String reason, String message) {
    public boolean ok() {
      return client != null;
    }
  }

  private final CloudTargetResolver resolver;
  private final Tenancy tenancy;

  public CloudAccess(
      KubernetesClient kubernetes,
      BiFunction<CloudEndpoint, Credentials, BmsClient> clients,
      ReconcilerSettings settings,
      Clock clock) {
    this.resolver =
        new CloudTargetResolver(
            settings,
            (ns, name) -> kubernetes.secrets().inNamespace(ns).withName(name).get(),
            clients);
    this.tenancy = new Tenancy(Tenancy.of(kubernetes), clock);
  }

  public Access resolve(String namespace, String owner, CloudSpec cloud) {
    var probe = new BareMetalPowerAction();
    probe.setMetadata(
        new ObjectMetaBuilder().withNamespace(namespace).withName(owner).withUid(owner).build());
    var spec = new BareMetalPowerActionSpec();
    spec.setCloud(cloud);
    spec.setServers(List.of());
    probe.setSpec(spec);
    if (resolver.usesOperatorDefault(probe)) {
      var verdict =
          PolicyDecision.decide(
              new PolicyDecision.Request(namespace, null, List.of(), true),
              tenancy.selecting(namespace),
              null);
      if (verdict.refused()) {
        return new Access(null, Reason.NOT_PERMITTED, verdict.message());
      }
    }
    var resolution = resolver.resolve(probe);
    return resolution.ok()
        ? new Access(resolution.client(), null, null)
        : new Access(null, resolution.problem(), resolution.message());
  }
}
