package io.bmspower.reconciler;

import io.bmspower.OperatorMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a pass: writes its status if it changed (optimistic lock), and only then reports its
 * Events and metrics and runs its side effects (handing calls over, forgetting recorded outcomes).
 * A pass whose write conflicts does nothing at all.
 */
final class PassRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(PassRecorder.class);

  private final StatusWriter writer;
  private final Reports.EventSink events;
  private final OperatorMetrics metrics;
  private final ReconcileHooks hooks;

  PassRecorder(
      StatusWriter writer,
      Reports.EventSink events,
      OperatorMetrics metrics,
      ReconcileHooks hooks) {
    this.writer = writer;
    this.events = events;
    this.metrics = metrics;
    this.hooks = hooks;
  }

  /** False when the resource changed meanwhile: nothing was written, reported or done. */
  boolean record(Pass pass) {
    if (pass.changed()) {
      if (pass.recordsIntent()) {
        hooks.at(ReconcileHooks.Point.BEFORE_INTENT);
      }
      hooks.at(ReconcileHooks.Point.BEFORE_STATUS_WRITE);
      try {
        pass.resource().getMetadata().setResourceVersion(writer.write(pass.resource()));
      } catch (StatusWriter.Conflict e) {
        LOG.debug("status of {} changed meanwhile; passing again", pass.name());
        return false;
      }
    }
    pass.reports().flush(pass.resource(), events, metrics);
    pass.effects().forEach(Runnable::run);
    return true;
  }

  /** Reports what a pass found without writing its status (the resource is going away). */
  void reportOnly(Pass pass) {
    pass.reports().flush(pass.resource(), events, metrics);
  }

  StatusWriter writer() {
    return writer;
  }
}
