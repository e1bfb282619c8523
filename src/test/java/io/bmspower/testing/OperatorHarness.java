package io.bmspower.testing;

import static org.awaitility.Awaitility.await;

import io.bmspower.OperatorMain;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.SecretReference;
import io.bmspower.config.OperatorSettings;
import io.bmspower.reconciler.ReconcileHooks;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/** An in-process operator against the real API server, scoped to one fresh namespace. */
public final class OperatorHarness implements AutoCloseable {

  public final KubernetesClient client;
  public final String namespace = "t-" + UUID.randomUUID().toString().substring(0, 8);
  public final SimulatorFixture sim;
  public final OperatorSettings settings = new OperatorSettings();
  private OperatorMain.RunningOperator operator;

  public OperatorHarness(SimulatorFixture sim) {
    this(sim, LocalControlPlane.get().newClient());
  }

  /** Against another API server than the shared one; the harness closes the client. */
  public OperatorHarness(SimulatorFixture sim, KubernetesClient client) {
    this.sim = sim;
    this.client = client;
    client
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .serverSideApply();
    settings.namespaces = Set.of(namespace);
    settings.healthPort = -1;
    settings.pollIntervalMin = Duration.ofMillis(200);
    settings.pollIntervalMax = Duration.ofSeconds(1);
    settings.retryBackoffBase = Duration.ofMillis(200);
    settings.retryBackoffCap = Duration.ofSeconds(1);
    settings.ambiguousGrace = Duration.ofSeconds(1);
    // Short bounds, so recovering an intent no process knows takes 3 + 5 + 1 s, not minutes.
    settings.batchMaxWait = Duration.ofSeconds(2);
    settings.maxIntentAge = Duration.ofSeconds(3);
    settings.cloudRequestTimeout = Duration.ofSeconds(5);
    settings.credentialsRecheck = Duration.ofMillis(500);
    settings.deletionWaitTimeout = Duration.ofMinutes(2);
  }

  public OperatorHarness startOperator() {
    return startOperator(ReconcileHooks.NONE);
  }

  public OperatorHarness startOperator(ReconcileHooks hooks) {
    return startOperator(client, hooks);
  }

  /** Runs the operator on this clock (a test moves it; JOSDK's timers stay real). */
  public OperatorHarness startOperator(Clock clock) {
    operator =
        OperatorMain.newOperator(
            client, settings, new SimpleMeterRegistry(), clock, ReconcileHooks.NONE);
    operator.start();
    return this;
  }

  /** Runs the operator with this client's identity (e.g. a ServiceAccount token). */
  public OperatorHarness startOperator(KubernetesClient as) {
    return startOperator(as, ReconcileHooks.NONE);
  }

  private OperatorHarness startOperator(KubernetesClient as, ReconcileHooks hooks) {
    operator =
        OperatorMain.newOperator(as, settings, new SimpleMeterRegistry(), Clock.systemUTC(), hooks);
    operator.start();
    return this;
  }

  public void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  public Secret createAkSkSecret(String name) {
    return client.resource(SimulatorFixture.akSkSecret(namespace, name, sim.options)).create();
  }

  public Secret createPasswordSecret(String name, String password) {
    return client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withStringData(
                    Map.of(
                        "username",
                        sim.options.iamUser,
                        "password",
                        password,
                        "domainName",
                        sim.options.iamDomain,
                        "iamEndpoint",
                        sim.simulator.baseUrl()))
                .build())
        .create();
  }

  public BareMetalPowerAction create(
      String name, List<String> servers, Consumer<BareMetalPowerActionSpec> configure) {
    var resource = new BareMetalPowerAction();
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    var spec = new BareMetalPowerActionSpec();
    spec.setServers(new ArrayList<>(servers));
    var cloud = new CloudSpec();
    cloud.setEndpoint(sim.simulator.baseUrl());
    cloud.setProjectId(sim.options.projectId);
    cloud.setCredentialsSecretRef(new SecretReference("bms-credentials"));
    spec.setCloud(cloud);
    configure.accept(spec);
    resource.setSpec(spec);
    return client.resource(resource).create();
  }

  public BareMetalPowerAction get(String name) {
    return client.resources(BareMetalPowerAction.class).inNamespace(namespace).withName(name).get();
  }

  public BareMetalPowerAction awaitPhase(String name, Phase phase, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              var r = get(name);
              return r != null && r.getStatus() != null && r.getStatus().getPhase() == phase;
            });
    return get(name);
  }

  public List<io.fabric8.kubernetes.api.model.Event> events(String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  @Override
  public void close() {
    stopOperator();
    client.close();
  }
}
