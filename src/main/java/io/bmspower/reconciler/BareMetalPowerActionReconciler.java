package io.bmspower.reconciler;

import io.bmspower.OperatorMetrics;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.BatchState;
import io.bmspower.api.v1alpha1.BatchStatus;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.api.v1alpha1.DeletionPolicy;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.Credentials;
import io.bmspower.cloud.ErrorClass;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles {@link BareMetalPowerAction}: one level-triggered, idempotent pass per call. Cloud
 * calls go out only after an optimistic-locked status write records the intent.
 */
@ControllerConfiguration(name = "baremetalpoweraction")
public class BareMetalPowerActionReconciler
    implements Reconciler<BareMetalPowerAction>, Cleaner<BareMetalPowerAction> {

  private static final Logger LOG = LoggerFactory.getLogger(BareMetalPowerActionReconciler.class);
  private static final Duration CONFLICT_RETRY = Duration.ofMillis(300);
  private static final Duration SETTINGS_RECHECK = Duration.ofMinutes(1);
  private static final Duration MERGED_CALL_WAIT = Duration.ofMillis(300);

  private final KubernetesClient kubernetes;
  private final BiFunction<CloudEndpoint, Credentials, BmsClient> clients;
  private final ReconcilerSettings settings;
  private final Clock clock;
  private final JobTracker jobs;
  private final SubmissionCoalescer coalescer;
  private final EventRecorder events;
  private final ReconcileHooks hooks;
  private final OperatorMetrics metrics;
  private final Map<String, Integer> submitFailures = new ConcurrentHashMap<>();

  /** Resource UID -> resourceVersion of the Secret whose credentials the cloud refused. */
  private final Map<String, String> refusedSecrets = new ConcurrentHashMap<>();

  public BareMetalPowerActionReconciler(
      KubernetesClient kubernetes,
      BiFunction<CloudEndpoint, Credentials, BmsClient> clients,
      ReconcilerSettings settings,
      int queriesPerMinute,
      Clock clock,
      ReconcileHooks hooks,
      OperatorMetrics metrics,
      SubmissionCoalescer coalescer) {
    this.kubernetes = kubernetes;
    this.coalescer = coalescer;
    this.metrics = metrics;
    this.clients = clients;
    this.settings = settings;
    this.clock = clock;
    this.jobs =
        new JobTracker(settings.pollIntervalMin(), settings.pollIntervalMax(), queriesPerMinute);
    this.events = new EventRecorder(kubernetes, clock);
    this.hooks = hooks;
    metrics.jobsInFlight(jobs::inFlight);
  }

  @Override
  public UpdateControl<BareMetalPowerAction> reconcile(
      BareMetalPowerAction cached, Context<BareMetalPowerAction> context) {
    BareMetalPowerAction resource = Serialization.clone(cached);
    try {
      return reconcileCopy(resource);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        LOG.debug("status of {} changed meanwhile; retrying", name(resource));
        return UpdateControl.<BareMetalPowerAction>noUpdate().rescheduleAfter(CONFLICT_RETRY);
      }
      throw e;
    }
  }

  private UpdateControl<BareMetalPowerAction> reconcileCopy(BareMetalPowerAction resource) {
    Instant now = clock.instant();
    BareMetalPowerActionStatus status =
        resource.getStatus() == null ? new BareMetalPowerActionStatus() : resource.getStatus();
    resource.setStatus(status);
    if (status.getPhase() != null && status.getPhase().isTerminal()) {
      return UpdateControl.noUpdate();
    }
    BareMetalPowerActionStatus before = Serialization.clone(status);
    long generation = Objects.requireNonNullElse(resource.getMetadata().getGeneration(), 1L);
    status.setObservedGeneration(generation);
    boolean first = status.getTotal() == null;
    if (first) {
      start(resource, status, now, generation);
    }
    if (deadlinePassed(resource, status, now)) {
      finish(
          resource,
          status,
          Phase.Failed,
          "DeadlineExceeded",
          "activeDeadlineSeconds ("
              + resource.getSpec().getActiveDeadlineSeconds()
              + "s) passed with "
              + status.getProgress()
              + " servers done; jobs already submitted cannot be cancelled",
          now,
          generation);
      return writeIfChanged(resource, before, null);
    }
    CloudTarget target = target(resource);
    if (target == null) {
      Conditions.set(
          status.getConditions(),
          Conditions.ACCEPTED,
          false,
          "CloudSettingsMissing",
          "spec.cloud.endpoint and spec.cloud.projectId (or the operator's defaults --default-endpoint and --default-project-id) are required",
          generation,
          now);
      setWaiting(status, "CloudSettingsMissing", "waiting for cloud settings", generation, now);
      return writeIfChanged(resource, before, SETTINGS_RECHECK);
    }
    Secret secret =
        kubernetes
            .secrets()
            .inNamespace(target.secretNamespace())
            .withName(target.secretName())
            .get();
    CredentialsResolver.Result credentials =
        CredentialsResolver.resolve(
            secret, target.secretNamespace(), target.secretName(), target.endpoint());
    if (!credentials.ok()) {
      if (!Conditions.find(status.getConditions(), Conditions.CREDENTIALS_VALID)
          .map(c -> credentials.reason().equals(c.getReason()))
          .orElse(false)) {
        events.warning(resource, credentials.reason(), credentials.message());
      }
      Conditions.set(
          status.getConditions(),
          Conditions.CREDENTIALS_VALID,
          false,
          credentials.reason(),
          credentials.message(),
          generation,
          now);
      setWaiting(status, "WaitingForCredentials", credentials.message(), generation, now);
      StatusSummary.count(status);
      return writeIfChanged(resource, before, settings.credentialsRecheck());
    }
    String refusedVersion = refusedSecrets.get(resource.getMetadata().getUid());
    if (refusedVersion != null
        && refusedVersion.equals(secret.getMetadata().getResourceVersion())) {
      return writeIfChanged(resource, before, settings.credentialsRecheck());
    }
    refusedSecrets.remove(resource.getMetadata().getUid());
    Conditions.set(
        status.getConditions(),
        Conditions.CREDENTIALS_VALID,
        true,
        credentials.reason(),
        credentials.message(),
        generation,
        now);
    BmsClient client = clients.apply(target.endpoint(), credentials.credentials());
    Pass pass = newPass(resource, target, credentials.credentials(), now);
    try {
      if (Boolean.TRUE.equals(resource.getSpec().getDryRun())) {
        pass.dryRun();
        StatusSummary.count(status);
        Phase phase = Pass.nz(status.getFailed()) == 0 ? Phase.Succeeded : Phase.Failed;
        String message =
            "dry run: "
                + resource.getSpec().getServers().size()
                + " servers would go out in "
                + status.getPlannedBatches()
                + " action call(s) of up to "
                + resource.getSpec().getBatchSize()
                + "; credentials accepted"
                + (Pass.nz(status.getFailed()) > 0
                    ? "; " + status.getFailed() + " server(s) do not exist"
                    : "; every server exists");
        finish(
            pass.resource(),
            status,
            phase,
            phase == Phase.Succeeded ? "DryRunSucceeded" : "DryRunFoundUnknownServers",
            message,
            now,
            generation);
        return writeIfChanged(pass.resource(), before, null);
      }
      pass.observe();
      pass.collectOutcomes();
      pass.recoverAmbiguous();
      if (Boolean.TRUE.equals(resource.getSpec().getSuspend())) {
        pass.withdrawQueued();
      } else {
        pass.act();
      }
    } catch (CloudException e) {
      if (e.errorClass() != ErrorClass.CREDENTIALS) {
        throw e;
      }
      refusedSecrets.put(
          resource.getMetadata().getUid(), secret.getMetadata().getResourceVersion());
      String message =
          "the cloud refused the credentials from Secret "
              + target.secretNamespace()
              + "/"
              + target.secretName()
              + ": "
              + Pass.describe(e)
              + "; fix the Secret and the action resumes (no further calls until it changes)";
      Conditions.set(
          status.getConditions(),
          Conditions.CREDENTIALS_VALID,
          false,
          "CredentialsRejected",
          message,
          generation,
          now);
      setWaiting(status, "CredentialsRejected", message, generation, now);
      events.warning(pass.resource(), "CredentialsRejected", message);
      StatusSummary.count(status);
      return writeIfChanged(pass.resource(), before, settings.credentialsRecheck());
    }
    return summarize(pass, status, before, generation, now);
  }

  private Pass newPass(
      BareMetalPowerAction resource, CloudTarget target, Credentials credentials, Instant now) {
    BmsClient client = clients.apply(target.endpoint(), credentials);
    SubmissionCoalescer.Key key =
        coalescer == null
            ? null
            : new SubmissionCoalescer.Key(
                target.endpoint(), credentials, resource.getSpec().getAction());
    return new Pass(passContext(), resource, client, key, now);
  }

  private UpdateControl<BareMetalPowerAction> summarize(
      Pass pass,
      BareMetalPowerActionStatus status,
      BareMetalPowerActionStatus before,
      long generation,
      Instant now) {
    BareMetalPowerAction resource = pass.resource();
    StatusSummary.count(status);
    if (StatusSummary.allDone(status)) {
      Phase phase = StatusSummary.terminalPhase(status);
      String message =
          status.getSucceeded()
              + " of "
              + status.getTotal()
              + " servers done, "
              + status.getFailed()
              + " failed"
              + (status.getFailureCounts().isEmpty() ? "" : " " + status.getFailureCounts());
      finish(
          resource,
          status,
          phase,
          phase == Phase.Succeeded
              ? "AllServersDone"
              : phase == Phase.Failed ? "AllServersFailed" : "SomeServersFailed",
          message,
          now,
          generation);
      return writeIfChanged(resource, before, null);
    }
    boolean suspended = Boolean.TRUE.equals(resource.getSpec().getSuspend());
    boolean wasSuspended = Conditions.isTrue(status.getConditions(), Conditions.SUSPENDED);
    int active =
        (int)
            status.getBatches().stream()
                .filter(
                    b ->
                        b.getState() == BatchState.Running || b.getState() == BatchState.Submitting)
                .count();
    if (suspended) {
      if (!wasSuspended) {
        events.normal(
            resource,
            "Suspended",
            "nothing new is submitted; " + active + " job(s) already submitted run to their end");
      }
      Conditions.set(
          status.getConditions(),
          Conditions.SUSPENDED,
          true,
          "SuspendedBySpec",
          "spec.suspend is true: nothing new is submitted; "
              + status.getInProgress()
              + " server(s) in jobs already submitted",
          generation,
          now);
      Conditions.set(
          status.getConditions(),
          Conditions.PROGRESSING,
          active > 0,
          active > 0 ? "JobsRunning" : "Suspended",
          active + " job(s) running, " + status.getPending() + " server(s) waiting",
          generation,
          now);
      status.setPhase(Phase.Suspended);
    } else {
      if (wasSuspended) {
        events.normal(resource, "Resumed", "spec.suspend is false again: submitting resumes");
      }
      Conditions.set(
          status.getConditions(),
          Conditions.SUSPENDED,
          false,
          "NotSuspended",
          "spec.suspend is false",
          generation,
          now);
      String waiting =
          status.getBatches().stream()
              .filter(b -> b.getState() == BatchState.Pending && b.getMessage() != null)
              .map(BatchStatus::getMessage)
              .findFirst()
              .orElse(null);
      Conditions.set(
          status.getConditions(),
          Conditions.PROGRESSING,
          true,
          active > 0 ? "JobsRunning" : "WaitingToSubmit",
          active
              + " job(s) running; "
              + status.getProgress()
              + " servers done"
              + (waiting != null ? "; " + waiting : ""),
          generation,
          now);
      status.setPhase(Pass.nz(status.getNextBatch()) == 0 ? Phase.Pending : Phase.Running);
    }
    Conditions.set(
        status.getConditions(),
        Conditions.COMPLETE,
        false,
        "InProgress",
        status.getProgress() + " servers done",
        generation,
        now);
    Conditions.set(
        status.getConditions(),
        Conditions.FAILED,
        false,
        "InProgress",
        status.getFailed() + " server(s) failed so far",
        generation,
        now);
    return writeIfChanged(resource, before, nextWake(pass, status, now));
  }

  private void start(
      BareMetalPowerAction resource,
      BareMetalPowerActionStatus status,
      Instant now,
      long generation) {
    BatchPlan plan = BatchPlan.of(resource.getSpec());
    status.setTotal(plan.servers().size());
    status.setPlannedBatches(plan.batches());
    status.setNextBatch(0);
    status.setSucceeded(0);
    status.setFailed(0);
    status.setStartTime(Rfc3339.format(now));
    status.setPhase(Phase.Pending);
    String message =
        resource.getSpec().getAction()
            + " of "
            + plan.servers().size()
            + " server(s) in "
            + plan.batches()
            + " batch(es) of up to "
            + plan.batchSize()
            + (Boolean.TRUE.equals(resource.getSpec().getDryRun()) ? " (dry run)" : "");
    Conditions.set(
        status.getConditions(), Conditions.ACCEPTED, true, "Accepted", message, generation, now);
    StatusSummary.count(status);
    events.normal(resource, "Accepted", message);
  }

  private boolean deadlinePassed(
      BareMetalPowerAction resource, BareMetalPowerActionStatus status, Instant now) {
    Long seconds = resource.getSpec().getActiveDeadlineSeconds();
    return seconds != null
        && !now.isBefore(Rfc3339.parse(status.getStartTime()).plusSeconds(seconds));
  }

  private void finish(
      BareMetalPowerAction resource,
      BareMetalPowerActionStatus status,
      Phase phase,
      String reason,
      String message,
      Instant now,
      long generation) {
    StatusSummary.count(status);
    status.setPhase(phase);
    status.setCompletionTime(Rfc3339.format(now));
    Conditions.set(
        status.getConditions(), Conditions.PROGRESSING, false, reason, message, generation, now);
    Conditions.set(
        status.getConditions(),
        Conditions.COMPLETE,
        phase != Phase.Failed,
        reason,
        message,
        generation,
        now);
    Conditions.set(
        status.getConditions(),
        Conditions.FAILED,
        phase == Phase.Failed || phase == Phase.PartiallySucceeded,
        reason,
        message,
        generation,
        now);
    Conditions.set(
        status.getConditions(),
        Conditions.SUSPENDED,
        false,
        "Finished",
        "the action has ended",
        generation,
        now);
    if (phase == Phase.Succeeded) {
      events.normal(resource, reason, message);
    } else {
      events.warning(resource, reason, message);
    }
  }

  private static void setWaiting(
      BareMetalPowerActionStatus status,
      String reason,
      String message,
      long generation,
      Instant now) {
    Conditions.set(
        status.getConditions(), Conditions.PROGRESSING, false, reason, message, generation, now);
    if (status.getPhase() == null) {
      status.setPhase(Phase.Pending);
    }
  }

  private CloudTarget target(BareMetalPowerAction resource) {
    CloudSpec cloud =
        resource.getSpec().getCloud() == null ? new CloudSpec() : resource.getSpec().getCloud();
    String endpoint =
        cloud.getEndpoint() != null ? cloud.getEndpoint() : settings.defaultEndpoint();
    String project =
        cloud.getProjectId() != null ? cloud.getProjectId() : settings.defaultProjectId();
    String namespace = resource.getMetadata().getNamespace();
    String secret =
        cloud.getCredentialsSecretRef() != null
            ? cloud.getCredentialsSecretRef().getName()
            : settings.defaultCredentialsSecret();
    if (endpoint == null || project == null) {
      return null;
    }
    if (secret == null) {
      secret = "bms-credentials";
    } else if (cloud.getCredentialsSecretRef() == null && secret.contains("/")) {
      namespace = secret.substring(0, secret.indexOf('/'));
      secret = secret.substring(secret.indexOf('/') + 1);
    }
    return new CloudTarget(CloudEndpoint.of(endpoint, project), namespace, secret);
  }

  private Duration nextWake(Pass pass, BareMetalPowerActionStatus status, Instant now) {
    if (pass.awaitingMergedCall()) {
      return MERGED_CALL_WAIT;
    }
    Instant wake = now.plus(settings.pollIntervalMax());
    for (BatchStatus b : status.getBatches()) {
      if (b.getState() == BatchState.Running && b.getJobId() != null) {
        Instant due = jobs.due(pass.jobKey(b.getJobId()), now);
        wake = due.isBefore(wake) ? due : wake;
      }
    }
    for (BatchStatus b : status.getBatches()) {
      Instant at = null;
      if (b.getState() == BatchState.Pending && b.getNotBefore() != null) {
        at = Rfc3339.parse(b.getNotBefore());
      } else if (b.getState() == BatchState.Submitting
          && b.getJobId() == null
          && b.getSubmittedAt() != null) {
        at = Rfc3339.parse(b.getSubmittedAt()).plus(settings.ambiguousGrace());
      }
      if (at != null && at.isBefore(wake)) {
        wake = at;
      }
    }
    Duration d = Duration.between(now, wake);
    return d.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : d;
  }

  private UpdateControl<BareMetalPowerAction> writeIfChanged(
      BareMetalPowerAction resource, BareMetalPowerActionStatus before, Duration reschedule) {
    if (!resource.getStatus().equals(before)) {
      writeStatus(resource);
    }
    UpdateControl<BareMetalPowerAction> control = UpdateControl.noUpdate();
    return reschedule == null ? control : control.rescheduleAfter(reschedule);
  }

  /** PUT of the status subresource with the resource's version: a stale view gets a 409. */
  BareMetalPowerAction writeStatus(BareMetalPowerAction resource) {
    BareMetalPowerAction written = kubernetes.resource(resource).updateStatus();
    metrics.statusWrite();
    resource.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    return written;
  }

  private Pass.Context passContext() {
    return new Pass.Context(
        settings, jobs, events, hooks, this::writeStatus, submitFailures, metrics, coalescer);
  }

  // ---- deletion ------------------------------------------------------------------------------

  @Override
  public DeleteControl cleanup(BareMetalPowerAction cached, Context<BareMetalPowerAction> context) {
    BareMetalPowerAction resource = Serialization.clone(cached);
    if (coalescer != null) {
      // Deletion never starts an action: requests still waiting to be merged are withdrawn.
      coalescer.cancelAll(resource.getMetadata().getUid());
    }
    BareMetalPowerActionStatus status = resource.getStatus();
    refusedSecrets.remove(resource.getMetadata().getUid());
    boolean running =
        status != null
            && status.getBatches().stream()
                .anyMatch(
                    b ->
                        b.getState() == BatchState.Running && b.getJobId() != null
                            || b.getState() == BatchState.Submitting && b.getJobId() == null);
    if (!running || status.getPhase() != null && status.getPhase().isTerminal()) {
      return DeleteControl.defaultDelete();
    }
    if (resource.getSpec().getDeletionPolicy() == DeletionPolicy.Abandon) {
      events.normal(
          resource,
          "Abandoned",
          "deleted with deletionPolicy Abandon: "
              + status.getInProgress()
              + " server(s) in jobs that run on untracked");
      return DeleteControl.defaultDelete();
    }
    Instant now = clock.instant();
    Instant deletedAt = Instant.parse(resource.getMetadata().getDeletionTimestamp());
    if (now.isAfter(deletedAt.plus(settings.deletionWaitTimeout()))) {
      events.warning(
          resource,
          "DeletionWaitTimedOut",
          "gave up waiting for running jobs after " + settings.deletionWaitTimeout());
      return DeleteControl.defaultDelete();
    }
    try {
      CloudTarget target = target(resource);
      Secret secret =
          target == null
              ? null
              : kubernetes
                  .secrets()
                  .inNamespace(target.secretNamespace())
                  .withName(target.secretName())
                  .get();
      CredentialsResolver.Result credentials =
          target == null
              ? null
              : CredentialsResolver.resolve(
                  secret, target.secretNamespace(), target.secretName(), target.endpoint());
      if (credentials == null || !credentials.ok()) {
        events.warning(
            resource,
            "DeletionNotWaiting",
            "cannot poll the running jobs without cloud settings and credentials; releasing");
        return DeleteControl.defaultDelete();
      }
      BareMetalPowerActionStatus before = Serialization.clone(status);
      Pass pass = newPass(resource, target, credentials.credentials(), now);
      pass.withdrawQueued();
      pass.collectOutcomes();
      pass.observe();
      StatusSummary.count(status);
      if (!status.equals(before)) {
        writeStatus(pass.resource());
      }
      if (pass.awaitingMergedCall()) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(MERGED_CALL_WAIT);
      }
      if (pass.active() == 0
          || status.getBatches().stream().noneMatch(b -> b.getState() == BatchState.Running)) {
        return DeleteControl.defaultDelete();
      }
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(settings.pollIntervalMin());
    } catch (CloudException e) {
      LOG.info("while deleting {}: {}", name(resource), e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(settings.pollIntervalMax());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(CONFLICT_RETRY);
      }
      throw e;
    }
  }

  private static String name(BareMetalPowerAction r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
