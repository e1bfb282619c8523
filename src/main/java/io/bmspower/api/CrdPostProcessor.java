package io.bmspower.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerPolicy;
import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Adds to the generated CRD what fabric8's CRD generator cannot emit: {@code
 * x-kubernetes-list-type: set} on {@code spec.servers}, so the API server rejects duplicate IDs in
 * linear time (a CEL uniqueness rule is quadratic and exceeds the cost budget at 10,000 items).
 * Runs at build time on the generator's output (both CRDs; printer columns in declared order);
 * idempotent.
 */
public final class CrdPostProcessor {

  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .build());

  private CrdPostProcessor() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: CrdPostProcessor <generated-crd.yml>...");
    }
    for (String arg : args) {
      Path crd = Path.of(arg);
      Files.writeString(crd, process(Files.readString(crd)));
    }
  }

  /** The generator sorts printer columns by name; kubectl shows them in the order declared. */
  private static void orderPrinterColumns(ObjectNode version, Class<?> type) {
    List<String> declared =
        Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    List<JsonNode> columns = new ArrayList<>();
    version.path("additionalPrinterColumns").forEach(columns::add);
    columns.sort(Comparator.comparingInt(c -> declared.indexOf(c.path("name").asText())));
    version.putArray("additionalPrinterColumns").addAll(columns);
  }

  public static String process(String crdYaml) throws IOException {
    JsonNode crd = YAML.readTree(crdYaml);
    String kind = crd.path("spec").path("names").path("kind").asText();
    boolean action = kind.equals("BareMetalPowerAction");
    for (JsonNode version : crd.path("spec").path("versions")) {
      if (action) {
        JsonNode servers = version.at("/schema/openAPIV3Schema/properties/spec/properties/servers");
        if (!(servers instanceof ObjectNode)) {
          throw new IllegalStateException("generated CRD has no spec.servers schema");
        }
        ((ObjectNode) servers).put("x-kubernetes-list-type", "set");
      }
      orderPrinterColumns(
          (ObjectNode) version,
          action
              ? BareMetalPowerAction.class
              : kind.equals("BareMetalPowerPolicy")
                  ? BareMetalPowerPolicy.class
                  : BareMetalPowerSchedule.class);
    }
    return "# Generated from io.bmspower.api.v1alpha1 by `make crds`; do not edit.\n"
        + YAML.writeValueAsString(crd);
  }
}
