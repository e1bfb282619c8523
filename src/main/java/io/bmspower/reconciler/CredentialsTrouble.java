package io.bmspower.reconciler;

import io.bmspower.cloud.CloudException;
import io.bmspower.reconciler.CloudTargetResolver.Resolution;
import java.time.Duration;

/**
 * Credentials or cloud settings a person must fix: missing, incomplete, refused by the cloud, or a
 * signing time the cloud refused. Reports it (condition, one Event per new reason) and says when to
 * look again.
 */
final class CredentialsTrouble {

  private final ReconcilerSettings settings;
  private final CloudTargetResolver resolver;

  CredentialsTrouble(ReconcilerSettings settings, CloudTargetResolver resolver) {
    this.settings = settings;
    this.resolver = resolver;
  }

  Duration forAPerson(Pass pass, Resolution target) {
    pass.ledger().count();
    if (target.settingsMissing()) {
      pass.status().cloudSettingsMissing(target.message());
      return settings.credentialsRecheck().multipliedBy(4);
    }
    if (!pass.status().credentialsInvalidFor(target.problem())) {
      pass.reports().warning(target.problem(), target.message());
    }
    pass.status().credentialsInvalid(target.problem(), target.message());
    return settings.credentialsRecheck();
  }

  Duration credentialsRefused(Pass pass, Resolution target, CloudException e) {
    if (e.clockSkew() || e.akLocked()) { // not the Secret's fault: nothing pinned as refused
      String message =
          BatchLedger.describe(e)
              + (e.akLocked()
                  ? ": the cloud locked the access key after repeated failed signatures; the lock"
                      + " passes by itself (5 minutes). Retrying with the same Secret"
                  : ": the cloud refused the request's signing time; this node's clock and the"
                      + " cloud's differ by more than 15 minutes; fix the clock (NTP), the Secret"
                      + " is not the problem. Retrying by itself");
      pass.ledger().count();
      if (!pass.status().credentialsInvalidFor(Reason.CLOCK_SKEW)) {
        pass.reports().warning(Reason.CLOCK_SKEW, message);
      }
      pass.status().credentialsInvalid(Reason.CLOCK_SKEW, message);
      return settings.credentialsRecheck();
    }
    String message = resolver.refused(pass.resource(), target, BatchLedger.describe(e));
    pass.ledger().count();
    pass.status().credentialsInvalid(Reason.CREDENTIALS_REJECTED, message);
    pass.reports().warning(Reason.CREDENTIALS_REJECTED, message);
    return settings.credentialsRecheck();
  }
}
