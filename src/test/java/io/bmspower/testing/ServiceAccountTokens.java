package io.bmspower.testing;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Tokens of a ServiceAccount (TokenRequest), as a pod running under it gets. */
public final class ServiceAccountTokens {

  private ServiceAccountTokens() {}

  /** A one-hour token for {@code namespace/name}, requested with the {@code admin} client. */
  public static String request(KubernetesClient admin, String namespace, String name) {
    return admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(name)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }
}
