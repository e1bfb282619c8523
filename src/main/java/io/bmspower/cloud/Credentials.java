package io.bmspower.cloud;

/** How the operator authenticates to the cloud; {@code toString()} never shows a secret. */
public sealed interface Credentials permits Credentials.AkSk, Credentials.Password {

  /** Access key / secret key, signed per request (SDK-HMAC-SHA256); optionally temporary. */
  record AkSk(String accessKey, String secretKey, String securityToken) implements Credentials {

    public AkSk {
      require(accessKey, "access key");
      require(secretKey, "secret key");
    }

    @Override
    public String toString() {
      return "AkSk{accessKey="
          + mask(accessKey)
          + (securityToken != null ? ", temporary" : "")
          + "}";
    }
  }

  /** IAM user name, password and domain, exchanged for a project-scoped token. */
  record Password(String user, String password, String domain, String iamEndpoint)
      implements Credentials {

    public Password {
      require(user, "user name");
      require(password, "password");
      require(domain, "domain name");
      require(iamEndpoint, "IAM endpoint");
    }

    @Override
    public String toString() {
      return "Password{user=" + user + ", domain=" + domain + ", iamEndpoint=" + iamEndpoint + "}";
    }
  }

  /** The first 4 characters of an access key, the rest masked. */
  static String mask(String accessKey) {
    if (accessKey == null || accessKey.length() <= 4) {
      return "****";
    }
    return accessKey.substring(0, 4) + "****";
  }

  private static void require(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the " + what + " is missing or empty");
    }
  }
}
