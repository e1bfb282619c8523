package io.bmspower.reconciler;

import static org.awaitility.Awaitility.await;

import io.bmspower.OperatorMetrics;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.BareMetalPowerPolicy;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.cloud.BmsClient;
import io.bmspower.simulator.InProcessBmsClient;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The reconciler with everything around it faked in memory: the cloud is the simulator's state
 * machine without sockets, time moves only when a test moves it, status writes can conflict and
 * Events are recorded. No API server, no threads of JOSDK.
 */
final class ReconcilerFixture implements AutoCloseable {

  static final Duration GRACE = Duration.ofSeconds(20);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** A call made without an answer is judged this long after it was made. */
  static final Duration SENT_CALL_GRACE = REQUEST_TIMEOUT.plus(GRACE);

  static final Duration MAX_INTENT_AGE = Duration.ofSeconds(40);
  static final Duration UNKNOWN_INTENT_GRACE = MAX_INTENT_AGE.plus(SENT_CALL_GRACE);

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T08:00:00Z"));
  final SimulatorOptions options = new SimulatorOptions();
  final InProcessBmsClient cloud;
  final InMemoryStatusWriter api = new InMemoryStatusWriter();
  final RecordingEvents events = new RecordingEvents();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final SubmissionCoalescer calls;
  final BareMetalPowerActionReconciler reconciler;

  /** What the Secret holds and its version; tests rotate it. */
  volatile String secretVersion = "1";

  /** False: the Secret does not exist. */
  volatile boolean secretExists = true;

  volatile BmsClient client;

  /** The BareMetalPowerPolicies in the cluster and the namespaces' labels; tests add them. */
  final List<BareMetalPowerPolicy> policies = new java.util.concurrent.CopyOnWriteArrayList<>();

  final Map<String, Map<String, String>> namespaceLabels =
      new java.util.concurrent.ConcurrentHashMap<>();

  static final String IDENTITY = "operator-0";

  /** Whether this instance holds the Lease; tests take it away. */
  volatile boolean leading = true;

  /** The Lease's term this instance holds, and since when it leads (null: no leader election). */
  volatile Long epoch;

  volatile Instant leadingSince;

  private final LeaseFence fence =
      new LeaseFence() {
        @Override
        public boolean holds() {
          return leading;
        }

        @Override
        public Long epoch() {
          return epoch;
        }

        @Override
        public Instant leadingSince() {
          return leadingSince;
        }
      };

  ReconcilerFixture(Consumer<SimulatorOptions> configure) {
    this(configure, 1, Duration.ZERO, 3);
  }

  ReconcilerFixture(
      Consumer<SimulatorOptions> configure,
      int participantsPerCall,
      Duration linger,
      int maxActiveJobs) {
    options.servers = 50;
    options.jobDuration = Duration.ofSeconds(10);
    configure.accept(options);
    cloud = new InProcessBmsClient(options, clock);
    client = cloud;
    calls =
        new SubmissionCoalescer(
            linger,
            linger,
            participantsPerCall,
            new CallGate(clock, MAX_INTENT_AGE, fence, why -> {}),
            ReconcileHooks.NONE,
            clock,
            FairShare.byDefault());
    ReconcilerSettings settings =
        new ReconcilerSettings(
            "https://bms.example.com",
            options.projectId,
            null,
            maxActiveJobs,
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            GRACE,
            Duration.ofMinutes(10),
            Duration.ofSeconds(15),
            REQUEST_TIMEOUT,
            MAX_INTENT_AGE,
            IDENTITY,
            null);
    reconciler =
        new BareMetalPowerActionReconciler(
            settings,
            clock,
            new CloudTargetResolver(settings, (ns, name) -> secret(ns, name), (e, c) -> client),
            new JobTracker(Duration.ofSeconds(2), Duration.ofSeconds(30), 2000),
            calls,
            api,
            events,
            new OperatorMetrics(registry),
            ReconcileHooks.NONE,
            new Tenancy.Source() {
              @Override
              public List<BareMetalPowerPolicy> policies() {
                return List.copyOf(policies);
              }

              @Override
              public Map<String, String> namespaceLabels(String namespace) {
                return namespaceLabels.getOrDefault(namespace, Map.of());
              }
            });
  }

  private Secret secret(String namespace, String name) {
    if (!secretExists) {
      return null;
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withResourceVersion(secretVersion)
        .endMetadata()
        .withStringData(Map.of("accessKey", options.accessKey, "secretKey", options.secretKey))
        .build();
  }

  List<String> servers(int from, int to) {
    return cloud.inventory().subList(from, to);
  }

  BareMetalPowerAction create(
      String name, List<String> servers, Consumer<BareMetalPowerActionSpec> configure) {
    var resource = new BareMetalPowerAction();
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("ns")
            .withUid(UUID.randomUUID().toString())
            .withGeneration(1L)
            .withCreationTimestamp(Rfc3339.format(clock.instant()))
            .build());
    var spec = new BareMetalPowerActionSpec();
    spec.setServers(new ArrayList<>(servers));
    spec.setCloud(new CloudSpec());
    configure.accept(spec);
    resource.setSpec(spec);
    clock.advance(Duration.ofSeconds(1));
    return api.put(resource);
  }

  /** One reconcile of the resource as the API server has it; waits for calls it handed over. */
  UpdateControl<BareMetalPowerAction> pass(String name) {
    var control = reconciler.reconcile(api.get(name), api.all());
    awaitIdle();
    return control;
  }

  /** One reconcile; calls it hands over may still be queued or in flight. */
  UpdateControl<BareMetalPowerAction> passNoWait(String name) {
    return reconciler.reconcile(api.get(name), api.all());
  }

  /** One reconcile whose informer cache holds only this resource (a cache that lags). */
  UpdateControl<BareMetalPowerAction> passAlone(String name) {
    return reconciler.reconcile(api.get(name), List.of(api.get(name)));
  }

  void awaitIdle() {
    await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .atMost(Duration.ofSeconds(10))
        .until(calls::idle);
  }

  /** Passes and moves the clock by the reconciler's own wake time until the phase is terminal. */
  BareMetalPowerAction runToEnd(String name) {
    for (int i = 0; i < 500; i++) {
      var control = pass(name);
      BareMetalPowerAction r = api.get(name);
      if (r.getStatus() != null
          && r.getStatus().getPhase() != null
          && r.getStatus().getPhase().isTerminal()) {
        return r;
      }
      clock.advance(Duration.ofMillis(control.getScheduleDelay().orElse(1000L)));
    }
    throw new AssertionError(name + " did not finish: " + api.get(name).getStatus());
  }

  Phase phase(String name) {
    var r = api.get(name);
    return r.getStatus() == null ? null : r.getStatus().getPhase();
  }

  void edit(String name, UnaryOperator<BareMetalPowerAction> change) {
    api.touch(name, change);
  }

  double metric(String name, String tag, String value) {
    var counter = registry.find(name).tag(tag, value).counter();
    return counter == null ? 0 : counter.count();
  }

  @Override
  public void close() {
    calls.close();
  }
}
