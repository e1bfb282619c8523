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

  /** A ConfigMap holds at most 1 MiB; the ledger stays under this. */
  public static final int MAX_BYTES = 900_000;

  static final int SHORT_MESSAGE = 80;

  /**
   * The ledger as JSON. Past {@link #MAX_BYTES} (thousands of failed nodes with long messages) the
   * messages are cut short: the reasons stay, and the status and Events had the full text.
   */
  public String json() {
    String json = write(this);
    if (json.length() <= MAX_BYTES) {
      return json;
    }
    NodeLedger shorter = copy();
    for (NodeRecord n : shorter.nodes) {
      if (n.message != null && n.message.length() > SHORT_MESSAGE) {
        n.message = n.message.substring(0, SHORT_MESSAGE - 3) + "...";
      }
    }
    return write(shorter);
  }

  private static String write(NodeLedger ledger) {
    try {
      return JSON.writeValueAsString(ledger);
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
