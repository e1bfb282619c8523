package io.bmspower;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the leader Lease an owned object of the operator's ServiceAccount, so that deleting the
 * ServiceAccount ({@code helm uninstall}) lets the garbage collector delete the Lease too. Leader
 * election creates the Lease at run time, outside the chart; without an owner it would outlive the
 * release. Only metadata is patched: the holder, its term and the renewals are untouched.
 */
final class LeaseOwner {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseOwner.class);

  private LeaseOwner() {}

  /**
   * Adopts the Lease on a thread of its own: leader election calls back while it holds its lock,
   * and these API calls must not delay its renewals.
   */
  static void adoptInBackground(
      KubernetesClient kubernetes, String namespace, String leaseName, String serviceAccount) {
    if (serviceAccount == null || serviceAccount.isBlank()) {
      return;
    }
    Thread thread =
        new Thread(() -> adopt(kubernetes, namespace, leaseName, serviceAccount), "lease-owner");
    thread.setDaemon(true);
    thread.start();
  }

  /** Adds the owner reference when missing; a failure is logged and changes nothing else. */
  static void adopt(
      KubernetesClient kubernetes, String namespace, String leaseName, String serviceAccount) {
    if (serviceAccount == null || serviceAccount.isBlank()) {
      return;
    }
    try {
      ServiceAccount owner =
          kubernetes.serviceAccounts().inNamespace(namespace).withName(serviceAccount).get();
      Lease lease = kubernetes.leases().inNamespace(namespace).withName(leaseName).get();
      if (owner == null || lease == null) {
        LOG.atWarn()
            .setMessage("the Lease keeps no owner: ServiceAccount or Lease not found")
            .addKeyValue("serviceAccount", namespace + "/" + serviceAccount)
            .addKeyValue("lease", namespace + "/" + leaseName)
            .log();
        return;
      }
      String uid = owner.getMetadata().getUid();
      if (lease.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid()))) {
        return;
      }
      OwnerReference reference =
          new OwnerReferenceBuilder()
              .withApiVersion("v1")
              .withKind("ServiceAccount")
              .withName(serviceAccount)
              .withUid(uid)
              .build();
      // A JSON patch that adds one entry: other owners, if any, stay.
      boolean none = lease.getMetadata().getOwnerReferences().isEmpty();
      Map<String, Object> add =
          Map.of(
              "op",
              "add",
              "path",
              none ? "/metadata/ownerReferences" : "/metadata/ownerReferences/-",
              "value",
              none ? List.of(reference) : reference);
      kubernetes
          .leases()
          .inNamespace(namespace)
          .withName(leaseName)
          .patch(
              PatchContext.of(PatchType.JSON),
              kubernetes.getKubernetesSerialization().asJson(List.of(add)));
      LOG.atInfo()
          .setMessage("the Lease is now owned by the operator's ServiceAccount")
          .addKeyValue("lease", namespace + "/" + leaseName)
          .addKeyValue("serviceAccount", serviceAccount)
          .log();
    } catch (KubernetesClientException e) {
      LOG.atWarn()
          .setMessage("cannot make the ServiceAccount own the Lease; it will outlive an uninstall")
          .addKeyValue("lease", namespace + "/" + leaseName)
          .addKeyValue("error", e.getMessage())
          .log();
    }
  }
}
