package io.bmspower.simulator;

import java.util.List;

/**
 * What the BMS documentation leaves open ({@code bms-api/open-behaviours.md}), as the simulator's
 * switches: the behaviour's number there, the option that picks a reading, the readings it plays,
 * the default (today's behaviour) and the hostile one (least convenient for a client). A matrix
 * runner plays every reading with {@link #args(String)}; {@code --readings hostile} sets every
 * hostile reading at once.
 *
 * <p>Behaviour 13 (an endpoint written with its default port) is not a switch: the simulator always
 * verifies a signature against the {@code Host} header as it arrived, as the gateway does.
 */
public enum OpenBehaviour {
  STATE_ERRORS(
      1,
      "state-errors",
      null,
      "BMS.0035-0039 (in transition, already running, already stopped) on the action call",
      "subjob",
      "whole-call",
      reading("subjob", "in the server's sub-job"),
      reading("whole-call", "the whole POST answers 400 with the first such code; no job")),
  LIST_PAGING(
      2,
      "list-paging",
      null,
      "offset and count of GET .../baremetalservers/detail",
      "page-number",
      "row-offset",
      reading("page-number", "offset is a page number from 1; count is the total"),
      reading("capped-count", "offset is a page number; count is this page's size"),
      reading("row-offset", "offset is a row offset from 0; count is the total")),
  POST_5XX(
      3,
      "post-5xx",
      null,
      "502 APIG.0202, 504 APIG.0203 or 500 answers to the action POST, at --post-5xx-rate",
      "none",
      "after-accept",
      reading("none", "none injected"),
      reading("not-executed", "nothing was executed"),
      reading("after-accept", "the job was created and the servers act, then the 5xx")),
  JOB_START_DELAY(
      4,
      "job-start-delay",
      "DURATION",
      "delay before a submitted job shows",
      "0s",
      "20s",
      reading("0s", "sub-jobs and the servers' task_state show at once"),
      reading(
          "20s",
          "INIT with empty sub_jobs and untouched servers for 20s, then the sub-jobs start one"
              + " after another over 20s")),
  JOB_NOT_FOUND(
      5,
      "job-not-found",
      null,
      "the answer for a job the cloud does not know",
      "404",
      "400",
      reading("404", "404 BMS.0024"),
      reading("400", "400 BMS.0018 Request parameter is invalid.")),
  JOB_RETENTION(
      5,
      "job-retention",
      "DURATION",
      "how long a finished job can be queried",
      "0s",
      "1m",
      reading("0s", "for ever"),
      reading("1m", "1 minute after it ended; then it is unknown")),
  FINISHED_JOB_SUBJOBS(
      6,
      "finished-job-subjobs",
      null,
      "sub_jobs of a SUCCESS/FAIL job",
      "complete",
      "missing",
      reading("complete", "one per server"),
      reading("empty", "sub_jobs [] and sub_jobs_total 0; only the top-level error_code"),
      reading("missing", "entities without sub_jobs; only the top-level error_code"),
      reading("partial", "the last server's sub-job is left out")),
  GATEWAY_PREFIX(
      7,
      "gateway-prefix",
      null,
      "prefix of the gateway's error codes (0301 signature, 0308 throttling, 0202/0203 backend)",
      "APIG",
      "APIGW",
      reading("APIG", "Open Telekom Cloud"),
      reading("APIGW", "Huawei Cloud")),
  AK_LOCK_AFTER(
      7,
      "ak-lock-after",
      "N",
      "more than N consecutive failed signatures of an AK lock it for --ak-lock-duration",
      "0",
      "5",
      reading("0", "no lock"),
      reading("5", "the documented lock")),
  DUPLICATE_IDS(
      8,
      "duplicate-ids",
      null,
      "a server ID twice in one action call",
      "reject",
      "second-fails",
      reading("reject", "the POST answers 400 BMS.0022"),
      reading("second-fails", "accepted; the second sub-job fails as the server is in transition")),
  ID_CASE(
      9,
      "id-case",
      null,
      "server IDs in upper case",
      "insensitive",
      "sensitive",
      reading("insensitive", "the same server"),
      reading("sensitive", "an unknown server")),
  OVERLOAD(
      10,
      "overload",
      null,
      "BMS.0212 System is overloaded (HTTP 400), at --overload-rate",
      "none",
      "post",
      reading("none", "never"),
      reading("post", "the action POST answers it; no job"),
      reading("subjob", "a server's sub-job fails with it")),
  NESTED_ERRORS(
      11,
      "nested-errors",
      null,
      "error bodies of server details and list",
      "false",
      "true",
      reading("false", "{\"error\":{\"code\":\"BMS.0040\",...}}"),
      reading("true", "Nova's {\"itemNotFound\":{\"code\":404,\"message\":...}}")),
  CLOCK_OFFSET(
      12,
      "clock-offset",
      "[-]DURATION",
      "the cloud's clock against the real one (updated, job times, X-Sdk-Date check)",
      "0s",
      "-10m",
      reading("0s", "the same"),
      reading("-10m", "10 minutes behind"),
      reading("10m", "10 minutes ahead"));

  /** One reading: the option's value and what the simulator then does. */
  public record Reading(String value, String meaning) {}

  private final int number;
  private final String option;
  private final String argument;
  private final String subject;
  private final String defaultValue;
  private final String hostileValue;
  private final List<Reading> readings;

  OpenBehaviour(
      int number,
      String option,
      String argument,
      String subject,
      String defaultValue,
      String hostileValue,
      Reading... readings) {
    this.number = number;
    this.option = option;
    this.argument = argument;
    this.subject = subject;
    this.defaultValue = defaultValue;
    this.hostileValue = hostileValue;
    this.readings = List.of(readings);
  }

  private static Reading reading(String value, String meaning) {
    return new Reading(value, meaning);
  }

  /** The behaviour's number in open-behaviours.md. */
  public int number() {
    return number;
  }

  /** The option name, without {@code --}. */
  public String option() {
    return option;
  }

  public String subject() {
    return subject;
  }

  public List<Reading> readings() {
    return readings;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String hostileValue() {
    return hostileValue;
  }

  /** The simulator's arguments that play {@code reading}. */
  public List<String> args(String reading) {
    return List.of("--" + option, reading);
  }

  /**
   * The option's argument in {@code --help}: its readings, or a kind of value they are examples of.
   */
  String argument() {
    return argument != null
        ? argument
        : String.join("|", readings.stream().map(Reading::value).toList());
  }

  /** The option's {@code --help} text. */
  String help() {
    StringBuilder help = new StringBuilder("#").append(number).append(' ').append(subject);
    for (Reading r : readings) {
      help.append("; ").append(r.value()).append(": ").append(r.meaning());
    }
    return help.append(" (default ")
        .append(defaultValue)
        .append(", hostile ")
        .append(hostileValue)
        .append(')')
        .toString();
  }
}
