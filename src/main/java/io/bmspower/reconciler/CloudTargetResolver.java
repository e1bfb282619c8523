package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.Credentials;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Where a resource's calls go and as whom: endpoint and project (spec or operator defaults), the
 * Secret, its credentials and the shared client. Shared by reconcile and cleanup. Remembers a
 * Secret version the cloud refused, so no call is made with it again until the Secret changes.
 */
final class CloudTargetResolver {

  /** Reads a Secret; null when it does not exist. */
  interface Secrets {
    Secret get(String namespace, String name);
  }

  /** A usable target, or the reason (and a message a person can act on) why there is none. */
  record Resolution(
      CloudTarget target,
      Credentials credentials,
      String secretVersion,
      BmsClient client,
      String problem,
      String message) {
    boolean ok() {
      return problem == null;
    }

    boolean settingsMissing() {
      return Reason.CLOUD_SETTINGS_MISSING.equals(problem);
    }
  }

  static final String DEFAULT_SECRET = "bms-credentials";

  private final ReconcilerSettings settings;
  private final Secrets secrets;
  private final BiFunction<CloudEndpoint, Credentials, BmsClient> clients;

  private record Refusal(String secretVersion, String message) {}

  /** Resource UID -> the Secret version whose credentials the cloud refused, and why. */
  private final Map<String, Refusal> refused = new ConcurrentHashMap<>();

  CloudTargetResolver(
      ReconcilerSettings settings,
      Secrets secrets,
      BiFunction<CloudEndpoint, Credentials, BmsClient> clients) {
    this.settings = settings;
    this.secrets = secrets;
    this.clients = clients;
  }

  Resolution resolve(BareMetalPowerAction resource) {
    CloudTarget target = target(resource);
    if (target == null) {
      return problem(
          null,
          Reason.CLOUD_SETTINGS_MISSING,
          "spec.cloud.endpoint and spec.cloud.projectId (or the operator's defaults"
              + " --default-endpoint and --default-project-id) are required");
    }
    Secret secret = secrets.get(target.secretNamespace(), target.secretName());
    CredentialsResolver.Result credentials =
        CredentialsResolver.resolve(
            secret, target.secretNamespace(), target.secretName(), target.endpoint());
    if (!credentials.ok()) {
      return problem(target, credentials.reason(), credentials.message());
    }
    String version = secret.getMetadata().getResourceVersion();
    String uid = resource.getMetadata().getUid();
    Refusal refusal = refused.get(uid);
    if (refusal != null && refusal.secretVersion().equals(version)) {
      return problem(target, Reason.CREDENTIALS_REJECTED, refusal.message());
    }
    refused.remove(uid);
    return new Resolution(
        target,
        credentials.credentials(),
        version,
        clients.apply(target.endpoint(), credentials.credentials()),
        null,
        credentials.message());
  }

  /**
   * The cloud refused the credentials of this Secret version: no calls until it changes. Returns
   * the message for the resource's condition.
   */
  String refused(BareMetalPowerAction resource, Resolution resolution, String why) {
    CloudTarget t = resolution.target();
    String message =
        "the cloud refused the credentials from Secret "
            + t.secretNamespace()
            + "/"
            + t.secretName()
            + ": "
            + why
            + "; fix the Secret and the action resumes (no further calls until it changes)";
    refused.put(resource.getMetadata().getUid(), new Refusal(resolution.secretVersion(), message));
    return message;
  }

  /**
   * The resource names no Secret and falls back to an operator default in another namespace ({@code
   * --default-credentials-secret NS/NAME}): the platform's credentials, not its own.
   */
  boolean usesOperatorDefault(BareMetalPowerAction resource) {
    CloudSpec cloud = resource.getSpec().getCloud();
    String secret = settings.defaultCredentialsSecret();
    return (cloud == null || cloud.getCredentialsSecretRef() == null)
        && secret != null
        && secret.contains("/")
        && !secret.substring(0, secret.indexOf('/')).equals(resource.getMetadata().getNamespace());
  }

  void forget(BareMetalPowerAction resource) {
    refused.remove(resource.getMetadata().getUid());
  }

  private static Resolution problem(CloudTarget target, String reason, String message) {
    return new Resolution(target, null, null, null, reason, message);
  }

  private CloudTarget target(BareMetalPowerAction resource) {
    CloudSpec cloud =
        resource.getSpec().getCloud() == null ? new CloudSpec() : resource.getSpec().getCloud();
    String endpoint =
        cloud.getEndpoint() != null ? cloud.getEndpoint() : settings.defaultEndpoint();
    String project =
        cloud.getProjectId() != null ? cloud.getProjectId() : settings.defaultProjectId();
    if (endpoint == null || project == null) {
      return null;
    }
    String namespace = resource.getMetadata().getNamespace();
    String secret =
        cloud.getCredentialsSecretRef() != null
            ? cloud.getCredentialsSecretRef().getName()
            : settings.defaultCredentialsSecret();
    if (secret == null) {
      secret = DEFAULT_SECRET;
    } else if (cloud.getCredentialsSecretRef() == null && secret.contains("/")) {
      namespace = secret.substring(0, secret.indexOf('/'));
      secret = secret.substring(secret.indexOf('/') + 1);
    }
    return new CloudTarget(CloudEndpoint.of(endpoint, project), namespace, secret);
  }
}
