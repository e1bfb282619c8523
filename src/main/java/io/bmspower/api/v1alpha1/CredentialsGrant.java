package io.bmspower.api.v1alpha1;

/** Which credentials a policy lets its namespaces' actions use. */
public enum CredentialsGrant {
  /**
   * Only Secrets in the action's own namespace (named by the action or by a plain-name default).
   */
  OwnSecrets,
  /**
   * Their own Secrets and the operator's default credentials ({@code --default-credentials-secret
   * NS/NAME}).
   */
  OperatorDefault
}
