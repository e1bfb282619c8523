package io.bmspower.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionStatus;
import io.bmspower.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs deploy/argocd's Lua health check (Argo CD runs such scripts with {@code obj} set to the
 * resource) on resources serialized from the API types, so field names are the real ones.
 */
class ArgoCdHealthCheckTest {

  static final Path SCRIPT = Path.of("deploy/argocd/health-bmspower.io_BareMetalPowerAction.lua");

  record Health(String status, String message) {}

  @Test
  void noStatusYetIsProgressing() throws Exception {
    assertThat(health(null)).isEqualTo(new Health("Progressing", "Waiting for the operator"));
  }

  @Test
  void runningIsProgressing() throws Exception {
    assertThat(health(status(Phase.Running, "500/2500", s -> {})))
        .isEqualTo(new Health("Progressing", "Running (500/2500)"));
  }

  @Test
  void succeededIsHealthy() throws Exception {
    assertThat(health(status(Phase.Succeeded, "2500/2500", s -> {})))
        .isEqualTo(new Health("Healthy", "All servers done (2500/2500)"));
  }

  @Test
  void partialOrFailedIsDegradedWithTheFailedConditionsMessage() throws Exception {
    String message = "20 of 25 servers done, 5 failed {BMS.0040=5}";
    assertThat(
            health(
                status(
                    Phase.PartiallySucceeded,
                    "25/25",
                    s -> s.getConditions().add(condition("Failed", "True", message)))))
        .isEqualTo(new Health("Degraded", "PartiallySucceeded (25/25): " + message));
    assertThat(health(status(Phase.Failed, "0/3", s -> {})))
        .isEqualTo(new Health("Degraded", "Failed (0/3)"));
  }

  @Test
  void suspendedIsSuspended() throws Exception {
    assertThat(health(status(Phase.Suspended, "0/10", s -> {})).status()).isEqualTo("Suspended");
  }

  @Test
  void refusedCredentialsAreDegradedWhileRunning() throws Exception {
    String message = "the cloud refused the credentials: APIG.0303 Incorrect IAM authentication";
    assertThat(
            health(
                status(
                    Phase.Running,
                    "0/10",
                    s -> {
                      s.getConditions().add(condition("Accepted", "True", "Stop of 10 server(s)"));
                      s.getConditions().add(condition("CredentialsValid", "False", message));
                    })))
        .isEqualTo(new Health("Degraded", message));
  }

  private static BareMetalPowerActionStatus status(
      Phase phase, String progress, Consumer<BareMetalPowerActionStatus> more) {
    var status = new BareMetalPowerActionStatus();
    status.setPhase(phase);
    status.setProgress(progress);
    more.accept(status);
    return status;
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(
      String type, String status, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason("Reason")
        .withMessage(message)
        .withLastTransitionTime("2026-11-27T12:00:00Z")
        .build();
  }

  /** Serializes the resource as the API server would hand it to Argo CD, and runs the script. */
  private static Health health(BareMetalPowerActionStatus status) throws Exception {
    var resource = new BareMetalPowerAction();
    resource.setMetadata(new ObjectMetaBuilder().withName("r").withNamespace("ns").build());
    resource.setStatus(status);
    Map<?, ?> json = new ObjectMapper().readValue(Serialization.asJson(resource), Map.class);

    Globals lua = JsePlatform.standardGlobals();
    lua.set("obj", toLua(json));
    LuaValue result = lua.load(Files.readString(SCRIPT), SCRIPT.toString()).call();
    return new Health(result.get("status").tojstring(), result.get("message").tojstring());
  }

  private static LuaValue toLua(Object value) {
    if (value instanceof Map<?, ?> map) {
      LuaTable table = new LuaTable();
      map.forEach((k, v) -> table.set(k.toString(), toLua(v)));
      return table;
    }
    if (value instanceof List<?> list) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        table.set(i + 1, toLua(list.get(i)));
      }
      return table;
    }
    if (value instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (value instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    return value == null ? LuaValue.NIL : LuaValue.valueOf(value.toString());
  }
}
