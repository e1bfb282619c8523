package io.bmspower.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bmspower.api.v1alpha1.NodeMapping;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

class ServerIdMappingTest {

  static final String ID = "0b7c1e9a-3f2d-4c5e-8a6b-9d0e1f2a3b4c";

  static Node node(String providerId) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("n1")
        .addToLabels("bms/id", ID.toUpperCase())
        .addToAnnotations("cloud/server", "bms:" + ID)
        .endMetadata()
        .withNewSpec()
        .withProviderID(providerId)
        .endSpec()
        .build();
  }

  @Test
  void byDefaultTheLastSegmentOfTheProviderId() {
    var r = ServerIdMapping.of(null).map(node("huaweicloud://eu-de-01/" + ID));
    assertThat(r.serverId()).isEqualTo(ID);
  }

  @Test
  void aLabelOrAnAnnotationThroughARegex() {
    var label = ServerIdMapping.of(new NodeMapping(NodeMapping.Source.Label, "bms/id", null));
    assertThat(label.map(node(null)).serverId()).isEqualTo(ID);
    var annotation =
        ServerIdMapping.of(
            new NodeMapping(NodeMapping.Source.Annotation, "cloud/server", "^bms:(.+)$"));
    assertThat(annotation.map(node(null)).serverId()).isEqualTo(ID);
  }

  @Test
  void whatDoesNotMapIsReportedNeverGuessed() {
    var missing = ServerIdMapping.of(null).map(node(null));
    assertThat(missing.mapped()).isFalse();
    assertThat(missing.message()).isEqualTo("the node has no spec.providerID");

    var notAnId = ServerIdMapping.of(null).map(node("kind://docker/kind/kind-worker"));
    assertThat(notAnId.message())
        .isEqualTo(
            "spec.providerID 'kind://docker/kind/kind-worker' gives 'kind-worker', which is not a"
                + " server ID (a UUID)");

    var noMatch =
        ServerIdMapping.of(new NodeMapping(NodeMapping.Source.ProviderID, null, "^otc://(.+)$"))
            .map(node("huaweicloud://eu-de-01/" + ID));
    assertThat(noMatch.message()).contains("does not match mapping.regex '^otc://(.+)$'");
  }

  @Test
  void theOperatorDefaultParsesAndRefusesNonsenseWithAMessage() {
    assertThat(ServerIdMapping.parse("ProviderID").getSource())
        .isEqualTo(NodeMapping.Source.ProviderID);
    NodeMapping m = ServerIdMapping.parse("Annotation=cloud/server;regex=^bms:(.+)$");
    assertThat(m.getKey()).isEqualTo("cloud/server");
    assertThat(m.getRegex()).isEqualTo("^bms:(.+)$");
    assertThatThrownBy(() -> ServerIdMapping.parse("hostname"))
        .hasMessageContaining("expected ProviderID, Label=<key> or Annotation=<key>");
    assertThatThrownBy(() -> ServerIdMapping.parse("Label=x;regex=no-group"))
        .hasMessage("mapping.regex needs a capture group around the server ID");
    assertThatThrownBy(() -> ServerIdMapping.parse("Label=x;regex=(["))
        .hasMessageContaining("mapping.regex is not a valid regular expression");
  }
}
