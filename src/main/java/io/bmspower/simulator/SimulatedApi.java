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
  private final Random postFaults;

  SimulatedApi(SimulatorOptions options, SimulatedCloud cloud) {
    this.options = options;
    this.cloud = cloud;
    this.faults = new Random(options.seed);
    this.postFaults = new Random(options.seed ^ 0x5f5);
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
            "0308",
            "The throttling threshold has been reached: policy user over ratelimit,limit:"
                + limit(operation)
                + ",time:1 minute"),
        options.retryAfterSeconds >= 0 ? String.valueOf(options.retryAfterSeconds) : null);
  }

  /** An injected 504 or 500 at the configured rate, or null. */
  Answer fault(String operation) {
    if (options.serverErrorRate <= 0 || nextFault() >= options.serverErrorRate) {
      return null;
    }
    if (nextFault() < 0.5) {
      return new Answer(504, gatewayError("0203", "Backend timeout"));
    }
    return new Answer(
        500,
        novaBacked(operation)
            ? nestedError("computeFault", 500, "Internal server error (injected).")
            : bmsError("BMS.9999", "Internal server error (injected)."));
  }

  /** A 502, 504 or 500 for the action POST (#3), when the options inject one now. */
  private Answer postServerError(SimulatorOptions.PostServerErrors when) {
    if (options.post5xx != when || nextPostFault() >= options.post5xxRate) {
      return null;
    }
    return switch ((int) (nextPostFault() * 3)) {
      case 0 -> new Answer(502, gatewayError("0202", "Backend unavailable"));
      case 1 -> new Answer(504, gatewayError("0203", "Backend timeout"));
      default -> new Answer(500, bmsError("BMS.9999", "Internal server error (injected)."));
    };
  }

  /** BMS.0212 on the action POST (#10), when the options inject it now. */
  private Answer overloaded() {
    if (options.overload != SimulatorOptions.Overload.post
        || nextPostFault() >= options.overloadRate) {
      return null;
    }
    return badRequest("BMS.0212", "System is overloaded, please try again later.");
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

  private synchronized double nextPostFault() {
    return postFaults.nextDouble();
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

  /**
   * Validates the servers of an action call as the cloud does, then creates its job; the readings
   * of the options decide the answers the documentation leaves open.
   */
  Answer submit(CloudAction action, List<String> ids, Instant now) {
    Answer refused = postServerError(SimulatorOptions.PostServerErrors.not_executed);
    if (refused == null) {
      refused = validate(ids);
    }
    if (refused == null) {
      refused = overloaded();
    }
    if (refused != null) {
      return refused;
    }
    List<String> unknown = cloud.unknown(ids, now);
    if (!unknown.isEmpty() && options.unknownIds == SimulatorOptions.UnknownIdMode.reject) {
      return badRequest("BMS.0040", "The server does not exist. " + String.join(",", unknown));
    }
    if (options.stateErrors == SimulatorOptions.StateErrors.whole_call) {
      SimulatedCloud.StateError error = cloud.stateError(action, ids, now);
      if (error != null) {
        return badRequest(error.code(), error.message());
      }
    }
    SimulatedCloud.Job job = cloud.submit(action, ids, now);
    actionCalls.incrementAndGet();
    Answer lost = postServerError(SimulatorOptions.PostServerErrors.after_accept);
    return lost != null
        ? lost
        : new Answer(200, JSON.createObjectNode().put("job_id", job.jobId()));
  }

  private Answer validate(List<String> ids) {
    if (ids.isEmpty() || ids.size() > 1000) {
      return badRequest(
          "BMS.0205", "The number of baremetal servers is out of range for one REquest.");
    }
    Set<String> seen = new HashSet<>();
    for (String id : ids) {
      String s = id == null ? "" : id;
      boolean duplicate =
          !seen.add(cloud.key(s)) && options.duplicateIds == SimulatorOptions.DuplicateIds.reject;
      if (!s.matches(SimulatedCloud.UUID_PATTERN) || duplicate) {
        return badRequest("BMS.0022", "Request parameter is invalid: server id '" + s + "'.");
      }
    }
    return null;
  }

  Answer job(String jobId, Instant now) {
    SimulatedCloud.Job job = cloud.job(jobId);
    if (job != null
        && !options.jobRetention.isZero()
        && job.finished(now)
        && !now.isBefore(job.finishes().plus(options.jobRetention))) {
      cloud.forget(jobId);
      job = null;
    }
    if (job == null) {
      return options.jobNotFoundStatus == 400
          ? badRequest("BMS.0018", "Request parameter is invalid.")
          : new Answer(404, bmsError("BMS.0024", "The job " + jobId + " does not exist."));
    }
    return new Answer(200, JobView.of(job, now, options.finishedJobSubJobs));
  }

  Answer server(String serverId, Instant now) {
    SimulatedCloud.Server server = cloud.server(serverId, now);
    if (server == null) {
      return new Answer(
          404,
          options.nestedErrors
              ? nestedError("itemNotFound", 404, "Instance " + serverId + " could not be found.")
              : bmsError("BMS.0040", "The server does not exist."));
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.set("server", serverJson(server, now));
    return new Answer(200, answer);
  }

  /** {@link #servers(SimulatedCloud.ServerFilter, int, int, Instant)} without filters. */
  Answer servers(int offset, int limit, Instant now) {
    return servers(SimulatedCloud.ServerFilter.NONE, offset, limit, now);
  }

  /**
   * A page of the servers the filter keeps (filtered first, then paged), {@code limit} 1 to 1,000
   * (clamped); {@code offset} and {@code count} as the list-paging reading says, {@code count}
   * counting the filtered servers.
   */
  Answer servers(SimulatedCloud.ServerFilter filter, int offset, int limit, Instant now) {
    int size = Math.min(1000, Math.max(1, limit));
    int from =
        options.listPaging == SimulatorOptions.ListPaging.row_offset
            ? Math.max(0, offset)
            : (Math.max(1, offset) - 1) * size;
    List<SimulatedCloud.Server> all = cloud.list(filter, now);
    ArrayNode servers = JSON.createArrayNode();
    for (int i = from; i < Math.min(all.size(), from + size); i++) {
      servers.add(serverJson(all.get(i), now));
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put(
        "count",
        options.listPaging == SimulatorOptions.ListPaging.capped_count
            ? servers.size()
            : all.size());
    answer.set("servers", servers);
    return new Answer(200, answer);
  }

  private static ObjectNode serverJson(SimulatedCloud.Server s, Instant now) {
    ObjectNode n = JSON.createObjectNode();
    synchronized (s) {
      boolean on = s.power == SimulatedCloud.Power.ON;
      n.put("id", s.id);
      n.put("name", s.name);
      n.put("status", s.status(now));
      n.put("OS-EXT-STS:task_state", s.taskState(now));
      n.put("OS-EXT-STS:vm_state", on ? "active" : "stopped");
      n.put("OS-EXT-STS:power_state", on ? 1 : 4);
      n.put("locked", false);
      n.put("host_status", "UP");
      n.put("updated", s.updated(now).truncatedTo(ChronoUnit.SECONDS).toString());
      // As the documented example: the flavor's figures are strings.
      n.putObject("flavor")
          .put("id", s.flavor)
          .put("name", s.flavor)
          .put("vcpus", "32")
          .put("ram", "193047")
          .put("disk", "9309");
      ArrayNode tags = n.putArray("tags");
      s.tags.forEach(tags::add);
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

  /** The gateway's error body; {@code number} as in APIG.0308, with the options' prefix. */
  ObjectNode gatewayError(String number, String message) {
    return JSON.createObjectNode()
        .put("error_code", options.gatewayPrefix + "." + number)
        .put("error_msg", message)
        .put("request_id", UUID.randomUUID().toString().replace("-", ""));
  }

  /** Nova's error body: {@code {"itemNotFound": {"code": 404, "message": ...}}}. */
  static ObjectNode nestedError(String kind, int code, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject(kind).put("code", code).put("message", message);
    return n;
  }

  /** Server details and list: the APIs Nova serves behind BMS (#11). */
  private boolean novaBacked(String operation) {
    return options.nestedErrors
        && (operation.equals("getServer") || operation.equals("listServers"));
  }
}
