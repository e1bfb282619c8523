package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which servers a scheduled run acts on: the listed IDs, plus every server of the project that
 * carries all the tags and whose name matches the pattern (either alone, or both). Resolved through
 * the cloud's list API once per run; the run then acts on that fixed set.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(
    value =
        "(has(self.ids) && size(self.ids) > 0) || (has(self.tags) && size(self.tags) > 0)"
            + " || has(self.namePattern)",
    message = "selector needs ids, tags or namePattern")
public class ServerSelector {

  @JsonPropertyDescription("Server IDs always included.")
  @Size(max = BareMetalPowerActionSpec.MAX_SERVERS)
  private List<@Pattern(BareMetalPowerActionSpec.UUID_PATTERN) String> ids = new ArrayList<>();

  @JsonPropertyDescription("Cloud tags as key=value: a server is selected when it carries all.")
  @Size(max = 20)
  private List<@Pattern("^[^=,]+=[^,]*$") String> tags = new ArrayList<>();

  @JsonPropertyDescription(
      "A server name pattern (* any characters, ? one): with tags, a server must match both.")
  @Size(min = 1, max = 255)
  private String namePattern;

  public List<String> getIds() {
    return ids;
  }

  public void setIds(List<String> ids) {
    this.ids = ids == null ? new ArrayList<>() : ids;
  }

  public List<String> getTags() {
    return tags;
  }

  public void setTags(List<String> tags) {
    this.tags = tags == null ? new ArrayList<>() : tags;
  }

  public String getNamePattern() {
    return namePattern;
  }

  public void setNamePattern(String namePattern) {
    this.namePattern = namePattern;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerSelector that
        && ids.equals(that.ids)
        && tags.equals(that.tags)
        && Objects.equals(namePattern, that.namePattern);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ids, tags, namePattern);
  }
}
