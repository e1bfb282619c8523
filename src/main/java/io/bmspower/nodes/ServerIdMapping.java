package io.bmspower.nodes;

import io.bmspower.api.v1alpha1.NodeMapping;
import io.fabric8.kubernetes.api.model.Node;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Node's server ID by a {@link NodeMapping}: its spec.providerID (by default the last
 * '/'-separated segment), a label or an annotation, optionally through a regex's first capture
 * group. The result must look like a server ID (a UUID); anything else is reported, never guessed.
 */
public final class ServerIdMapping {

  private static final Pattern UUID =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  /** A server ID, or why there is none. */
  public record Result(String serverId, String message) {
    public boolean mapped() {
      return serverId != null;
    }
  }

  private final NodeMapping mapping;
  private final Pattern regex;

  private ServerIdMapping(NodeMapping mapping, Pattern regex) {
    this.mapping = mapping;
    this.regex = regex;
  }

  /** Throws IllegalArgumentException with a message for a person when the rule is unusable. */
  public static ServerIdMapping of(NodeMapping mapping) {
    NodeMapping m = mapping == null ? new NodeMapping() : mapping;
    if (m.getSource() != NodeMapping.Source.ProviderID
        && (m.getKey() == null || m.getKey().isBlank())) {
      throw new IllegalArgumentException("mapping " + m.getSource() + " needs a key");
    }
    Pattern p = null;
    if (m.getRegex() != null) {
      try {
        p = Pattern.compile(m.getRegex());
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "mapping.regex is not a valid regular expression: " + e.getDescription());
      }
      if (p.matcher("").groupCount() < 1) {
        throw new IllegalArgumentException(
            "mapping.regex needs a capture group around the server ID");
      }
    }
    return new ServerIdMapping(m, p);
  }

  /**
   * Parses the operator's default: {@code ProviderID}, {@code Label=<key>} or {@code
   * Annotation=<key>}, each optionally followed by {@code ;regex=<expression>}.
   */
  public static NodeMapping parse(String text) {
    String rule = text.trim();
    String regex = null;
    int semi = rule.indexOf(";regex=");
    if (semi >= 0) {
      regex = rule.substring(semi + ";regex=".length());
      rule = rule.substring(0, semi);
    }
    String source = rule;
    String key = null;
    int eq = rule.indexOf('=');
    if (eq >= 0) {
      source = rule.substring(0, eq);
      key = rule.substring(eq + 1);
    }
    NodeMapping.Source s =
        switch (source.toLowerCase(Locale.ROOT)) {
          case "providerid" -> NodeMapping.Source.ProviderID;
          case "label" -> NodeMapping.Source.Label;
          case "annotation" -> NodeMapping.Source.Annotation;
          default ->
              throw new IllegalArgumentException(
                  "node mapping '"
                      + text
                      + "': expected ProviderID, Label=<key> or Annotation=<key>, optionally"
                      + " followed by ;regex=<expression with one capture group>");
        };
    NodeMapping m = new NodeMapping(s, key, regex);
    of(m);
    return m;
  }

  public NodeMapping rule() {
    return mapping;
  }

  public Result map(Node node) {
    String value;
    String from;
    switch (mapping.getSource()) {
      case Label -> {
        value = get(node.getMetadata().getLabels(), mapping.getKey());
        from = "label " + mapping.getKey();
      }
      case Annotation -> {
        value = get(node.getMetadata().getAnnotations(), mapping.getKey());
        from = "annotation " + mapping.getKey();
      }
      default -> {
        value = node.getSpec() == null ? null : node.getSpec().getProviderID();
        from = "spec.providerID";
      }
    }
    if (value == null || value.isEmpty()) {
      return new Result(null, "the node has no " + from);
    }
    String id;
    if (regex != null) {
      Matcher m = regex.matcher(value);
      if (!m.find() || m.group(1) == null) {
        return new Result(
            null, from + " '" + value + "' does not match mapping.regex '" + regex + "'");
      }
      id = m.group(1);
    } else if (mapping.getSource() == NodeMapping.Source.ProviderID) {
      id = value.substring(value.lastIndexOf('/') + 1);
    } else {
      id = value;
    }
    if (!UUID.matcher(id).matches()) {
      return new Result(
          null, from + " '" + value + "' gives '" + id + "', which is not a server ID (a UUID)");
    }
    return new Result(id.toLowerCase(Locale.ROOT), null);
  }

  private static String get(Map<String, String> map, String key) {
    return map == null ? null : map.get(key);
  }
}
