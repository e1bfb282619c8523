package io.bmspower.reconciler;

import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.Credentials;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Reads credentials from a Secret: {@code accessKey} + {@code secretKey} (+ optional {@code
 * securityToken}), or {@code username} + {@code password} + {@code domainName} (+ optional {@code
 * iamEndpoint}). Problems come back as a reason and a message a person can act on.
 */
final class CredentialsResolver {

  static final String ACCESS_KEY = "accessKey";
  static final String SECRET_KEY = "secretKey";
  static final String SECURITY_TOKEN = "securityToken";
  static final String USERNAME = "username";
  static final String PASSWORD = "password";
  static final String DOMAIN = "domainName";
  static final String IAM_ENDPOINT = "iamEndpoint";

  private CredentialsResolver() {}

  record Result(Credentials credentials, String reason, String message) {
    boolean ok() {
      return credentials != null;
    }
  }

  static Result resolve(Secret secret, String namespace, String name, CloudEndpoint endpoint) {
    String ref = namespace + "/" + name;
    if (secret == null) {
      return new Result(
          null,
          "SecretNotFound",
          "Secret "
              + ref
              + " does not exist; create it with keys accessKey and secretKey, or username, password and domainName");
    }
    Map<String, String> data = decode(secret);
    boolean hasAkSk = data.containsKey(ACCESS_KEY) || data.containsKey(SECRET_KEY);
    boolean hasPassword = data.containsKey(USERNAME) || data.containsKey(PASSWORD);
    if (hasAkSk && hasPassword) {
      return new Result(
          null,
          "SecretAmbiguous",
          "Secret " + ref + " holds both AK/SK and password keys; keep one kind");
    }
    if (hasAkSk) {
      List<String> missing = missing(data, ACCESS_KEY, SECRET_KEY);
      if (!missing.isEmpty()) {
        return new Result(
            null,
            "SecretIncomplete",
            "Secret " + ref + " lacks key(s) " + String.join(", ", missing));
      }
      return new Result(
          new Credentials.AkSk(
              data.get(ACCESS_KEY), data.get(SECRET_KEY), data.get(SECURITY_TOKEN)),
          "Resolved",
          "AK/SK credentials from Secret " + ref);
    }
    if (hasPassword) {
      List<String> missing = missing(data, USERNAME, PASSWORD, DOMAIN);
      if (!missing.isEmpty()) {
        return new Result(
            null,
            "SecretIncomplete",
            "Secret " + ref + " lacks key(s) " + String.join(", ", missing));
      }
      String iam = data.getOrDefault(IAM_ENDPOINT, defaultIamEndpoint(endpoint.endpoint()));
      return new Result(
          new Credentials.Password(data.get(USERNAME), data.get(PASSWORD), data.get(DOMAIN), iam),
          "Resolved",
          "IAM password credentials of user " + data.get(USERNAME) + " from Secret " + ref);
    }
    return new Result(
        null,
        "SecretIncomplete",
        "Secret " + ref + " has neither accessKey/secretKey nor username/password/domainName");
  }

  /** bms.X or ecs.X becomes iam.X (OTC and Huawei Cloud naming); otherwise the endpoint itself. */
  static String defaultIamEndpoint(URI endpoint) {
    String host = endpoint.getHost();
    for (String service : List.of("bms.", "ecs.")) {
      if (host.startsWith(service)) {
        return endpoint.getScheme() + "://iam." + host.substring(service.length());
      }
    }
    return endpoint.toString();
  }

  private static Map<String, String> decode(Secret secret) {
    Map<String, String> values = new java.util.HashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  values.put(
                      k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8).trim()));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> values.put(k, v.trim()));
    }
    values.values().removeIf(String::isEmpty);
    return values;
  }

  private static List<String> missing(Map<String, String> data, String... keys) {
    List<String> missing = new ArrayList<>();
    for (String key : keys) {
      if (!data.containsKey(key)) {
        missing.add(key);
      }
    }
    return missing;
  }
}
