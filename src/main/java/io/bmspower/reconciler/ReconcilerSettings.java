package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.NodeMapping;
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
    Duration credentialsRecheck,
    Duration cloudRequestTimeout,
    Duration maxIntentAge,
    String identity,
    NodeMapping nodeMapping) {

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
        s.credentialsRecheck,
        s.cloudRequestTimeout,
        s.maxIntentAge,
        s.identity,
        s.nodeMapping);
  }

  /**
   * How long after its intent another instance's (or an earlier process's) call may still be under
   * way: it is started within max-intent-age, lasts at most the request timeout, and the cloud may
   * need the ambiguous grace to show it.
   */
  public Duration unknownIntentGrace() {
    return maxIntentAge.plus(sentCallGrace());
  }

  /** After a call was started without an answer: it may be accepted until the request timeout. */
  public Duration sentCallGrace() {
    return cloudRequestTimeout.plus(ambiguousGrace);
  }
}
