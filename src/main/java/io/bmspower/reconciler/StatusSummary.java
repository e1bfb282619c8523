package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.Phase;

/** Counters and progress from the batches; the phase for display. */
final class StatusSummary {

  private StatusSummary() {}

  static void count(BareMetalPowerActionStatus status) {
    int total = Pass.nz(status.getTotal());
    int inProgress =
        status.getBatches().stream()
            .filter(
                b -> b.getState() == BatchState.Submitting || b.getState() == BatchState.Running)
            .mapToInt(BatchStatus::getSize)
            .sum();
    int done = Pass.nz(status.getSucceeded()) + Pass.nz(status.getFailed());
    status.setInProgress(inProgress);
    status.setPending(Math.max(0, total - done - inProgress));
    status.setProgress(done + "/" + total);
    status.setSucceeded(Pass.nz(status.getSucceeded()));
    status.setFailed(Pass.nz(status.getFailed()));
  }

  static boolean allDone(BareMetalPowerActionStatus status) {
    return Pass.nz(status.getSucceeded()) + Pass.nz(status.getFailed())
            >= Pass.nz(status.getTotal())
        && status.getBatches().stream()
            .noneMatch(
                b ->
                    b.getState() == BatchState.Submitting
                        || b.getState() == BatchState.Running
                        || b.getState() == BatchState.Pending);
  }

  static Phase terminalPhase(BareMetalPowerActionStatus status) {
    if (Pass.nz(status.getFailed()) == 0) {
      return Phase.Succeeded;
    }
    return Pass.nz(status.getSucceeded()) == 0 ? Phase.Failed : Phase.PartiallySucceeded;
  }
}
