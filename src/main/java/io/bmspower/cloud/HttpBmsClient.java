package io.bmspower.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BMS API over {@code java.net.http}: AK/SK signing or IAM tokens and shared rate budgets. It
 * never waits: each call is one HTTP exchange, and a call the budget cannot take now fails with
 * {@link CloudException#throttledLocally} without being sent, so the caller reschedules instead of
 * holding a reconcile thread. A POST is sent at most once.
 */
public final class HttpBmsClient implements BmsClient {

  private static final Logger LOG = LoggerFactory.getLogger(HttpBmsClient.class);
  private static final String JSON_TYPE = "application/json;charset=UTF-8";

  private final CloudEndpoint endpoint;
  private final Credentials credentials;
  private final HttpClient http;
  private final IamTokenProvider tokens;
  private final RateBudget actionBudget;
  private final RateBudget queryBudget;
  private final CloudClientSettings settings;
  private final Clock clock;
  private final CallObserver observer;

  public HttpBmsClient(
      CloudEndpoint endpoint,
      Credentials credentials,
      HttpClient http,
      IamTokenProvider tokens,
      RateBudget actionBudget,
      RateBudget queryBudget,
      CloudClientSettings settings,
      Clock clock,
      CallObserver observer) {
    this.endpoint = endpoint;
    this.credentials = credentials;
    this.http = http;
    this.tokens = tokens;
    this.actionBudget = actionBudget;
    this.queryBudget = queryBudget;
    this.settings = settings;
    this.clock = clock;
    this.observer = observer;
  }

  /** Receives the outcome of every cloud call, for metrics. */
  public interface CallObserver {
    CallObserver NONE = (operation, outcome, duration) -> {};

    void called(String operation, String outcome, Duration duration);
  }

  /** A JDK HTTP client for cloud calls: one per operator, connection reuse, TLS as configured. */
  public static HttpClient newHttpClient(CloudClientSettings settings) {
    return HttpClient.newBuilder()
        .connectTimeout(settings.connectTimeout())
        .sslContext(settings.tls().sslContext())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  @Override
  public String submit(CloudAction action, List<String> serverIds) {
    return submit(action, serverIds, null);
  }

  @Override
  public String submit(CloudAction action, List<String> serverIds, Instant notAfter) {
    BmsClient.requireCallSize(serverIds);
    reserve(actionBudget, "submit");
    return post(action, serverIds, notAfter);
  }

  @Override
  public Duration reserveActionCall() {
    return Duration.ofNanos(actionBudget.tryReserve());
  }

  @Override
  public String submitReserved(CloudAction action, List<String> serverIds, Instant notAfter) {
    BmsClient.requireCallSize(serverIds);
    long paused = actionBudget.pausedNanos();
    if (paused > 0) {
      throw CloudException.throttledLocally("submit", Duration.ofNanos(paused));
    }
    return post(action, serverIds, notAfter);
  }

  private String post(CloudAction action, List<String> serverIds, Instant notAfter) {
    byte[] body = actionBody(action, serverIds).toString().getBytes(StandardCharsets.UTF_8);
    JsonNode answer =
        send("submit", "POST", endpoint.resolve("/baremetalservers/action"), body, 1, notAfter);
    String jobId = ResponseParser.jobId(answer);
    if (jobId == null || jobId.isBlank()) {
      throw new CloudException(
          200,
          "NO_JOB_ID",
          "the action call was accepted but no job_id came back",
          null,
          ErrorClass.AMBIGUOUS,
          null,
          null);
    }
    LOG.info("action submitted: action={} servers={} jobId={}", action, serverIds.size(), jobId);
    return jobId;
  }

  @Override
  public Job getJob(String jobId) {
    return ResponseParser.job(query("getJob", "/jobs/" + jobId));
  }

  @Override
  public ServerDetails getServer(String serverId) {
    return ResponseParser.server(
        query("getServer", "/baremetalservers/" + serverId).path("server"));
  }

  @Override
  public ServerPage listServers(int page, int limit) {
    return listServers(page, limit, null);
  }

  /** The cloud filters: {@code tags=<tag>}, percent-encoded (RFC 3986) and signed as sent. */
  @Override
  public ServerPage listServers(int page, int limit, String tag) {
    String query = "?limit=" + limit + "&offset=" + page;
    if (tag != null && !tag.isEmpty()) {
      query += "&tags=" + AkSkSigner.encode(tag);
    }
    return ResponseParser.serverPage(query("listServers", "/baremetalservers/detail" + query));
  }

  static ObjectNode actionBody(CloudAction action, List<String> serverIds) {
    ObjectNode body = ResponseParser.JSON.createObjectNode();
    ObjectNode inner = body.putObject(action.wireName());
    if (action != CloudAction.START) {
      // HARD is the only type the cloud honours; os-start has no type.
      inner.put("type", "HARD");
    }
    ArrayNode servers = inner.putArray("servers");
    serverIds.forEach(id -> servers.addObject().put("id", id));
    return body;
  }

  /** One GET; a failure is the caller's to retry at its next reconcile. */
  private JsonNode query(String operation, String pathAndQuery) {
    reserve(queryBudget, operation);
    return send(operation, "GET", endpoint.resolve(pathAndQuery), null, 1, null);
  }

  /** Takes a permit now or fails without sending: waiting would block a reconcile thread. */
  private static void reserve(RateBudget budget, String operation) {
    long waitNanos = budget.tryReserve();
    if (waitNanos > 0) {
      throw CloudException.throttledLocally(operation, Duration.ofNanos(waitNanos));
    }
  }

  /** One exchange; a refused IAM token is renewed once (the request was not executed). */
  private JsonNode send(
      String operation, String method, URI uri, byte[] body, int tokenRenewals, Instant notAfter) {
    long started = System.nanoTime();
    HttpResponse<String> response;
    try {
      HttpRequest request = request(method, uri, body);
      // After signing or fetching a token, which can take long: is it still time to send?
      if (notAfter != null && clock.instant().isAfter(notAfter)) {
        throw CloudException.intentExpired();
      }
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException | SSLHandshakeException e) {
      observe(operation, "unreachable", started);
      throw CloudException.network(operation, false, e);
    } catch (IOException e) {
      observe(operation, "no-answer", started);
      throw CloudException.network(operation, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      observe(operation, "interrupted", started);
      throw CloudException.network(operation, "POST".equals(method), e);
    }
    int status = response.statusCode();
    String requestId = response.headers().firstValue("X-Request-Id").orElse(null);
    LOG.debug(
        "cloud call: operation={} method={} path={} status={} requestId={}",
        operation,
        method,
        uri.getPath(),
        status,
        requestId);
    if (status >= 200 && status < 300) {
      observe(operation, "ok", started);
      return ResponseParser.tree(response.body());
    }
    var requestIdHeader = response.headers().firstValue("X-Request-Id");
    var retryAfterHeader = response.headers().firstValue("Retry-After");
    CloudException error =
        "POST".equals(method)
            ? ResponseParser.actionError(status, response.body(), requestIdHeader, retryAfterHeader)
            : ResponseParser.error(status, response.body(), requestIdHeader, retryAfterHeader);
    observe(
        operation, status == 429 ? "throttled" : error.errorClass().name().toLowerCase(), started);
    if (status == 429) {
      RateBudget budget = "POST".equals(method) ? actionBudget : queryBudget;
      budget.pause(error.retryAfter() != null ? error.retryAfter() : Duration.ofSeconds(3));
    }
    if (credentials instanceof Credentials.Password password
        && tokenRejected(error)
        && tokenRenewals > 0) {
      tokens.invalidate(password, endpoint.projectId());
      return send(operation, method, uri, body, tokenRenewals - 1, notAfter);
    }
    throw error;
  }

  private static boolean tokenRejected(CloudException e) {
    String code = e.code() == null ? "" : e.code();
    return e.httpStatus() == 401
        && (code.endsWith(".0307")
            || code.equals("IAM.0066")
            || code.equals("IAM.0067")
            || code.endsWith(".0301"));
  }

  private HttpRequest request(String method, URI uri, byte[] body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout());
    Map<String, String> signed = new LinkedHashMap<>();
    signed.put("Host", AkSkSigner.hostHeader(uri));
    signed.put(AkSkSigner.DATE_HEADER, AkSkSigner.formatDate(clock.instant()));
    signed.put("X-Project-Id", endpoint.projectId());
    if (body != null) {
      signed.put("Content-Type", JSON_TYPE);
    }
    if (credentials instanceof Credentials.AkSk aksk) {
      if (aksk.securityToken() != null) {
        signed.put("X-Security-Token", aksk.securityToken());
      }
      builder.header("Authorization", AkSkSigner.sign(aksk, method, uri, signed, body));
    } else if (credentials instanceof Credentials.Password password) {
      builder.header("X-Auth-Token", tokens.token(password, endpoint.projectId()));
    }
    // Host is set by the HTTP client itself, with the same value that was signed.
    signed.forEach(
        (k, v) -> {
          if (!k.equals("Host")) {
            builder.header(k, v);
          }
        });
    builder.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    return builder.build();
  }

  private void observe(String operation, String outcome, long startedNanos) {
    observer.called(operation, outcome, Duration.ofNanos(System.nanoTime() - startedNanos));
  }

  @Override
  public String toString() {
    return "HttpBmsClient{endpoint="
        + endpoint.endpoint()
        + ", project="
        + endpoint.projectId()
        + ", credentials="
        + credentials
        + "}";
  }
}
