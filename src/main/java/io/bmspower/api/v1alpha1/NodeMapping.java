package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * How a Node maps to its Bare Metal Server ID: a value of the Node (its spec.providerID, a label or
 * an annotation), optionally narrowed by a regex whose first capture group is the ID.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.source == 'ProviderID' || has(self.key)",
    message = "mapping.key is required when mapping.source is Label or Annotation")
public class NodeMapping {

  /** Where the server ID is read from. */
  public enum Source {
    ProviderID,
    Label,
    Annotation
  }

  @JsonPropertyDescription(
      "ProviderID (default): spec.providerID; Label or Annotation: the Node's label or annotation"
          + " named by key.")
  @Default("ProviderID")
  private Source source = Source.ProviderID;

  @JsonPropertyDescription("The label or annotation key, for source Label or Annotation.")
  @Size(max = 317)
  private String key;

  @JsonPropertyDescription(
      "A regular expression over the value with one capture group: the server ID. Unset: for"
          + " ProviderID the last '/'-separated segment, for a label or annotation the whole value.")
  @Size(max = 512)
  private String regex;

  public NodeMapping() {}

  public NodeMapping(Source source, String key, String regex) {
    this.source = source;
    this.key = key;
    this.regex = regex;
  }

  public Source getSource() {
    return source;
  }

  public void setSource(Source source) {
    this.source = source;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String getRegex() {
    return regex;
  }

  public void setRegex(String regex) {
    this.regex = regex;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeMapping m
        && source == m.source
        && Objects.equals(key, m.key)
        && Objects.equals(regex, m.regex);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, key, regex);
  }

  @Override
  public String toString() {
    return source + (key == null ? "" : ":" + key) + (regex == null ? "" : " /" + regex + "/");
  }
}
