package io.bmspower.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.cloud.AkSkSigner;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
 * A BMS API simulator over HTTP(S): IAM tokens, AK/SK signature checks, the batch action, jobs,
 * server details and list, the documented error bodies, rate limits, and fault injection.
 */
public final class BmsSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BmsSimulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern API_PATH = Pattern.compile("^/v1/([^/]+)/(.+)$");
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);

  private final SimulatorOptions options;
  private final Clock clock;
  private final SimulatedCloud cloud;
  private final HttpServer server;
  private final ExecutorService executor;
  private final SelfSignedCertificate certificate;
  private final Map<String, TokenGrant> tokens = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final Map<String, ArrayDeque<Instant>> windows = new ConcurrentHashMap<>();
  private final AtomicLong apiRequests = new AtomicLong();
  private final AtomicLong actionCalls = new AtomicLong();
  private final AtomicInteger dropsLeft;
  private final Random faults;

  private record TokenGrant(String projectId, Instant expires) {}

  public BmsSimulator(SimulatorOptions options) throws IOException {
    this(options, Clock.systemUTC());
  }

  public BmsSimulator(SimulatorOptions options, Clock clock) throws IOException {
    this.options = options;
    this.clock = clock;
    this.cloud = new SimulatedCloud(options);
    this.dropsLeft = new AtomicInteger(options.dropAfterAccept);
    this.faults = new Random(options.seed);
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
    return cloud.inventoryOrder();
  }

  /** The server IDs a simulator with this inventory size and seed has, in order. */
  public static List<String> inventory(int size, long seed) {
    return SimulatedCloud.inventory(size, seed);
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
      if (throttled(operation)) {
        if (options.retryAfterSeconds >= 0) {
          exchange
              .getResponseHeaders()
              .set("Retry-After", String.valueOf(options.retryAfterSeconds));
        }
        respond(
            exchange,
            operation,
            429,
            gatewayError(
                "APIG.0308",
                "The throttling threshold has been reached: policy user over ratelimit,limit:"
                    + limit(operation)
                    + ",time:1 minute"));
        return;
      }
      if (options.serverErrorRate > 0 && nextFault() < options.serverErrorRate) {
        boolean unavailable = nextFault() < 0.5;
        respond(
            exchange,
            operation,
            unavailable ? 503 : 500,
            unavailable
                ? gatewayError("APIG.0203", "Backend unavailable")
                : bmsError("BMS.9999", "Internal server error (injected)."));
        return;
      }
      Instant now = clock.instant();
      switch (operation) {
        case "submit" -> submit(exchange, body, now);
        case "getJob" -> getJob(exchange, rest.substring("jobs/".length()), now);
        case "listServers" -> listServers(exchange, uri, now);
        case "getServer" -> getServer(exchange, rest.substring("baremetalservers/".length()), now);
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
      respond(exchange, operation, 500, bmsError("BMS.9999", "Internal server error."));
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
        return refuse(
            exchange,
            operation,
            401,
            "APIG.0301",
            "Incorrect IAM authentication information: decrypt token fail");
      }
      if (!clock.instant().isBefore(grant.expires())) {
        return refuse(exchange, operation, 401, "APIG.0307", "The token must be updated.");
      }
      scopedProject = grant.projectId();
    } else if (authorization != null) {
      String problem = verifySignature(exchange, method, uri, body, authorization);
      if (problem != null) {
        return refuse(
            exchange,
            operation,
            401,
            problem.startsWith("signature expired") || problem.startsWith("verify signature")
                ? "APIG.0303"
                : "APIG.0301",
            problem);
      }
      // The AK belongs to the account that owns the simulator's one project.
      scopedProject = options.projectId;
    } else {
      return refuse(
          exchange,
          operation,
          401,
          "APIG.0301",
          "Incorrect IAM authentication information: no token and no AK/SK signature");
    }
    if (!scopedProject.equals(project)) {
      respond(
          exchange,
          operation,
          400,
          bmsError("Common.0018", "tenantId in token is not the same with in URL."));
      return "Common.0018";
    }
    return null;
  }

  private void apiNotFound(HttpExchange exchange, String operation) {
    respond(
        exchange,
        operation,
        404,
        gatewayError(
            "APIG.0101", "The API does not exist or has not been published in the environment."));
  }

  private String refuse(
      HttpExchange exchange, String operation, int status, String code, String message) {
    respond(exchange, operation, status, gatewayError(code, message));
    return code;
  }

  private String verifySignature(
      HttpExchange exchange, String method, URI uri, byte[] body, String authorization) {
    Matcher a =
        Pattern.compile(
                "^SDK-HMAC-SHA256\\s+Access=([^,\\s]+),\\s*SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-fA-F]+)$")
            .matcher(authorization.trim());
    if (!a.matches()) {
      return "Incorrect IAM authentication information: unsupported Authorization header";
    }
    if (!a.group(1).equals(options.accessKey)) {
      return "Incorrect IAM authentication information: verify aksk signature fail, ak "
          + mask(a.group(1))
          + " not found";
    }
    List<String> signedNames = List.of(a.group(2).toLowerCase().split(";"));
    if (!signedNames.contains("host") || !signedNames.contains("x-sdk-date")) {
      return "Incorrect IAM authentication information: host and x-sdk-date must be signed";
    }
    String date = exchange.getRequestHeaders().getFirst(AkSkSigner.DATE_HEADER);
    Instant signedAt;
    try {
      signedAt = AkSkSigner.DATE_FORMAT.parse(date == null ? "" : date, Instant::from);
    } catch (DateTimeParseException e) {
      return "Incorrect IAM authentication information: X-Sdk-Date is missing or malformed";
    }
    Instant now = clock.instant();
    if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
      return "signature expired, signature time:"
          + date
          + ", server time:"
          + AkSkSigner.formatDate(now);
    }
    Map<String, String> headers = new TreeMap<>();
    for (String name : signedNames) {
      String value = exchange.getRequestHeaders().getFirst(name);
      headers.put(name, value == null ? "" : value);
    }
    String canonical =
        AkSkSigner.canonicalRequest(method, uri.getRawPath(), uri.getRawQuery(), headers, body);
    String expected =
        AkSkSigner.signature(options.secretKey, AkSkSigner.stringToSign(date, canonical));
    if (!expected.equalsIgnoreCase(a.group(3))) {
      return "verify signature fail, canonicalRequest:" + canonical.replace('\n', '|');
    }
    return null;
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

  // ---- rate limits and faults ----------------------------------------------------------------

  private boolean throttled(String operation) {
    long n = apiRequests.incrementAndGet();
    if (options.throttleEvery > 0
        && options.throttleBurst > 0
        && (n - 1) % options.throttleEvery < options.throttleBurst) {
      return true;
    }
    int limit = limit(operation);
    if (!options.rateLimits || limit <= 0) {
      return false;
    }
    ArrayDeque<Instant> window = windows.computeIfAbsent(operation, k -> new ArrayDeque<>());
    Instant now = clock.instant();
    synchronized (window) {
      while (!window.isEmpty() && !window.peekFirst().isAfter(now.minus(Duration.ofMinutes(1)))) {
        window.pollFirst();
      }
      if (window.size() >= limit) {
        return true;
      }
      window.addLast(now);
      return false;
    }
  }

  private int limit(String operation) {
    return switch (operation) {
      case "submit" -> options.actionsPerMinute;
      case "getJob" -> options.jobQueriesPerMinute;
      case "getServer" -> options.detailsPerMinute;
      case "listServers" -> options.listsPerMinute;
      default -> 0;
    };
  }

  private synchronized double nextFault() {
    return faults.nextDouble();
  }

  // ---- the API -------------------------------------------------------------------------------

  private void submit(HttpExchange exchange, byte[] body, Instant now) {
    JsonNode root = tree(body);
    PowerAction action;
    JsonNode inner;
    if (root.has("os-stop")) {
      action = PowerAction.Stop;
      inner = root.get("os-stop");
    } else if (root.has("os-start")) {
      action = PowerAction.Start;
      inner = root.get("os-start");
    } else if (root.has("reboot")) {
      action = PowerAction.Reboot;
      inner = root.get("reboot");
      if (!inner.has("type")) {
        respond(
            exchange,
            "submit",
            400,
            bmsError("BMS.0001", "Fail to parse request, reason: reboot.type is mandatory."));
        return;
      }
    } else {
      respond(
          exchange,
          "submit",
          400,
          bmsError(
              "BMS.0001", "Fail to parse request, reason: expected os-stop, os-start or reboot."));
      return;
    }
    if (inner.has("type") && !"HARD".equals(inner.path("type").asText())) {
      respond(
          exchange,
          "submit",
          400,
          bmsError("BMS.0018", "Request parameter is invalid: type must be HARD."));
      return;
    }
    JsonNode serversNode = inner.path("servers");
    if (!serversNode.isArray()) {
      respond(
          exchange,
          "submit",
          400,
          bmsError("BMS.0001", "Fail to parse request, reason: servers must be a list."));
      return;
    }
    if (serversNode.isEmpty() || serversNode.size() > 1000) {
      respond(
          exchange,
          "submit",
          400,
          bmsError("BMS.0205", "The number of baremetal servers is out of range for one REquest."));
      return;
    }
    List<String> ids = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode s : serversNode) {
      String id = s.path("id").asText("");
      if (!id.matches(SimulatedCloud.UUID_PATTERN) || !seen.add(id.toLowerCase())) {
        respond(
            exchange,
            "submit",
            400,
            bmsError("BMS.0022", "Request parameter is invalid: server id '" + id + "'."));
        return;
      }
      ids.add(id);
    }
    List<String> unknown = cloud.unknown(ids, now);
    if (!unknown.isEmpty() && options.unknownIds == SimulatorOptions.UnknownIdMode.reject) {
      respond(
          exchange,
          "submit",
          400,
          bmsError("BMS.0040", "The server does not exist. " + String.join(",", unknown)));
      return;
    }
    SimulatedCloud.Job job = cloud.submit(action, ids, now);
    actionCalls.incrementAndGet();
    if (dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      // Accepted, then the connection drops before the answer: the client cannot know.
      count("submit", "dropped");
      LOG.info("fault: dropping the connection after accepting job {}", job.jobId());
      return;
    }
    ObjectNode answer = JSON.createObjectNode().put("job_id", job.jobId());
    respond(exchange, "submit", 200, answer);
  }

  private void getJob(HttpExchange exchange, String jobId, Instant now) {
    SimulatedCloud.Job job = cloud.job(jobId);
    if (job == null) {
      respond(
          exchange, "getJob", 404, bmsError("BMS.0024", "The job " + jobId + " does not exist."));
      return;
    }
    String status = job.status(now);
    boolean finished = status.equals("SUCCESS") || status.equals("FAIL");
    ObjectNode answer = JSON.createObjectNode();
    answer.put("status", status);
    ObjectNode entities = answer.putObject("entities");
    entities.put("sub_jobs_total", job.subJobs().size());
    ArrayNode subJobs = entities.putArray("sub_jobs");
    for (SimulatedCloud.SubJob sub : job.subJobs()) {
      ObjectNode s = subJobs.addObject();
      s.put(
          "status",
          status.equals("INIT")
              ? "INIT"
              : !finished ? "RUNNING" : sub.succeeds() ? "SUCCESS" : "FAIL");
      s.putObject("entities").put("server_id", sub.serverId());
      s.put("job_id", sub.jobId());
      s.put("job_type", "baremetalSingleOperate");
      s.put("begin_time", job.created().toString());
      s.put("end_time", finished ? job.finishes().toString() : null);
      s.put("error_code", finished && !sub.succeeds() ? sub.errorCode() : null);
      s.put("fail_reason", finished && !sub.succeeds() ? sub.failReason() : null);
    }
    answer.put("job_id", job.jobId());
    answer.put("job_type", "baremetalBatchOperate");
    answer.put("begin_time", job.created().toString());
    answer.put("end_time", finished ? job.finishes().toString() : null);
    answer.put("error_code", status.equals("FAIL") ? "BMS.0006" : null);
    answer.put("fail_reason", status.equals("FAIL") ? "Fail to operate baremetal server." : null);
    respond(exchange, "getJob", 200, answer);
  }

  private void getServer(HttpExchange exchange, String serverId, Instant now) {
    SimulatedCloud.Server server = cloud.server(serverId, now);
    if (server == null) {
      respond(exchange, "getServer", 404, bmsError("BMS.0040", "The server does not exist."));
      return;
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.set("server", serverJson(server));
    respond(exchange, "getServer", 200, answer);
  }

  private void listServers(HttpExchange exchange, URI uri, Instant now) {
    Map<String, String> query = query(uri.getRawQuery());
    int limit = Math.min(1000, Math.max(1, parseInt(query.get("limit"), 25)));
    int page = Math.max(1, parseInt(query.get("offset"), 1));
    List<SimulatedCloud.Server> all = cloud.list(now);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("count", all.size());
    ArrayNode servers = answer.putArray("servers");
    int from = (page - 1) * limit;
    for (int i = from; i < Math.min(all.size(), from + limit); i++) {
      servers.add(serverJson(all.get(i)));
    }
    respond(exchange, "listServers", 200, answer);
  }

  private static ObjectNode serverJson(SimulatedCloud.Server s) {
    ObjectNode n = JSON.createObjectNode();
    synchronized (s) {
      boolean on = s.power == SimulatedCloud.Power.ON;
      boolean rebooting = s.taskState != null && s.taskState.startsWith("reboot");
      n.put("id", s.id);
      n.put("name", s.name);
      n.put("status", rebooting ? "HARD_REBOOT" : on ? "ACTIVE" : "SHUTOFF");
      n.put("OS-EXT-STS:task_state", s.taskState);
      n.put("OS-EXT-STS:vm_state", on ? "active" : "stopped");
      n.put("OS-EXT-STS:power_state", on ? 1 : 4);
      n.put("locked", false);
      n.put("host_status", "UP");
      n.put("updated", s.updated.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    }
    return n;
  }

  // ---- stats ---------------------------------------------------------------------------------

  private ObjectNode stats() {
    ObjectNode answer = JSON.createObjectNode();
    ObjectNode byOp = answer.putObject("requests");
    new TreeMap<>(requests).forEach((k, v) -> byOp.put(k, v.get()));
    answer.put("actionCalls", actionCalls.get());
    Map<String, Integer> submissions = cloud.submissions();
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

  private static ObjectNode bmsError(String code, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("error").put("message", message).put("code", code);
    return n;
  }

  private static ObjectNode gatewayError(String code, String message) {
    return JSON.createObjectNode()
        .put("error_code", code)
        .put("error_msg", message)
        .put("request_id", UUID.randomUUID().toString().replace("-", ""));
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

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(
              pair.substring(0, eq),
              java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  private static int parseInt(String s, int fallback) {
    try {
      return s == null ? fallback : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static String mask(String ak) {
    return ak.length() <= 4 ? "****" : ak.substring(0, 4) + "****";
  }
}
