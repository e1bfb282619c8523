package io.bmspower.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeApiTest {

  static final Instant POWERED = Instant.parse("2026-11-28T10:00:00Z");

  static Node ready(String status, String heartbeat, String transition) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("n1")
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(status)
        .withLastHeartbeatTime(heartbeat)
        .withLastTransitionTime(transition)
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void readyOnlyWithAStatusPostedAfterThePowerAction() {
    assertThat(
            NodeApi.readySince(
                ready("True", "2026-11-28T09:59:59Z", "2026-11-01T00:00:00Z"), POWERED))
        .as("a Ready status left from before the reboot")
        .isFalse();
    assertThat(
            NodeApi.readySince(
                ready("True", "2026-11-28T10:00:03Z", "2026-11-01T00:00:00Z"), POWERED))
        .isTrue();
    assertThat(NodeApi.readySince(ready("True", null, "2026-11-28T10:00:05Z"), POWERED)).isTrue();
    assertThat(NodeApi.readySince(ready("Unknown", "2026-11-28T10:00:03Z", null), POWERED))
        .isFalse();
    assertThat(NodeApi.readySince(new NodeBuilder().build(), POWERED)).isFalse();
  }

  @Test
  void afterAPowerActionReadyMeansANewBoot() {
    Node before = ready("True", "2026-11-28T10:00:03Z", "2026-11-01T00:00:00Z");
    before.getStatus().setNodeInfo(new io.fabric8.kubernetes.api.model.NodeSystemInfo());
    before.getStatus().getNodeInfo().setBootID("boot-1");
    assertThat(NodeApi.readyAgain(before, "boot-1", POWERED))
        .as("fresh heartbeat, same boot: the reboot has not happened")
        .isFalse();
    before.getStatus().getNodeInfo().setBootID("boot-2");
    assertThat(NodeApi.readyAgain(before, "boot-1", POWERED)).isTrue();
    assertThat(NodeApi.readyAgain(before, null, POWERED))
        .as("no boot ID known: the heartbeat decides")
        .isTrue();
  }

  @Test
  void aRefusedEvictionKeepsTheApiServersReasonAndItsCauses() {
    var e =
        new KubernetesClientException(
            new StatusBuilder()
                .withCode(429)
                .withMessage("Cannot evict pod as it would violate the pod's disruption budget.")
                .withNewDetails()
                .addNewCause()
                .withReason("DisruptionBudget")
                .withMessage(
                    "The disruption budget db-budget needs 1 healthy pods and has 1 currently")
                .endCause()
                .endDetails()
                .build());
    assertThat(NodeApi.refusal(e))
        .isEqualTo(
            "Cannot evict pod as it would violate the pod's disruption budget. The disruption budget"
                + " db-budget needs 1 healthy pods and has 1 currently");
  }
}
