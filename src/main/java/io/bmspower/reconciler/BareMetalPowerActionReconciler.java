package io.bmspower.reconciler;

import io.bmspower.OperatorMetrics;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.cloud.Backoff;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.Credentials;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.reconciler.CloudTargetResolver.Resolution;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles {@link BareMetalPowerAction}: one level-triggered, idempotent pass per call that
 * observes, decides and records; action calls go out only after the status write recording their
 * intent, and Events after the write recording what they report.
 */
@ControllerConfiguration(name = "baremetalpoweraction")
public class BareMetalPowerActionReconciler
    implements Reconciler<BareMetalPowerAction>, Cleaner<BareMetalPowerAction> {

  private static final Logger LOG = LoggerFactory.getLogger(BareMetalPowerActionReconciler.class);
  static final Duration CONFLICT_RETRY = Duration.ofMillis(300);
  static final Duration CALL_WAIT = Duration.ofMillis(500);
  static final int PASSES_PER_CONFLICT = 3;

  private final ReconcilerSettings settings;
  private final Clock clock;
  private final CloudTargetResolver resolver;
  private final JobObserver observer;
  private final SubmissionProtocol protocol;
  private final PassRecorder recorder;
  private final Deletion deletion;
  private final PolicyAdmission admission;
  private final CredentialsTrouble waiting;
  private final BatchLedger.Backoff backoff;

  /** Resources with spec.nodes; null in unit tests, which have no Kubernetes API. */
  private NodeRollout nodeRollout;

  public BareMetalPowerActionReconciler(
      KubernetesClient kubernetes,
      BiFunction<CloudEndpoint, Credentials, BmsClient> clients,
      ReconcilerSettings settings,
      int queriesPerMinute,
      Clock clock,
      ReconcileHooks hooks,
      OperatorMetrics metrics,
      SubmissionCoalescer calls) {
    this(
        settings,
        clock,
        new CloudTargetResolver(
            settings,
            (ns, name) -> kubernetes.secrets().inNamespace(ns).withName(name).get(),
            clients),
        new JobTracker(settings.pollIntervalMin(), settings.pollIntervalMax(), queriesPerMinute),
        calls,
        StatusWriter.of(kubernetes, metrics),
        new EventRecorder(kubernetes, clock),
        metrics,
        hooks,
        Tenancy.of(kubernetes));
    this.nodeRollout =
        new NodeRollout(
            kubernetes,
            resolver,
            admission,
            new EventRecorder(kubernetes, clock),
            settings.nodeMapping(),
            clock);
  }

  /** With every collaborator given: unit tests use fakes for the cloud, the writer and events. */
  BareMetalPowerActionReconciler(
      ReconcilerSettings settings,
      Clock clock,
      CloudTargetResolver resolver,
      JobTracker jobs,
      SubmissionCoalescer calls,
      StatusWriter writer,
      Reports.EventSink events,
      OperatorMetrics metrics,
      ReconcileHooks hooks,
      Tenancy.Source policies) {
    this.settings = settings;
    this.clock = clock;
    this.resolver = resolver;
    this.admission = new PolicyAdmission(new Tenancy(policies, clock), resolver);
    this.waiting = new CredentialsTrouble(settings, resolver);
    this.observer = new JobObserver(jobs, hooks, settings.sentCallGrace());
    this.protocol = new SubmissionProtocol(calls, settings, hooks, admission::share);
    this.recorder = new PassRecorder(writer, events, metrics, hooks);
    this.deletion = new Deletion(settings, resolver, observer, protocol, recorder);
    Backoff retries = new Backoff(settings.retryBackoffBase(), settings.retryBackoffCap());
    this.backoff = retries::delay;
    metrics.jobsInFlight(jobs::inFlight);
  }

  @Override
  public UpdateControl<BareMetalPowerAction> reconcile(
      BareMetalPowerAction cached, Context<BareMetalPowerAction> context) {
    if (NodeRollout.applies(cached)) {
      return nodes().reconcile(cached, context.getPrimaryCache().list().toList());
    }
    return reconcile(cached, context.getPrimaryCache().list().toList());
  }

  /**
   * Node changes (cordon, eviction, uncordon, fencing) only while this instance holds the Lease.
   */
  public void fenceNodeChanges(LeaseFence fence) {
    if (nodeRollout != null) {
      nodeRollout.fence(fence);
    }
  }

  private NodeRollout nodes() {
    if (nodeRollout == null) {
      throw new IllegalStateException("node rollouts need the Kubernetes API");
    }
    return nodeRollout;
  }

  /** One pass; on a write conflict, again on the resource as it is now. */
  UpdateControl<BareMetalPowerAction> reconcile(
      BareMetalPowerAction cached, Collection<BareMetalPowerAction> live) {
    BareMetalPowerAction resource = Serialization.clone(cached);
    if (terminal(resource)) {
      // Finished: only a change of suspend or deletionPolicy can come; say it was seen.
      Pass seen = new Pass(resource, clock.instant(), backoff);
      seen.status().restamp();
      recorder.record(seen);
      return UpdateControl.noUpdate();
    }
    for (int pass = 1; resource != null && !terminal(resource); pass++) {
      Pass p = new Pass(resource, clock.instant(), backoff);
      Duration wake = decide(p, live);
      if (!p.waitingForBudget()) {
        // Every way out of a pass that did not ask the budget for a permit leaves its queue.
        protocol.notWaitingForBudget(p);
      }
      if (recorder.record(p)) {
        return wake == null || p.terminal()
            ? UpdateControl.noUpdate()
            : UpdateControl.<BareMetalPowerAction>noUpdate().rescheduleAfter(wake);
      }
      if (pass == PASSES_PER_CONFLICT) {
        return UpdateControl.<BareMetalPowerAction>noUpdate().rescheduleAfter(CONFLICT_RETRY);
      }
      resource = recorder.writer().reread(resource);
    }
    return UpdateControl.noUpdate();
  }

  /** Observe, decide, record intents: the pass design.md describes. Returns when to come back. */
  private Duration decide(Pass pass, Collection<BareMetalPowerAction> live) {
    pass.acceptIfFirst();
    var verdict = admission.check(pass, null);
    if (verdict.refused()) {
      return null;
    }
    Resolution target = resolver.resolve(pass.resource());
    if (!target.ok()) {
      return waiting.forAPerson(pass, target);
    }
    pass.status().credentialsValid(target.message());
    try {
      if (verdict.needsServerData()
          && admission
              .check(pass, ServerDirectory.lookup(target.client(), pass.ledger().plan().servers()))
              .refused()) {
        return null;
      }
      if (pass.dryRun()) {
        var existing = ServerDirectory.lookup(target.client(), pass.ledger().plan().servers());
        pass.dryRunReport(new HashSet<>(existing.keySet()));
        return null;
      }
      observer.observe(pass.ledger(), target.client(), pass.now());
      CloudException refused = protocol.collect(pass, target);
      if (refused != null) {
        return waiting.credentialsRefused(pass, target, refused);
      }
      protocol.recover(pass, target);
      if (pass.deadlinePassed()) {
        return deadline(pass, target);
      }
      String waitingFor = null;
      Duration budget = null;
      if (pass.suspended()) {
        protocol.withdraw(pass);
      } else {
        var blocker = OverlapGuard.blocker(pass.resource(), live);
        waitingFor = blocker.map(OverlapGuard::describe).orElse(null);
        if (blocker.isEmpty()) {
          budget = protocol.startDue(pass, target, settings.maxActiveJobsPerResource());
        }
      }
      if (budget != null) {
        pass.waitsForBudget();
      }
      pass.summarize(waitingFor);
      Duration wake = wake(pass, target);
      return budget == null || wake == null || wake.compareTo(budget) <= 0 ? wake : budget;
    } catch (CloudException e) {
      if (e.errorClass() == ErrorClass.CREDENTIALS) {
        return waiting.credentialsRefused(pass, target, e);
      }
      LOG.atInfo()
          .setMessage("cloud call failed; the pass is retried")
          .addKeyValue("resource", pass.name())
          .addKeyValue("code", e.code())
          .addKeyValue("status", e.httpStatus())
          .log();
      pass.ledger().count();
      pass.status()
          .cloudUnavailable(
              "the cloud did not answer as needed ("
                  + BatchLedger.describe(e)
                  + "); retrying by itself");
      return e.retryAfter() != null ? e.retryAfter() : settings.pollIntervalMax();
    }
  }

  /**
   * Past the deadline: nothing new is submitted and calls not yet made are withdrawn; the resource
   * ends once no submitted job (or unresolved call) is left, so it never claims to be over while
   * its servers are still being acted on.
   */
  private Duration deadline(Pass pass, Resolution target) {
    protocol.withdraw(pass);
    if (pass.ledger().active() > 0) {
      pass.waitingAfterDeadline();
      return wake(pass, target);
    }
    pass.deadlineExceeded();
    return null;
  }

  private Duration wake(Pass pass, Resolution target) {
    if (pass.terminal()) {
      return null;
    }
    // A call handed over by this pass (after its write) or still waiting: its outcome comes soon.
    if (pass.recordsIntent() || protocol.awaitingCall(pass)) {
      return CALL_WAIT;
    }
    Instant now = pass.now();
    Instant wake = now.plus(settings.pollIntervalMax());
    for (BatchAttempt a : pass.ledger().attempts()) {
      Instant at =
          a.is(BatchState.Running)
              ? observer.due(target.client(), a.jobId(), now)
              : a.is(BatchState.Pending) ? a.notBefore() : null;
      if (a.awaitingOutcome()) {
        at = protocol.recoverableAt(a);
      }
      if (at != null && at.isBefore(wake)) {
        wake = at;
      }
    }
    Duration d = Duration.between(now, wake);
    return d.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : d;
  }

  @Override
  public ErrorStatusUpdateControl<BareMetalPowerAction> updateErrorStatus(
      BareMetalPowerAction resource, Context<BareMetalPowerAction> context, Exception e) {
    LOG.atWarn()
        .setMessage("unexpected error in a pass; retried with backoff")
        .addKeyValue("resource", resource.getMetadata().getName())
        .setCause(e)
        .log();
    if (terminal(resource) || NodeRollout.applies(resource)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    Pass pass = new Pass(Serialization.clone(resource), clock.instant(), backoff);
    pass.status().reconcileError("unexpected error, retried with backoff: " + e);
    try {
      recorder.writer().write(pass.resource());
    } catch (RuntimeException writeFailed) {
      LOG.debug("could not record the error on {}: {}", pass.name(), writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  @Override
  public DeleteControl cleanup(BareMetalPowerAction cached, Context<BareMetalPowerAction> context) {
    if (NodeRollout.applies(cached)) {
      return nodes().cleanup(cached);
    }
    return deletion.cleanup(new Pass(Serialization.clone(cached), clock.instant(), backoff));
  }

  private static boolean terminal(BareMetalPowerAction r) {
    return r.getStatus() != null
        && r.getStatus().getPhase() != null
        && r.getStatus().getPhase().isTerminal();
  }
}
