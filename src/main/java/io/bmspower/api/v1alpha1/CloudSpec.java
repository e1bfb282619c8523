package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * The cloud endpoint, project and credentials; each unset field falls back to the operator's
 * default.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CloudSpec {

  @JsonPropertyDescription(
      "The BMS endpoint URL, e.g. https://bms.eu-de.otc.t-systems.com or"
          + " https://bms.ap-southeast-1.myhuaweicloud.com.")
  @Pattern("^https?://[^\\s/$.?#][^\\s]*$")
  @Size(max = 512)
  private String endpoint;

  @JsonPropertyDescription(
      "The project ID the servers belong to (the {project_id} in the API paths).")
  @Pattern("^[0-9a-zA-Z_-]+$")
  @Size(min = 1, max = 64)
  private String projectId;

  @JsonPropertyDescription(
      "The Secret, in this resource's namespace, holding AK/SK or IAM password credentials.")
  private SecretReference credentialsSecretRef;

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getProjectId() {
    return projectId;
  }

  public void setProjectId(String projectId) {
    this.projectId = projectId;
  }

  public SecretReference getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretReference credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CloudSpec)) {
      return false;
    }
    CloudSpec that = (CloudSpec) o;
    return Objects.equals(endpoint, that.endpoint)
        && Objects.equals(projectId, that.projectId)
        && Objects.equals(credentialsSecretRef, that.credentialsSecretRef);
  }

  @Override
  public int hashCode() {
    return Objects.hash(endpoint, projectId, credentialsSecretRef);
  }
}
