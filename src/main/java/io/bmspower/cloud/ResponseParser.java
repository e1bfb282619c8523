package io.bmspower.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the BMS and gateway answers, tolerant of missing fields, nulls and unknown values. */
public final class ResponseParser {

  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The longest {@code Retry-After} honoured: a larger one (even a day) means this, so a gateway's
   * odd answer cannot park every caller of a budget for long.
   */
  public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);

  /** How deep an error body's code is looked for. */
  private static final int MAX_ERROR_DEPTH = 3;

  private ResponseParser() {}

  public static JsonNode tree(String body) {
    if (body == null || body.isBlank()) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  /**
   * One error from either body shape: BMS {@code {"error":{"code","message"}}} or gateway {@code
   * {"error_code","error_msg","request_id"}}.
   */
  public static CloudException error(
      int httpStatus,
      String body,
      Optional<String> requestIdHeader,
      Optional<String> retryAfterHeader) {
    return error(httpStatus, body, requestIdHeader, retryAfterHeader, false);
  }

  /**
   * As {@link #error(int, String, Optional, Optional)} for an answer to the action POST, classified
   * by {@link ErrorClassifier#classifyAction}: a 5xx leaves the outcome unknown.
   */
  public static CloudException actionError(
      int httpStatus,
      String body,
      Optional<String> requestIdHeader,
      Optional<String> retryAfterHeader) {
    return error(httpStatus, body, requestIdHeader, retryAfterHeader, true);
  }

  private static CloudException error(
      int httpStatus,
      String body,
      Optional<String> requestIdHeader,
      Optional<String> retryAfterHeader,
      boolean actionCall) {
    JsonNode root = tree(body);
    JsonNode error = errorNode(root, MAX_ERROR_DEPTH).orElse(root);
    String code = firstNonNull(text(error, "error_code"), text(error, "code"));
    String message = firstNonNull(text(error, "error_msg"), text(error, "message"));
    String requestId =
        Optional.ofNullable(text(root, "request_id")).orElse(requestIdHeader.orElse(null));
    if (message == null || message.isBlank()) {
      message =
          "HTTP "
              + httpStatus
              + (body == null || body.isBlank() ? " with no body" : ": " + abbreviate(body));
    }
    Duration retryAfter = retryAfterHeader.flatMap(ResponseParser::seconds).orElse(null);
    return new CloudException(
        httpStatus,
        code,
        message,
        requestId,
        actionCall
            ? ErrorClassifier.classifyAction(httpStatus, code)
            : ErrorClassifier.classify(httpStatus, code),
        retryAfter,
        null);
  }

  /**
   * The object that carries the error code: the body itself ({@code error_code} or {@code code}),
   * else the first nested object that does, as the SDK's {@code ExceptionUtils} recurses: {@code
   * {"error": {...}}} of BMS, {@code {"itemNotFound": {"code": 404, ...}}} of Nova.
   */
  private static Optional<JsonNode> errorNode(JsonNode node, int depth) {
    if (!node.isObject()) {
      return Optional.empty();
    }
    if (text(node, "error_code") != null || text(node, "code") != null) {
      return Optional.of(node);
    }
    if (depth == 0) {
      return Optional.empty();
    }
    List<JsonNode> children = new ArrayList<>();
    node.elements().forEachRemaining(children::add);
    return children.stream()
        .map(child -> errorNode(child, depth - 1))
        .flatMap(Optional::stream)
        .findFirst();
  }

  public static String jobId(JsonNode root) {
    return text(root, "job_id");
  }

  public static Job job(JsonNode root) {
    List<SubJob> subJobs = new ArrayList<>();
    for (JsonNode sub : root.path("entities").path("sub_jobs")) {
      subJobs.add(
          new SubJob(
              text(sub.path("entities"), "server_id"),
              JobStatus.parse(text(sub, "status")),
              text(sub, "job_id"),
              firstNonNull(text(sub, "error_code"), text(sub, "code")),
              firstNonNull(text(sub, "fail_reason"), text(sub, "message")),
              text(sub, "begin_time"),
              text(sub, "end_time")));
    }
    return new Job(
        text(root, "job_id"),
        JobStatus.parse(text(root, "status")),
        text(root, "job_type"),
        subJobs,
        firstNonNull(text(root, "error_code"), text(root, "code")),
        firstNonNull(text(root, "fail_reason"), text(root, "message")),
        text(root, "begin_time"),
        text(root, "end_time"));
  }

  public static ServerDetails server(JsonNode server) {
    JsonNode power = server.path("OS-EXT-STS:power_state");
    return new ServerDetails(
        text(server, "id"),
        text(server, "status"),
        text(server, "OS-EXT-STS:task_state"),
        text(server, "OS-EXT-STS:vm_state"),
        power.canConvertToInt() ? Integer.valueOf(power.asInt()) : null,
        text(server, "updated"),
        text(server, "name"),
        tags(server.path("tags")));
  }

  /** {@code ["__type_baremetal", "key=value", ...]}: the strings of the array; others skipped. */
  private static List<String> tags(JsonNode tags) {
    List<String> strings = new ArrayList<>();
    tags.forEach(
        tag -> {
          if (tag.isTextual()) {
            strings.add(tag.asText());
          }
        });
    return strings;
  }

  public static ServerPage serverPage(JsonNode root) {
    List<ServerDetails> servers = new ArrayList<>();
    root.path("servers").forEach(s -> servers.add(server(s)));
    return new ServerPage(root.path("count").asInt(servers.size()), servers);
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isValueNode() && !value.isNull() ? value.asText() : null;
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }

  private static Optional<Duration> seconds(String header) {
    try {
      long s = Long.parseLong(header.trim());
      return s >= 0
          ? Optional.of(Duration.ofSeconds(Math.min(s, MAX_RETRY_AFTER.toSeconds())))
          : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String abbreviate(String body) {
    String oneLine = body.replaceAll("\\s+", " ");
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
  }
}
