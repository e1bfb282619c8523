package io.bmspower.nodes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A rollout's node set, resolved once, with each node's step: the content of the state ConfigMap.
 * Ordered by node name, the order nodes start in.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class NodeLedger {

  public static final String KEY = "nodes.json";
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The action the set was resolved for. */
  public String action;

  public String resolvedAt;
  public List<NodeRecord> nodes = new ArrayList<>();

  public static NodeLedger parse(String json) {
    try {
      return JSON.readValue(json, NodeLedger.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the node state is not readable: " + e.getOriginalMessage());
    }
  }

  public String json() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public NodeLedger copy() {
    NodeLedger c = new NodeLedger();
    c.action = action;
    c.resolvedAt = resolvedAt;
    nodes.forEach(n -> c.nodes.add(n.copy()));
    return c;
  }

  public long count(NodeStep step) {
    return nodes.stream().filter(n -> n.step == step).count();
  }

  public List<NodeRecord> inStep(NodeStep step) {
    return nodes.stream().filter(n -> n.step == step).toList();
  }

  public Optional<NodeRecord> node(String name) {
    return nodes.stream().filter(n -> n.node.equals(name)).findFirst();
  }

  public Map<String, NodeRecord> byName() {
    return nodes.stream().collect(Collectors.toMap(n -> n.node, Function.identity()));
  }
}
