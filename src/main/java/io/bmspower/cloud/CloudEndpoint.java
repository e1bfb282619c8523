package io.bmspower.cloud;

import java.net.URI;

/** A BMS endpoint and the project whose servers it acts on. */
public record CloudEndpoint(URI endpoint, String projectId) {

  public CloudEndpoint {
    if (endpoint == null || endpoint.getScheme() == null || endpoint.getHost() == null) {
      throw new IllegalArgumentException("the endpoint must be an absolute http(s) URL");
    }
    if (projectId == null || projectId.isBlank()) {
      throw new IllegalArgumentException("the project ID is missing");
    }
    String path = endpoint.getPath() == null ? "" : endpoint.getPath();
    endpoint =
        URI.create(endpoint.getScheme() + "://" + authority(endpoint) + path.replaceAll("/+$", ""));
  }

  /** The authority without a default port (443 for https, 80 for http), as the JDK sends Host. */
  private static String authority(URI endpoint) {
    return endpoint.getRawUserInfo() == null
        ? AkSkSigner.hostHeader(endpoint)
        : endpoint.getRawUserInfo() + "@" + AkSkSigner.hostHeader(endpoint);
  }

  public static CloudEndpoint of(String endpoint, String projectId) {
    return new CloudEndpoint(URI.create(endpoint), projectId);
  }

  URI resolve(String pathAndQuery) {
    return URI.create(endpoint + "/v1/" + projectId + pathAndQuery);
  }
}
