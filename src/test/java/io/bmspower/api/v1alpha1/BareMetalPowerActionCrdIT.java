package io.bmspower.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bmspower.testing.LocalControlPlane;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CRD's schema and CEL rules, as enforced by a real kube-apiserver. */
class BareMetalPowerActionCrdIT {

  private static final String NAMESPACE = "crd-validation";
  private static KubernetesClient client;

  @BeforeAll
  static void startControlPlane() {
    client = LocalControlPlane.get().newClient();
    client
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  @Test
  void crdIsEstablishedWithItsNamesAndColumns() {
    var crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(BareMetalPowerAction.CRD_NAME)
            .get();

    assertThat(LocalControlPlane.established(crd)).isTrue();
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("bmpa");
    assertThat(crd.getSpec().getNames().getCategories()).contains("bmspower");
    assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
        .extracting(c -> c.getName())
        .containsExactly("Action", "Phase", "Progress", "Failed", "Age");
  }

  @Test
  void validResourceIsAcceptedWithDefaultsAndItsStatusCanBeWritten() {
    var created = client.resource(resource("valid", servers(3))).create();

    assertThat(created.getSpec().getAction()).isEqualTo(PowerAction.Stop);
    assertThat(created.getSpec().getBatchSize()).isEqualTo(1000);
    assertThat(created.getSpec().getDeletionPolicy()).isEqualTo(DeletionPolicy.Wait);

    var status = new BareMetalPowerActionStatus();
    status.setPhase(Phase.Running);
    status.setProgress("0/3");
    status.setObservedGeneration(created.getMetadata().getGeneration());
    status
        .getConditions()
        .add(
            new ConditionBuilder()
                .withType("Accepted")
                .withStatus("True")
                .withReason("Validated")
                .withMessage("3 servers in 1 batch")
                .withLastTransitionTime("2026-11-27T10:00:00Z")
                .build());
    created.setStatus(status);
    client.resource(created).updateStatus();

    var read =
        client.resources(BareMetalPowerAction.class).inNamespace(NAMESPACE).withName("valid").get();
    assertThat(read.getStatus().getPhase()).isEqualTo(Phase.Running);
    assertThat(read.getStatus().getConditions()).extracting("type").containsExactly("Accepted");
    assertThat(read.getMetadata().getGeneration()).isEqualTo(created.getMetadata().getGeneration());
  }

  @Test
  void tenThousandServersAreAcceptedAndTheImmutabilityRulesFitTheCostBudget() {
    var created = client.resource(resource("ten-thousand", servers(10_000))).create();

    created.getSpec().setSuspend(true);
    var updated = client.resource(created).update();

    assertThat(updated.getSpec().getServers()).hasSize(10_000);
    assertThat(updated.getSpec().getSuspend()).isTrue();
  }

  @Test
  void rejectsNoServers() {
    assertRejected(
        resource("no-servers", List.of()),
        "spec",
        "set exactly one of servers (1 to 10000 IDs) and nodes");
  }

  @Test
  void rejectsAMissingServersList() {
    var missing = resource("missing-servers", List.of());
    missing.getSpec().setServers(null);
    assertRejected(missing, "spec", "set exactly one of servers (1 to 10000 IDs) and nodes");
  }

  @Test
  void acceptsNodesInsteadOfServers() {
    var r = resource("by-nodes", List.of());
    r.getSpec().setNodes(nodes("20%"));
    var created = client.resource(r).create();
    assertThat(created.getSpec().getNodes().getFencing()).isFalse();
    assertThat(created.getSpec().getNodes().getMaxFailures()).isZero();
    assertThat(created.getSpec().getNodes().getReadyTimeoutSeconds()).isEqualTo(900L);

    created.getSpec().getNodes().setMaxUnavailable(new IntOrString(3));
    created.getSpec().getNodes().setMaxFailures(2);
    var updated = client.resource(created).update();
    assertThat(updated.getSpec().getNodes().getMaxUnavailable().getIntVal()).isEqualTo(3);

    updated.getSpec().getNodes().setNames(List.of("node-a", "node-c"));
    assertThatThrownBy(() -> client.resource(updated).update())
        .hasMessageContaining("nodes.names is immutable after creation");
  }

  @Test
  void aNodeRolloutAsUsersWriteItHasNoServersField() {
    var yaml =
        genericResource(
            "yaml-nodes",
            Map.of(
                "action",
                "Reboot",
                "nodes",
                Map.of(
                    "selector", Map.of("matchLabels", Map.of("pool", "a")), "maxUnavailable", 5)));
    var created = client.resource(yaml).create();
    assertThat(created.getAdditionalProperties().get("spec").toString()).doesNotContain("servers");

    var everyNode =
        genericResource(
            "empty-selector", Map.of("nodes", Map.of("selector", Map.of("matchLabels", Map.of()))));
    assertThatThrownBy(() -> client.resource(everyNode).create())
        .hasMessageContaining("nodes.selector must not be empty");
    var zero =
        genericResource(
            "zero", Map.of("nodes", Map.of("names", List.of("a"), "maxUnavailable", 0)));
    assertThatThrownBy(() -> client.resource(zero).create())
        .hasMessageContaining("a count of at least 1");
  }

  @Test
  void rejectsServersAndNodesTogether() {
    var r = resource("both", servers(1));
    r.getSpec().setNodes(nodes(null));
    assertRejected(r, "spec", "set exactly one of servers (1 to 10000 IDs) and nodes");
  }

  @Test
  void rejectsNamesAndSelectorTogetherAndABadPercentage() {
    var both = resource("names-and-selector", List.of());
    both.getSpec().setNodes(nodes(null));
    both.getSpec()
        .getNodes()
        .setSelector(new LabelSelectorBuilder().addToMatchLabels("pool", "a").build());
    assertRejected(both, "spec.nodes", "set exactly one of nodes.names and nodes.selector");

    var percent = resource("bad-percent", List.of());
    percent.getSpec().setNodes(nodes("150%"));
    assertRejected(percent, "spec.nodes", "a count of at least 1 or a percentage from 1% to 100%");
  }

  @Test
  void rejectsALabelMappingWithoutAKey() {
    var r = resource("label-without-key", List.of());
    r.getSpec().setNodes(nodes(null));
    r.getSpec().getNodes().setMapping(new NodeMapping(NodeMapping.Source.Label, null, null));
    assertRejected(r, "spec.nodes.mapping", "mapping.key is required");
  }

  private static NodeTarget nodes(String maxUnavailable) {
    var t = new NodeTarget();
    t.setNames(List.of("node-a", "node-b"));
    if (maxUnavailable != null) {
      t.setMaxUnavailable(new IntOrString(maxUnavailable));
    }
    return t;
  }

  @Test
  void rejectsTenThousandAndOneServers() {
    assertRejected(
        resource("too-many", servers(10_001)), "spec.servers", "must have at most 10000 items");
  }

  @Test
  void rejectsANonUuidServerId() {
    assertRejected(
        resource("not-uuid", List.of("rack-a-node-1")),
        "spec.servers[0]",
        "should match '^[0-9a-fA-F]{8}-");
  }

  @Test
  void rejectsTheSameServerTwice() {
    String id = UUID.randomUUID().toString();
    assertRejected(
        resource("duplicate", List.of(id, id)),
        "spec.servers[1]",
        "Duplicate value: \"" + id + "\"");
  }

  @Test
  void rejectsBatchSizeZero() {
    var zero = resource("batch-zero", servers(1));
    zero.getSpec().setBatchSize(0);
    assertRejected(zero, "spec.batchSize", "should be greater than or equal to 1");
  }

  @Test
  void rejectsBatchSizeOverTheCloudLimit() {
    var big = resource("batch-big", servers(1));
    big.getSpec().setBatchSize(1001);
    assertRejected(big, "spec.batchSize", "should be less than or equal to 1000");
  }

  @Test
  void rejectsAnUnknownAction() {
    var raw = genericResource("hibernate", Map.of("action", "Hibernate", "servers", servers(1)));
    assertThatThrownBy(() -> client.resource(raw).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("spec.action")
        .hasMessageContaining("Unsupported value: \"Hibernate\"")
        .hasMessageContaining("supported values: \"Reboot\", \"Start\", \"Stop\"");
  }

  @Test
  void rejectsAnUnknownDeletionPolicy() {
    var raw = genericResource("orphan", Map.of("deletionPolicy", "Orphan", "servers", servers(1)));
    assertThatThrownBy(() -> client.resource(raw).create())
        .hasMessageContaining("spec.deletionPolicy")
        .hasMessageContaining("Unsupported value: \"Orphan\"");
  }

  @Test
  void rejectsChangingServersAfterCreation() {
    var created = client.resource(resource("immutable-servers", servers(2))).create();
    created.getSpec().setServers(servers(2));

    assertThatThrownBy(() -> client.resource(created).update())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("servers is immutable after creation");
  }

  @Test
  void rejectsChangingActionOrAddingADeadlineAfterCreation() {
    var created = client.resource(resource("immutable-action", servers(2))).create();
    created.getSpec().setAction(PowerAction.Reboot);
    created.getSpec().setActiveDeadlineSeconds(60L);

    assertThatThrownBy(() -> client.resource(created).update())
        .hasMessageContaining("action is immutable after creation")
        .hasMessageContaining("activeDeadlineSeconds is immutable after creation");
  }

  @Test
  void acceptsChangingSuspendAndDeletionPolicyAfterCreation() {
    var created = client.resource(resource("mutable", servers(2))).create();
    created.getSpec().setSuspend(true);
    created.getSpec().setDeletionPolicy(DeletionPolicy.Abandon);

    var updated = client.resource(created).update();

    assertThat(updated.getSpec().getSuspend()).isTrue();
    assertThat(updated.getSpec().getDeletionPolicy()).isEqualTo(DeletionPolicy.Abandon);
    assertThat(updated.getMetadata().getGeneration()).isEqualTo(2L);
  }

  private static void assertRejected(BareMetalPowerAction resource, String field, String message) {
    assertThatThrownBy(() -> client.resource(resource).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(field)
        .hasMessageContaining(message);
  }

  private static BareMetalPowerAction resource(String name, List<String> servers) {
    var resource = new BareMetalPowerAction();
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    var spec = new BareMetalPowerActionSpec();
    spec.setServers(new ArrayList<>(servers));
    resource.setSpec(spec);
    return resource;
  }

  private static GenericKubernetesResource genericResource(String name, Map<String, Object> spec) {
    var resource = new GenericKubernetesResource();
    resource.setApiVersion(BareMetalPowerAction.GROUP + "/" + BareMetalPowerAction.VERSION);
    resource.setKind("BareMetalPowerAction");
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    resource.setAdditionalProperty("spec", spec);
    return resource;
  }

  private static List<String> servers(int count) {
    return IntStream.range(0, count).mapToObj(i -> UUID.randomUUID().toString()).toList();
  }
}
