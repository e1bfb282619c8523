package io.bmspower.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmspower.cloud.CloudAction;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The BMS API's answers, whatever carries them: rate limits, injected 5xx, validation of the action
 * call, jobs, server details and list. The HTTP simulator answers from here after authenticating,
 * and so do in-process test clients, so the two cannot disagree.
 */
final class SimulatedApi {

  static final ObjectMapper JSON = new ObjectMapper();

  /** An answer: its HTTP status, JSON body, and the Retry-After header of a 429, or null. */
  record Answer(int status, JsonNode body, String retryAfter) {
    Answer(int status, JsonNode body) {
      this(status, body, null);
    }

    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final SimulatorOptions options;
  private final SimulatedCloud cloud;
  private final Map<String, ArrayDeque<Instant>> windows = new ConcurrentHashMap<>();
  private final AtomicLong apiRequests = new AtomicLong();
  private final AtomicLong actionCalls = new AtomicLong();
  private final Random faults;

  SimulatedApi(SimulatorOptions options, SimulatedCloud cloud) {
    this.options = options;
    this.cloud = cloud;
    this.faults = new Random(options.seed);
  }

  SimulatedCloud cloud() {
    return cloud;
  }

  /** Accepted action calls: each one created a job. */
  long actionCalls() {
    return actionCalls.get();
  }

  // ---- rate limits and faults ----------------------------------------------------------------

  /** The 429 this call gets from an injected burst or the per-minute limits, or null. */
  Answer throttle(String operation, Instant now) {
    return throttled(operation, now) ? tooManyRequests(operation) : null;
  }

  /** The gateway's 429, with Retry-After when the options send one. */
  Answer tooManyRequests(String operation) {
    return new Answer(
        429,
        gatewayError(
            "APIG.0308",
            "The throttling threshold has been reached: policy user over ratelimit,limit:"
                + limit(operation)
                + ",time:1 minute"),
        options.retryAfterSeconds >= 0 ? String.valueOf(options.retryAfterSeconds) : null);
  }

  /** An injected 504 or 500 at the configured rate, or null. */
  Answer fault() {
    if (options.serverErrorRate <= 0 || nextFault() >= options.serverErrorRate) {
      return null;
    }
    return nextFault() < 0.5
        ? new Answer(504, gatewayError("APIG.0203", "Backend timeout"))
        : new Answer(500, bmsError("BMS.9999", "Internal server error (injected)."));
  }

  private boolean throttled(String operation, Instant now) {
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

  /** The action call as it comes over the wire: {@code {"os-stop": {"type", "servers"}}} etc. */
  Answer submit(JsonNode root, Instant now) {
    CloudAction action = null;
    for (CloudAction a : CloudAction.values()) {
      if (root.has(a.wireName())) {
        action = a;
        break;
      }
    }
    if (action == null) {
      return badRequest(
          "BMS.0001", "Fail to parse request, reason: expected os-stop, os-start or reboot.");
    }
    JsonNode inner = root.get(action.wireName());
    if (action == CloudAction.REBOOT && !inner.has("type")) {
      return badRequest("BMS.0001", "Fail to parse request, reason: reboot.type is mandatory.");
    }
    if (inner.has("type") && !"HARD".equals(inner.path("type").asText())) {
      return badRequest("BMS.0018", "Request parameter is invalid: type must be HARD.");
    }
    JsonNode serversNode = inner.path("servers");
    if (!serversNode.isArray()) {
      return badRequest("BMS.0001", "Fail to parse request, reason: servers must be a list.");
    }
    List<String> ids = new ArrayList<>();
    serversNode.forEach(s -> ids.add(s.path("id").asText("")));
    return submit(action, ids, now);
  }

  /** Validates the servers of an action call as the cloud does, then creates its job. */
  Answer submit(CloudAction action, List<String> ids, Instant now) {
    if (ids.isEmpty() || ids.size() > 1000) {
      return badRequest(
          "BMS.0205", "The number of baremetal servers is out of range for one REquest.");
    }
    Set<String> seen = new HashSet<>();
    for (String id : ids) {
      String s = id == null ? "" : id;
      if (!s.matches(SimulatedCloud.UUID_PATTERN) || !seen.add(s.toLowerCase())) {
        return badRequest("BMS.0022", "Request parameter is invalid: server id '" + s + "'.");
      }
    }
    List<String> unknown = cloud.unknown(ids, now);
    if (!unknown.isEmpty() && options.unknownIds == SimulatorOptions.UnknownIdMode.reject) {
      return badRequest("BMS.0040", "The server does not exist. " + String.join(",", unknown));
    }
    SimulatedCloud.Job job = cloud.submit(action, ids, now);
    actionCalls.incrementAndGet();
    return new Answer(200, JSON.createObjectNode().put("job_id", job.jobId()));
  }

  Answer job(String jobId, Instant now) {
    SimulatedCloud.Job job = cloud.job(jobId);
    if (job == null) {
      return new Answer(404, bmsError("BMS.0024", "The job " + jobId + " does not exist."));
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
    return new Answer(200, answer);
  }

  Answer server(String serverId, Instant now) {
    SimulatedCloud.Server server = cloud.server(serverId, now);
    if (server == null) {
      return new Answer(404, bmsError("BMS.0040", "The server does not exist."));
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.set("server", serverJson(server));
    return new Answer(200, answer);
  }

  /** A page of the inventory: {@code page} from 1, {@code limit} 1 to 1,000 (clamped). */
  Answer servers(int page, int limit, Instant now) {
    int size = Math.min(1000, Math.max(1, limit));
    int from = (Math.max(1, page) - 1) * size;
    List<SimulatedCloud.Server> all = cloud.list(now);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("count", all.size());
    ArrayNode servers = answer.putArray("servers");
    for (int i = from; i < Math.min(all.size(), from + size); i++) {
      servers.add(serverJson(all.get(i)));
    }
    return new Answer(200, answer);
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
      n.put("updated", s.updated.truncatedTo(ChronoUnit.SECONDS).toString());
    }
    return n;
  }

  // ---- error bodies --------------------------------------------------------------------------

  private static Answer badRequest(String code, String message) {
    return new Answer(400, bmsError(code, message));
  }

  static ObjectNode bmsError(String code, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("error").put("message", message).put("code", code);
    return n;
  }

  static ObjectNode gatewayError(String code, String message) {
    return JSON.createObjectNode()
        .put("error_code", code)
        .put("error_msg", message)
        .put("request_id", UUID.randomUUID().toString().replace("-", ""));
  }
}
