package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.Phase;
import java.util.Objects;

/**
 * How a {@link Pass} sums up at its end: finished (all servers done or failed), suspended, or in
 * progress and what it waits for; with the events that report a change. No I/O: it writes the
 * pass's working status and reports.
 */
final class PassSummary {

  private final Pass pass;
  private final BatchLedger ledger;
  private final StatusFactory status;
  private final Reports reports;
  private final BareMetalPowerActionStatus s;

  PassSummary(Pass pass) {
    this.pass = pass;
    this.ledger = pass.ledger();
    this.status = pass.status();
    this.reports = pass.reports();
    this.s = pass.statusData();
  }

  /** Sums up: finished, suspended, or in progress (and, when so, what it waits for). */
  void summarize(String waitingFor) {
    ledger.count();
    if (ledger.allDone()) {
      finished();
    } else if (pass.suspended()) {
      suspended();
    } else {
      inProgress(waitingFor);
    }
  }

  private void finished() {
    Phase phase =
        s.getFailed() == 0
            ? Phase.Succeeded
            : s.getSucceeded() == 0 ? Phase.Failed : Phase.PartiallySucceeded;
    String message =
        s.getSucceeded()
            + " of "
            + s.getTotal()
            + " servers done, "
            + s.getFailed()
            + " failed"
            + (s.getFailureCounts().isEmpty() ? "" : " " + s.getFailureCounts());
    pass.finish(
        phase,
        phase == Phase.Succeeded
            ? Reason.ALL_SERVERS_DONE
            : phase == Phase.Failed ? Reason.ALL_SERVERS_FAILED : Reason.SOME_SERVERS_FAILED,
        message);
  }

  private void suspended() {
    int active = ledger.active();
    if (!status.isSuspended()) {
      reports.normal(
          Reason.SUSPENDED,
          "nothing new is submitted; " + active + " job(s) already submitted run to their end");
    }
    status.suspended(
        "spec.suspend is true: nothing new is submitted; "
            + s.getInProgress()
            + " server(s) in jobs already submitted, "
            + s.getPending()
            + " waiting",
        active > 0);
  }

  private void inProgress(String waitingFor) {
    int active = ledger.active();
    if (status.isSuspended()) {
      reports.normal(Reason.RESUMED, "spec.suspend is false again: submitting resumes");
    }
    String waiting =
        ledger.in(BatchState.Pending).stream()
            .map(a -> a.entry().getMessage())
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(null);
    String reason =
        waitingFor != null
            ? Reason.WAITING_FOR_OTHER_ACTION
            : active > 0 ? Reason.JOBS_RUNNING : Reason.WAITING_TO_SUBMIT;
    String message =
        waitingFor != null
            ? waitingFor
            : active
                + " job(s) running; "
                + s.getProgress()
                + " servers done"
                + (waiting != null ? "; " + waiting : "");
    boolean wasWaiting =
        status
            .find(ConditionType.Progressing)
            .map(c -> Reason.WAITING_FOR_OTHER_ACTION.equals(c.getReason()))
            .orElse(false);
    if (waitingFor != null && !wasWaiting) {
      reports.normal(Reason.WAITING_FOR_OTHER_ACTION, waitingFor);
    }
    status.inProgress(reason, message, ledger.started());
  }
}
