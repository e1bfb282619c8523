package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A server whose action failed for good. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailedServer {

  @JsonPropertyDescription("The server ID.")
  private String id;

  @JsonPropertyDescription("The cloud's error code, e.g. BMS.0040 (the server does not exist).")
  private String code;

  @JsonPropertyDescription(
      "The cloud's reason, when it differs from the one in status.failureReasons for this code.")
  private String reason;

  @JsonPropertyDescription("How many times the server was submitted.")
  private Integer attempts;

  public FailedServer() {}

  public FailedServer(String id, String code, String reason, int attempts) {
    this.id = id;
    this.code = code;
    this.reason = reason;
    this.attempts = attempts;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getCode() {
    return code;
  }

  public void setCode(String code) {
    this.code = code;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public Integer getAttempts() {
    return attempts;
  }

  public void setAttempts(Integer attempts) {
    this.attempts = attempts;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof FailedServer)) {
      return false;
    }
    FailedServer that = (FailedServer) o;
    return Objects.equals(id, that.id)
        && Objects.equals(code, that.code)
        && Objects.equals(reason, that.reason)
        && Objects.equals(attempts, that.attempts);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, code, reason, attempts);
  }
}
