package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which servers a policy grants: a server is granted when its ID is listed, or it carries every
 * listed tag, or its name matches one of the patterns. Tags and names are read from the cloud when
 * an action is accepted.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class ServerGrant {

  @JsonPropertyDescription("Server IDs granted by ID (any letter case).")
  @Size(max = BareMetalPowerActionSpec.MAX_SERVERS)
  private List<@Pattern(BareMetalPowerActionSpec.UUID_PATTERN) String> ids = new ArrayList<>();

  @JsonPropertyDescription(
      "Cloud tags as key=value: a server carrying all of them is granted. Empty: no grant by tag.")
  @Size(max = 20)
  private List<@Pattern("^[^=,]+=[^,]*$") String> tags = new ArrayList<>();

  @JsonPropertyDescription(
      "Server name patterns (* any characters, ? one character): a server whose cloud name matches"
          + " one of them is granted.")
  @Size(max = 50)
  private List<@Size(min = 1, max = 255) String> namePatterns = new ArrayList<>();

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

  public List<String> getNamePatterns() {
    return namePatterns;
  }

  public void setNamePatterns(List<String> namePatterns) {
    this.namePatterns = namePatterns == null ? new ArrayList<>() : namePatterns;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerGrant that
        && ids.equals(that.ids)
        && tags.equals(that.tags)
        && namePatterns.equals(that.namePatterns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ids, tags, namePatterns);
  }
}
