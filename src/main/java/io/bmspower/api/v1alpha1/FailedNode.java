package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A node that failed, with where and why. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailedNode {

  @JsonPropertyDescription("The Node's name.")
  private String name;

  @JsonPropertyDescription("Its server ID, when it mapped to one.")
  private String server;

  @JsonPropertyDescription(
      "Why: NodeNotFound, Unmapped, UnknownServer, DrainTimeout, PowerFailed, NotReady or"
          + " PowerActionLost.")
  private String reason;

  @JsonPropertyDescription("What happened, for a person.")
  private String message;

  public FailedNode() {}

  public FailedNode(String name, String server, String reason, String message) {
    this.name = name;
    this.server = server;
    this.reason = reason;
    this.message = message;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getServer() {
    return server;
  }

  public void setServer(String server) {
    this.server = server;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FailedNode f
        && Objects.equals(name, f.name)
        && Objects.equals(server, f.server)
        && Objects.equals(reason, f.reason)
        && Objects.equals(message, f.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, server, reason, message);
  }
}
