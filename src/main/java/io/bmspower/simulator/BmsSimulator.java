package io.bmspower.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BMS API simulator over HTTP(S): IAM tokens, AK/SK signature checks and the faults only a
 * connection has (latency, an answer dropped after accepting); the API's answers (rate limits,
 * validation, jobs, server details and list, the documented error bodies) come from {@link
 * SimulatedApi}, which in-process test clients share.
 */
public final class BmsSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BmsSimulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern API_PATH = Pattern.compile("^/v1/([^/]+)/(.+)$");

  private final SimulatorOptions options;
  private final Clock clock;
  private final SimulatedApi api;
  private final AkSkVerifier signatures;
  private final HttpServer server;
  private final ExecutorService executor;
  private final SelfSignedCertificate certificate;
  private final Map<String, TokenGrant> tokens = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final AtomicInteger dropsLeft;

  private record TokenGrant(String projectId, Instant expires) {}

  public BmsSimulator(SimulatorOptions options) throws IOException {
    this(options, Clock.systemUTC());
  }

  public BmsSimulator(SimulatorOptions options, Clock clock) throws IOException {
    this.options = options;
    // The cloud's clock (#12): jobs, updated, token expiry and the signature's 15 minutes.
    this.clock = Clock.offset(clock, options.clockOffset);
    this.api = new SimulatedApi(options, new SimulatedCloud(options));
    this.signatures = new AkSkVerifier(options, this.clock);
    this.dropsLeft = new AtomicInteger(options.dropAfterAccept);
    InetSocketAddress address = new InetSocketAddress(options.host, options.port);
    if (options.https) {
      certificate = new SelfSignedCertificate();
      HttpsServer https = HttpsServer.create(address, 256);
      https.setHttpsConfigurator(new HttpsConfigurator(certificate.sslContext()));
      server = https;
      if (options.certOut != null) {
        certificate.writePem(options.certOut);
      }
    } else {
      certificate = null;
      server = HttpServer.create(address, 256);
    }
    executor =
        Executors.newFixedThreadPool(
            16,
            r -> {
              Thread t = new Thread(r, "bms-simulator");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public BmsSimulator start() {
    server.start();
    LOG.info("BMS simulator listening on {} with {} servers", baseUrl(), options.servers);
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String baseUrl() {
    return (options.https ? "https" : "http")
        + "://"
        + ("0.0.0.0".equals(options.host) ? "127.0.0.1" : options.host)
        + ":"
        + port();
  }

  /** The certificate clients must trust when serving HTTPS (PEM), or null. */
  public String certificatePem() {
    return certificate == null ? null : certificate.pem();
  }

  public List<String> inventory() {
    return api.cloud().inventoryOrder();
  }

  /** The server IDs a simulator with this inventory size and seed has, in order. */
  public static List<String> inventory(int size, long seed) {
    return SimulatedCloud.inventory(size, seed);
  }

  // ---- tags and names, for tests -------------------------------------------------------------

  /** The IDs of the servers carrying this tag now ({@code key=value}), in inventory order. */
  public List<String> serversTagged(String tag) {
    return api.cloud().serversTagged(tag);
  }

  /**
   * Tags these servers from now on, as the list's {@code tags} filter and the servers' JSON show. A
   * key has one value: {@code key=v2} replaces {@code key=v1}. Every ID must name a server,
   * otherwise {@link IllegalArgumentException} and nothing changes.
   */
  public void tag(Collection<String> ids, String tag) {
    api.cloud().tag(ids, tag, true, clock.instant());
  }

  /**
   * Removes the tag from these servers (those without it stay as they are); IDs as {@link #tag}.
   */
  public void untag(Collection<String> ids, String tag) {
    api.cloud().tag(ids, tag, false, clock.instant());
  }

  /** The server's tags now, {@code __type_baremetal} first; null when there is no such server. */
  public List<String> tags(String id) {
    return api.cloud().tags(id);
  }

  /** The server's name ({@code bms-1} for the first of the inventory), or null. */
  public String serverName(String id) {
    return api.cloud().name(id);
  }

  /** The IDs of the servers with this name, in inventory order. */
  public List<String> serversNamed(String name) {
    return api.cloud().serversNamed(name);
  }

  /**
   * The server's status as {@code GET .../baremetalservers/{id}} shows it now: ACTIVE, SHUTOFF, or
   * HARD_REBOOT while a reboot shows; null when there is no such server. For tests that make
   * something follow a server's power without calling the API (e.g. a kubelet stand-in).
   */
  public String serverStatus(String id) {
    Instant now = clock.instant();
    SimulatedCloud.Server server = api.cloud().server(id, now);
    return server == null ? null : server.status(now);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String operation = "unknown";
    try (exchange) {
      byte[] body = readBody(exchange);
      URI uri = exchange.getRequestURI();
      String path = uri.getRawPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/_sim/stats") && method.equals("GET")) {
        operation = "stats";
        respond(exchange, operation, 200, stats());
        return;
      }
      if (path.equals("/_sim/status") && method.equals("GET")) {
        operation = "status";
        respond(exchange, operation, 200, statuses(uri.getQuery()));
        return;
      }
      if (!options.latency.isZero()) {
        Thread.sleep(options.latency.toMillis());
      }
      if (path.equals("/v3/auth/tokens") && method.equals("POST")) {
        operation = "token";
        issueToken(exchange, body);
        return;
      }
      Matcher m = API_PATH.matcher(path);
      if (!m.matches()) {
        apiNotFound(exchange, operation);
        return;
      }
      String project = m.group(1);
      String rest = m.group(2);
      operation = operation(method, rest);
      String authError = authenticate(exchange, operation, method, uri, body, project);
      if (authError != null) {
        return;
      }
      Instant now = clock.instant();
      SimulatedApi.Answer refused = api.throttle(operation, now);
      if (refused == null) {
        refused = api.fault(operation);
      }
      if (refused != null) {
        respond(exchange, operation, refused);
        return;
      }
      switch (operation) {
        case "submit" -> submit(exchange, body, now);
        case "getJob" ->
            respond(exchange, operation, api.job(rest.substring("jobs/".length()), now));
        case "listServers" -> listServers(exchange, uri, now);
        case "getServer" ->
            respond(
                exchange, operation, api.server(rest.substring("baremetalservers/".length()), now));
        default -> apiNotFound(exchange, operation);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn(
          "simulator error on {} {}",
          exchange.getRequestMethod(),
          exchange.getRequestURI().getPath(),
          e);
      respond(
          exchange, operation, 500, SimulatedApi.bmsError("BMS.9999", "Internal server error."));
    }
  }

  private static String operation(String method, String rest) {
    if (method.equals("POST") && rest.equals("baremetalservers/action")) {
      return "submit";
    }
    if (method.equals("GET") && rest.startsWith("jobs/")) {
      return "getJob";
    }
    if (method.equals("GET") && rest.equals("baremetalservers/detail")) {
      return "listServers";
    }
    if (method.equals("GET")
        && rest.startsWith("baremetalservers/")
        && !rest.substring(17).contains("/")) {
      return "getServer";
    }
    return "unknown";
  }

  // ---- authentication ------------------------------------------------------------------------

  /** Returns null when the caller may proceed; otherwise the error was already sent. */
  private String authenticate(
      HttpExchange exchange,
      String operation,
      String method,
      URI uri,
      byte[] body,
      String project) {
    String token = exchange.getRequestHeaders().getFirst("X-Auth-Token");
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    String scopedProject;
    if (token != null) {
      TokenGrant grant = tokens.get(token);
      if (grant == null) {
        return refuse(exchange, operation, 401, "0301", AkSkVerifier.PREFIX + "decrypt token fail");
      }
      if (!clock.instant().isBefore(grant.expires())) {
        return refuse(exchange, operation, 401, "0307", "The token must be updated.");
      }
      scopedProject = grant.projectId();
    } else if (authorization != null) {
      // The Host header as it arrived, as the gateway sees it: not the one the client signed.
      String problem =
          signatures.verify(
              method, uri, exchange.getRequestHeaders()::getFirst, body, authorization);
      if (problem != null) {
        return refuse(exchange, operation, 401, "0301", problem);
      }
      // The AK belongs to the account that owns the simulator's one project.
      scopedProject = options.projectId;
    } else {
      return refuse(
          exchange,
          operation,
          401,
          "0301",
          AkSkVerifier.PREFIX + "no token and no AK/SK signature");
    }
    if (!scopedProject.equals(project)) {
      respond(
          exchange,
          operation,
          400,
          SimulatedApi.bmsError("Common.0018", "tenantId in token is not the same with in URL."));
      return "Common.0018";
    }
    return null;
  }

  private void apiNotFound(HttpExchange exchange, String operation) {
    respond(
        exchange,
        operation,
        404,
        api.gatewayError(
            "0101", "The API does not exist or has not been published in the environment."));
  }

  /** The gateway's refusal; {@code number} as in APIG.0301. */
  private String refuse(
      HttpExchange exchange, String operation, int status, String number, String message) {
    respond(exchange, operation, status, api.gatewayError(number, message));
    return number;
  }

  private void issueToken(HttpExchange exchange, byte[] body) {
    JsonNode auth = tree(body).path("auth");
    JsonNode user = auth.path("identity").path("password").path("user");
    String projectId = auth.path("scope").path("project").path("id").asText(null);
    boolean passwordMethod =
        auth.path("identity").path("methods").toString().contains("\"password\"");
    if (!passwordMethod || user.isMissingNode()) {
      respond(
          exchange,
          "token",
          400,
          iamError(
              "IAM.0007",
              "Request parameter is invalid: the password method and a user are required."));
      return;
    }
    if (!options.iamUser.equals(user.path("name").asText())
        || !options.iamDomain.equals(user.path("domain").path("name").asText())) {
      respond(
          exchange,
          "token",
          401,
          iamError(
              "IAM.0002",
              "Incorrect IAM authentication information: the user does not exist in this domain."));
      return;
    }
    if (!options.iamPassword.equals(user.path("password").asText())) {
      respond(exchange, "token", 401, iamError("IAM.0062", "Incorrect password."));
      return;
    }
    if (projectId == null || !projectId.equals(options.projectId)) {
      respond(
          exchange,
          "token",
          400,
          iamError(
              "IAM.0014", "The project " + projectId + " does not exist or is not accessible."));
      return;
    }
    Instant now = clock.instant();
    String token =
        "MIIsim"
            + UUID.randomUUID().toString().replace("-", "")
            + UUID.randomUUID().toString().replace("-", "");
    tokens.put(token, new TokenGrant(projectId, now.plus(options.tokenTtl)));
    ObjectNode answer = JSON.createObjectNode();
    ObjectNode t = answer.putObject("token");
    t.put("expires_at", now.plus(options.tokenTtl).toString());
    t.put("issued_at", now.toString());
    t.putArray("methods").add("password");
    t.putObject("project").put("id", projectId).put("name", "sim-project");
    t.putObject("user")
        .put("name", options.iamUser)
        .putObject("domain")
        .put("name", options.iamDomain);
    exchange.getResponseHeaders().set("X-Subject-Token", token);
    respond(exchange, "token", 201, answer);
  }

  // ---- the API: answers from SimulatedApi, with the faults only HTTP has ------------------

  private void submit(HttpExchange exchange, byte[] body, Instant now) {
    SimulatedApi.Answer answer = api.submit(tree(body), now);
    if (answer.ok() && dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      // Accepted, then the connection drops before the answer: the client cannot know.
      count("submit", "dropped");
      LOG.info(
          "fault: dropping the connection after accepting job {}",
          answer.body().path("job_id").asText());
      return;
    }
    respond(exchange, "submit", answer);
  }

  private void listServers(HttpExchange exchange, URI uri, Instant now) {
    Map<String, String> query = query(uri.getRawQuery());
    SimulatedCloud.ServerFilter filter =
        new SimulatedCloud.ServerFilter(
            query.get("name"), query.get("status"), query.get("flavor"), query.get("tags"));
    respond(
        exchange,
        "listServers",
        api.servers(
            filter, parseInt(query.get("offset"), 1), parseInt(query.get("limit"), 25), now));
  }

  // ---- stats ---------------------------------------------------------------------------------

  /** {@code GET /_sim/status?ids=a,b}: each server's status as the API shows it now. */
  private ObjectNode statuses(String query) {
    ObjectNode answer = JSON.createObjectNode();
    if (query != null && query.startsWith("ids=")) {
      for (String id : query.substring(4).split(",")) {
        String status = serverStatus(id);
        if (status != null) {
          answer.put(id, status);
        }
      }
    }
    return answer;
  }

  private ObjectNode stats() {
    ObjectNode answer = JSON.createObjectNode();
    ObjectNode byOp = answer.putObject("requests");
    new TreeMap<>(requests).forEach((k, v) -> byOp.put(k, v.get()));
    answer.put("actionCalls", api.actionCalls());
    Map<String, Integer> submissions = api.cloud().submissions();
    answer.put("serversSubmitted", submissions.size());
    answer.put(
        "maxSubmissionsPerServer", submissions.values().stream().mapToInt(i -> i).max().orElse(0));
    ObjectNode perServer = answer.putObject("submissionsPerServer");
    submissions.forEach(perServer::put);
    return answer;
  }

  private void count(String operation, String outcome) {
    requests.computeIfAbsent(operation + " " + outcome, k -> new AtomicLong()).incrementAndGet();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void respond(HttpExchange exchange, String operation, SimulatedApi.Answer answer) {
    if (answer.retryAfter() != null) {
      exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
    }
    respond(exchange, operation, answer.status(), answer.body());
  }

  private void respond(HttpExchange exchange, String operation, int status, JsonNode body) {
    count(operation, String.valueOf(status));
    try {
      byte[] bytes = JSON.writeValueAsBytes(body);
      exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
      exchange
          .getResponseHeaders()
          .set("X-Request-Id", UUID.randomUUID().toString().replace("-", ""));
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (IOException e) {
      LOG.debug("client went away: {}", e.toString());
    }
  }

  private static ObjectNode iamError(String code, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("error").put("message", message).put("code", code).put("title", "Unauthorized");
    n.put("error_code", code).put("error_msg", message);
    return n;
  }

  private static byte[] readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      return in.readAllBytes();
    }
  }

  private static JsonNode tree(byte[] body) {
    try {
      return body.length == 0 ? JSON.missingNode() : JSON.readTree(body);
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  /**
   * The query's parameters, the last of a name winning; decoded as the signature reads them: a
   * {@code +} is a plus, not a blank.
   */
  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
      }
    }
    return q;
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static int parseInt(String s, int fallback) {
    try {
      return s == null ? fallback : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
