package io.bmspower;

import io.bmspower.cloud.CloudClients;
import io.bmspower.config.OperatorSettings;
import io.bmspower.reconciler.BareMetalPowerActionReconciler;
import io.bmspower.reconciler.CallGate;
import io.bmspower.reconciler.CloudAccess;
import io.bmspower.reconciler.FairShare;
import io.bmspower.reconciler.LeaseFence;
import io.bmspower.reconciler.ReconcileHooks;
import io.bmspower.reconciler.ReconcilerSettings;
import io.bmspower.reconciler.SubmissionCoalescer;
import io.bmspower.schedule.ScheduleReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring: settings, cloud clients, the JOSDK operator, metrics and health. */
public final class OperatorMain {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static int run(String[] args) throws Exception {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        OperatorSettings.usage(System.out);
        return 0;
      }
    }
    OperatorSettings settings;
    try {
      settings = OperatorSettings.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(
          "bms-power-operator: invalid settings:\n  "
              + e.getMessage().replace("\n", "\n  ")
              + "\nSee --help.");
      return 2;
    }
    LOG.info("starting bms-power-operator: {}", settings.summary());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KubernetesClient kubernetes = new KubernetesClientBuilder().build();
    RunningOperator running =
        newOperator(kubernetes, settings, registry, Clock.systemUTC(), ReconcileHooks.NONE);
    Operator operator = running.operator();
    HealthServer health =
        settings.healthPort < 0
            ? null
            : new HealthServer(
                settings.healthPort,
                () -> operator.getRuntimeInfo().isStarted(),
                () ->
                    operator.getRuntimeInfo().isStarted()
                        && operator.getRuntimeInfo().allEventSourcesAreHealthy(),
                registry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("shutting down: in-flight reconciles finish, then the operator stops");
                  running.stop();
                  if (health != null) {
                    health.close();
                  }
                  stopped.countDown();
                },
                "operator-stop"));
    operator.start();
    LOG.info(
        "operator started{}",
        health == null ? "" : "; health and metrics on port " + health.port());
    stopped.await();
    return 0;
  }

  /** The operator and what it owns beside JOSDK; stopping it stops merged calls first. */
  public record RunningOperator(
      Operator operator, SubmissionCoalescer coalescer, AtomicBoolean stopping) {
    public void start() {
      operator.start();
    }

    public void stop() {
      stopping.set(true);
      coalescer.close();
      operator.stop();
    }
  }

  /** The operator with its one controller; tests build it the same way. */
  public static RunningOperator newOperator(
      KubernetesClient kubernetes,
      OperatorSettings settings,
      MeterRegistry registry,
      Clock clock,
      ReconcileHooks hooks) {
    OperatorMetrics metrics = new OperatorMetrics(registry);
    // Set once the coalescer exists; losing the Lease closes it.
    AtomicReference<Runnable> stopSending = new AtomicReference<>(() -> {});
    // A graceful stop also ends leading; only a lost Lease halts the process.
    AtomicBoolean stopping = new AtomicBoolean();
    CloudClients clouds =
        new CloudClients(settings.cloudClientSettings(), clock, metrics::cloudCall);
    LeaseFence.ApiServerLease lease =
        LeaseFence.of(
            kubernetes,
            settings.leaseNamespace,
            settings.leaseName,
            settings.identity,
            settings.leaseRenewDeadline,
            clock,
            metrics::leaseTransitions);
    LeaseFence fence = settings.leaderElection ? lease : LeaseFence.NONE;
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(kubernetes)
                  .withConcurrentReconciliationThreads(settings.reconcileThreads)
                  .withMetrics(
                      MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry)
                          .build())
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(30))
                  .withCloseClientOnStop(false);
              if (settings.leaderElection) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        settings.leaseName,
                        settings.leaseNamespace,
                        settings.leaseDuration,
                        settings.leaseRenewDeadline,
                        settings.leaseRetryPeriod,
                        settings.identity,
                        new LeaderCallbacks(
                            () -> {
                              lease.tookLease();
                              metrics.leader(true);
                              LeaseOwner.adoptInBackground(
                                  kubernetes,
                                  settings.leaseNamespace,
                                  settings.leaseName,
                                  settings.leaseOwner);
                            },
                            () -> {
                              // Stop sending at once (queued calls are dropped, not drained)
                              // and exit now: a graceful stop would let in-flight passes run on.
                              metrics.leader(false);
                              stopSending.get().run();
                              if (!stopping.get()) {
                                LOG.warn("lost the Lease: sent nothing more; exiting");
                                Runtime.getRuntime().halt(1);
                              }
                            },
                            leader -> {}),
                        // Not JOSDK's exit: System.exit inside a graceful stop's shutdown hook
                        // would block; the callback above halts on a lost Lease instead.
                        false));
              }
            });
    // One way to make a call: with merging off, every call has one participant.
    SubmissionCoalescer coalescer =
        new SubmissionCoalescer(
            settings.batchAcrossResources ? settings.batchLinger : Duration.ZERO,
            settings.batchAcrossResources ? settings.batchMaxWait : Duration.ZERO,
            settings.batchAcrossResources ? Integer.MAX_VALUE : 1,
            new CallGate(
                clock,
                settings.maxIntentAge,
                fence,
                why -> metrics.requestDropped(why.name().toLowerCase())),
            hooks,
            clock,
            new FairShare(settings.fairShare, settings.budgetAging, metrics::budgetGranted));
    stopSending.set(coalescer::close);
    BareMetalPowerActionReconciler reconciler =
        new BareMetalPowerActionReconciler(
            kubernetes,
            clouds::client,
            ReconcilerSettings.from(settings),
            settings.queriesPerMinute,
            clock,
            hooks,
            metrics,
            coalescer);
    reconciler.fenceNodeChanges(fence);
    operator.register(
        reconciler,
        c -> {
          if (!settings.namespaces.isEmpty()) {
            c.settingNamespaces(settings.namespaces);
          }
          // Cloud trouble is handled inside a pass; JOSDK retries only Kubernetes API failures.
          c.withRetry(
              new GenericRetry()
                  .setInitialInterval(1000)
                  .setIntervalMultiplier(2)
                  .setMaxInterval(60_000)
                  .setMaxAttempts(20));
        });
    if (!schedulesInstalled(kubernetes, settings)) {
      LOG.warn(
          "the BareMetalPowerSchedule CRD is not installed (helm upgrade does not add CRDs:"
              + " kubectl apply -f crds/); schedules are off until it is and the operator restarts");
      return new RunningOperator(operator, coalescer, stopping);
    }
    operator.register(
        new ScheduleReconciler(
            kubernetes,
            new CloudAccess(kubernetes, clouds::client, ReconcilerSettings.from(settings), clock),
            clock,
            settings.scheduleRecheck,
            settings.driftCheckInterval),
        c -> {
          if (!settings.namespaces.isEmpty()) {
            c.settingNamespaces(settings.namespaces);
          }
        });
    return new RunningOperator(operator, coalescer, stopping);
  }

  /** Whether the schedule CRD is served (an upgrade from a version without it may lack it). */
  private static boolean schedulesInstalled(
      KubernetesClient kubernetes, OperatorSettings settings) {
    try {
      var schedules = kubernetes.resources(io.bmspower.api.v1alpha1.BareMetalPowerSchedule.class);
      var limitOne = new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build();
      if (settings.namespaces.isEmpty()) {
        schedules.inAnyNamespace().list(limitOne);
      } else {
        schedules.inNamespace(settings.namespaces.iterator().next()).list(limitOne);
      }
      return true;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }
}
