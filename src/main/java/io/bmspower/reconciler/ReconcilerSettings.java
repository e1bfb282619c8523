package io.bmspower.reconciler;

import io.bmspower.config.OperatorSettings;
import java.time.Duration;

/** What the reconciler needs of the operator's settings. */
public record ReconcilerSettings(
    String defaultEndpoint,
    String defaultProjectId,
    String defaultCredentialsSecret,
    int maxActiveJobsPerResource,
    Duration pollIntervalMin,
    Duration pollIntervalMax,
    Duration retryBackoffBase,
    Duration retryBackoffCap,
    Duration ambiguousGrace,
    Duration deletionWaitTimeout,
    Duration credentialsRecheck) {

  public static ReconcilerSettings from(OperatorSettings s) {
    return new ReconcilerSettings(
        s.defaultEndpoint,
        s.defaultProjectId,
        s.defaultCredentialsSecret,
        s.maxActiveJobsPerResource,
        s.pollIntervalMin,
        s.pollIntervalMax,
        s.retryBackoffBase,
        s.retryBackoffCap,
        s.ambiguousGrace,
        s.deletionWaitTimeout,
        s.credentialsRecheck);
  }
}
