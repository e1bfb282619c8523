package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.DeletionPolicy;
import io.bmspower.cloud.CloudException;
import io.bmspower.reconciler.CloudTargetResolver.Resolution;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finalizer: deleting a resource never starts an action (calls not yet made are withdrawn), and
 * with {@code deletionPolicy: Wait} holds until its submitted jobs end, bounded.
 */
final class Deletion {

  private static final Logger LOG = LoggerFactory.getLogger(Deletion.class);

  private final ReconcilerSettings settings;
  private final CloudTargetResolver resolver;
  private final JobObserver observer;
  private final SubmissionProtocol protocol;
  private final PassRecorder recorder;

  Deletion(
      ReconcilerSettings settings,
      CloudTargetResolver resolver,
      JobObserver observer,
      SubmissionProtocol protocol,
      PassRecorder recorder) {
    this.settings = settings;
    this.resolver = resolver;
    this.observer = observer;
    this.protocol = protocol;
    this.recorder = recorder;
  }

  DeleteControl cleanup(Pass pass) {
    if (pass.terminal() || pass.ledger().active() == 0) {
      return release(pass);
    }
    if (pass.spec().getDeletionPolicy() == DeletionPolicy.Abandon) {
      pass.reports()
          .normal(
              Reason.ABANDONED,
              "deleted with deletionPolicy Abandon: "
                  + pass.statusData().getInProgress()
                  + " server(s) in jobs that run on untracked");
      return release(pass);
    }
    Instant deletedAt = Instant.parse(pass.resource().getMetadata().getDeletionTimestamp());
    if (pass.now().isAfter(deletedAt.plus(settings.deletionWaitTimeout()))) {
      pass.reports()
          .warning(
              Reason.DELETION_WAIT_TIMED_OUT,
              "gave up waiting for running jobs after " + settings.deletionWaitTimeout());
      return release(pass);
    }
    Resolution target = resolver.resolve(pass.resource());
    if (!target.ok()) {
      pass.reports()
          .warning(
              Reason.DELETION_NOT_WAITING,
              "cannot poll the running jobs (" + target.message() + "); releasing");
      return release(pass);
    }
    try {
      protocol.withdraw(pass);
      protocol.collect(pass, target);
      observer.observe(pass.ledger(), target.client(), pass.now());
      pass.ledger().count();
    } catch (CloudException e) {
      LOG.atInfo()
          .setMessage("cloud call failed while deleting; retried")
          .addKeyValue("resource", pass.name())
          .addKeyValue("code", e.code())
          .log();
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(settings.pollIntervalMax());
    }
    if (!recorder.record(pass)) {
      return DeleteControl.noFinalizerRemoval()
          .rescheduleAfter(BareMetalPowerActionReconciler.CONFLICT_RETRY);
    }
    if (protocol.awaitingCall(pass)) {
      return DeleteControl.noFinalizerRemoval()
          .rescheduleAfter(BareMetalPowerActionReconciler.CALL_WAIT);
    }
    if (pass.ledger().in(BatchState.Running).isEmpty()) {
      return release(pass);
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(settings.pollIntervalMin());
  }

  private DeleteControl release(Pass pass) {
    recorder.reportOnly(pass);
    protocol.forget(pass);
    resolver.forget(pass.resource());
    return DeleteControl.defaultDelete();
  }
}
