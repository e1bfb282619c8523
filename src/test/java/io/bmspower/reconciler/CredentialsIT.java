package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialsIT {

  @Test
  void aMissingSecretIsReportedAndTheActionContinuesOnceItExists() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 20);
        var h = new OperatorHarness(sim)) {
      h.startOperator();

      h.create("no-secret", sim.simulator.inventory(), spec -> {});
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  credentialsCondition(h, "no-secret") != null
                      && "SecretNotFound".equals(credentialsCondition(h, "no-secret").getReason()));
      Condition missing = credentialsCondition(h, "no-secret");
      assertThat(missing.getStatus()).isEqualTo("False");
      assertThat(missing.getMessage())
          .contains("Secret " + h.namespace + "/bms-credentials does not exist");
      assertThat(h.get("no-secret").getStatus().getPhase()).isEqualTo(Phase.Pending);
      assertThat(sim.stats().path("actionCalls").asInt()).isZero();

      h.createAkSkSecret("bms-credentials");
      var done = h.awaitPhase("no-secret", Phase.Succeeded, Duration.ofSeconds(30));
      assertThat(credentialsCondition(h, "no-secret").getStatus()).isEqualTo("True");
      assertThat(done.getStatus().getSucceeded()).isEqualTo(20);
    }
  }

  @Test
  void anIncompleteSecretNamesTheMissingKeys() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 5);
        var h = new OperatorHarness(sim)) {
      h.client
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("bms-credentials")
                  .withNamespace(h.namespace)
                  .endMetadata()
                  .withStringData(Map.of("accessKey", "AKONLY"))
                  .build())
          .create();
      h.startOperator();

      h.create("incomplete", sim.simulator.inventory(), spec -> {});
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> credentialsCondition(h, "incomplete") != null);

      assertThat(credentialsCondition(h, "incomplete").getReason()).isEqualTo("SecretIncomplete");
      assertThat(credentialsCondition(h, "incomplete").getMessage())
          .contains("lacks key(s) secretKey");
    }
  }

  @Test
  void wrongCredentialsStopTheActionWithABoundedNumberOfCallsUntilTheSecretIsFixed()
      throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.servers = 20);
        var h = new OperatorHarness(sim)) {
      h.createPasswordSecret("bms-credentials", "wrong-password");
      h.startOperator();

      h.create("wrong", sim.simulator.inventory(), spec -> {});
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  credentialsCondition(h, "wrong") != null
                      && "CredentialsRejected"
                          .equals(credentialsCondition(h, "wrong").getReason()));
      // No retry with refused credentials: still one token request after 3 s.
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(4))
          .until(() -> sim.requests("token 401") == 1);

      assertThat(credentialsCondition(h, "wrong").getMessage())
          .contains("IAM.0062")
          .contains("fix the Secret");
      assertThat(sim.requests("token 401")).isEqualTo(1);
      assertThat(sim.stats().path("actionCalls").asInt()).isZero();
      assertThat(h.events("wrong"))
          .extracting(e -> e.getReason())
          .containsOnlyOnce("CredentialsRejected");

      h.client
          .secrets()
          .inNamespace(h.namespace)
          .withName("bms-credentials")
          .edit(
              s -> {
                s.setStringData(Map.of("password", sim.options.iamPassword));
                return s;
              });
      var done = h.awaitPhase("wrong", Phase.Succeeded, Duration.ofSeconds(30));
      assertThat(done.getStatus().getSucceeded()).isEqualTo(20);
      assertThat(sim.requests("token 401")).isEqualTo(1);
    }
  }

  @Test
  void aWrongSecretKeyIsRefusedOnceAndReported() throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.servers = 5);
        var h = new OperatorHarness(sim)) {
      h.client
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("bms-credentials")
                  .withNamespace(h.namespace)
                  .endMetadata()
                  .withStringData(Map.of("accessKey", sim.options.accessKey, "secretKey", "wrong"))
                  .build())
          .create();
      h.startOperator();

      h.create("wrong-sk", sim.simulator.inventory(), spec -> {});
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  credentialsCondition(h, "wrong-sk") != null
                      && "CredentialsRejected"
                          .equals(credentialsCondition(h, "wrong-sk").getReason()));
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(3))
          .until(() -> sim.requests("submit 401") == 1);

      assertThat(credentialsCondition(h, "wrong-sk").getMessage()).contains("APIG.0301");
      assertThat(sim.requests("submit 401")).isEqualTo(1);
    }
  }

  private static Condition credentialsCondition(OperatorHarness h, String name) {
    var r = h.get(name);
    return r == null || r.getStatus() == null
        ? null
        : Conditions.find(r.getStatus().getConditions(), Conditions.CREDENTIALS_VALID).orElse(null);
  }
}
