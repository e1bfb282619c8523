package io.bmspower.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Project-scoped IAM tokens from {@code POST /v3/auth/tokens} (password method), cached per
 * credentials and project and renewed ahead of expiry or after the cloud calls them expired.
 */
public final class IamTokenProvider {

  private static final Logger LOG = LoggerFactory.getLogger(IamTokenProvider.class);

  /** Renew this long before expiry; tokens also die early when a password or role changes. */
  static final Duration RENEW_BEFORE = Duration.ofHours(1);

  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;
  private final Map<Key, Token> cache = new ConcurrentHashMap<>();

  public IamTokenProvider(HttpClient http, Duration timeout, Clock clock) {
    this.http = http;
    this.timeout = timeout;
    this.clock = clock;
  }

  private record Key(Credentials.Password credentials, String projectId) {}

  private record Token(String value, Instant renewAt) {
    @Override
    public String toString() {
      return "Token{renewAt=" + renewAt + "}";
    }
  }

  public String token(Credentials.Password credentials, String projectId) {
    Key key = new Key(credentials, projectId);
    Token token = cache.get(key);
    if (token == null || !clock.instant().isBefore(token.renewAt())) {
      synchronized (this) {
        token = cache.get(key);
        if (token == null || !clock.instant().isBefore(token.renewAt())) {
          token = fetch(credentials, projectId);
          cache.put(key, token);
        }
      }
    }
    return token.value();
  }

  /** Forgets a token the cloud refused, so the next call fetches a new one. */
  public void invalidate(Credentials.Password credentials, String projectId) {
    cache.remove(new Key(credentials, projectId));
  }

  private Token fetch(Credentials.Password credentials, String projectId) {
    URI uri =
        URI.create(
            credentials.iamEndpoint().replaceAll("/+$", "") + "/v3/auth/tokens?nocatalog=true");
    ObjectNode body = ResponseParser.JSON.createObjectNode();
    ObjectNode identity = body.putObject("auth").putObject("identity");
    identity.putArray("methods").add("password");
    ObjectNode user = identity.putObject("password").putObject("user");
    user.put("name", credentials.user()).put("password", credentials.password());
    user.putObject("domain").put("name", credentials.domain());
    ((ObjectNode) body.get("auth")).putObject("scope").putObject("project").put("id", projectId);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json;charset=utf8")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      boolean sent = !(e instanceof ConnectException || e instanceof HttpConnectTimeoutException);
      // Asking for a token twice is harmless, so a token request is never ambiguous.
      throw new CloudException(
          0,
          "IAM_UNREACHABLE",
          "IAM token request to " + uri.getHost() + " failed: " + e,
          null,
          ErrorClass.RETRYABLE,
          null,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CloudException.network("IAM token", false, e);
    }
    if (response.statusCode() != 201 && response.statusCode() != 200) {
      CloudException error =
          ResponseParser.error(
              response.statusCode(),
              response.body(),
              response.headers().firstValue("X-Request-Id"),
              response.headers().firstValue("Retry-After"));
      LOG.warn(
          "IAM token request refused: status={} code={} user={} domain={}",
          response.statusCode(),
          error.code(),
          credentials.user(),
          credentials.domain());
      throw error;
    }
    String value =
        response
            .headers()
            .firstValue("X-Subject-Token")
            .orElseThrow(
                () ->
                    new CloudException(
                        response.statusCode(),
                        "IAM_NO_TOKEN",
                        "IAM answered without X-Subject-Token",
                        null,
                        ErrorClass.RETRYABLE,
                        null,
                        null));
    Instant renewAt = renewAt(ResponseParser.tree(response.body()));
    LOG.debug(
        "IAM token obtained: user={} project={} renewAt={}",
        credentials.user(),
        projectId,
        renewAt);
    return new Token(value, renewAt);
  }

  private Instant renewAt(JsonNode body) {
    Instant now = clock.instant();
    String expiresAt = ResponseParser.text(body.path("token"), "expires_at");
    try {
      Instant expiry =
          expiresAt == null ? now.plus(Duration.ofHours(24)) : Instant.parse(expiresAt);
      Duration lifetime = Duration.between(now, expiry);
      // Renew an hour early, or at half-life for short-lived tokens.
      Duration early =
          lifetime.compareTo(RENEW_BEFORE.multipliedBy(2)) > 0
              ? RENEW_BEFORE
              : lifetime.dividedBy(2);
      return expiry.minus(early);
    } catch (DateTimeParseException e) {
      return now.plus(Duration.ofHours(12));
    }
  }
}
