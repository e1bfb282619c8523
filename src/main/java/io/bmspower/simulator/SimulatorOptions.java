package io.bmspower.simulator;

import io.bmspower.config.Options;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the simulator can be told, from flags ({@code --name value}) or environment variables
 * ({@code BMS_SIM_NAME}); flags win. Defaults are the documented cloud behaviour.
 */
public final class SimulatorOptions {

  public enum UnknownIdMode {
    /** The whole action POST fails with 400 BMS.0040. */
    reject,
    /** The job is created; the unknown server's sub-job fails with BMS.0040. */
    fail
  }

  public String host = "127.0.0.1";
  public int port = 8443;
  public boolean https = false;
  public Path certOut;
  public int servers = 1000;
  public long seed = 42;
  public int stopped = 0;
  public boolean acceptAnyUuid = false;
  public Duration jobDuration = Duration.ofSeconds(5);
  public boolean rateLimits = true;
  public int actionsPerMinute = 50;
  public int jobQueriesPerMinute = 2000;
  public int detailsPerMinute = 1000;
  public int listsPerMinute = 500;
  public String accessKey = "SIMULATORACCESSKEY01";
  public String secretKey = "simulator-secret-key-0123456789abcdefghij";
  public String projectId = "0123456789abcdef0123456789abcdef";
  public String iamUser = "sim-user";
  public String iamPassword = "sim-password";
  public String iamDomain = "sim-domain";
  public Duration tokenTtl = Duration.ofHours(24);
  public int throttleEvery = 0;
  public int throttleBurst = 0;
  public int retryAfterSeconds = -1;
  public double serverErrorRate = 0;
  public Duration latency = Duration.ZERO;
  public int failServers = 0;
  public List<String> failServerIds = new ArrayList<>();
  public String failCode = "BMS.0006";
  public int failAttempts = 0;
  public int dropAfterAccept = 0;
  public UnknownIdMode unknownIds = UnknownIdMode.reject;

  private static final Options<SimulatorOptions> OPTIONS = new Options<>("BMS_SIM_");

  private static void option(
      String name, String arg, String help, Options.Setter<SimulatorOptions> set) {
    OPTIONS.add(name, arg, help, set);
  }

  static {
    option("host", "ADDR", "address to listen on (default 127.0.0.1)", (o, v) -> o.host = v);
    option(
        "port",
        "N",
        "port to listen on; 0 picks a free one (default 8443)",
        (o, v) -> o.port = Integer.parseInt(v));
    option(
        "https",
        "BOOL",
        "serve HTTPS with a generated self-signed certificate (default false)",
        (o, v) -> o.https = Options.bool(v));
    option(
        "cert-out",
        "FILE",
        "with --https: write the certificate (PEM) here for clients to trust",
        (o, v) -> o.certOut = Path.of(v));
    option(
        "servers",
        "N",
        "inventory size: N servers, all running at start (default 1000)",
        (o, v) -> o.servers = Integer.parseInt(v));
    option(
        "seed",
        "N",
        "seed of the inventory's server IDs and of fault injection (default 42)",
        (o, v) -> o.seed = Long.parseLong(v));
    option(
        "stopped",
        "N",
        "the last N inventory servers start powered off (default 0)",
        (o, v) -> o.stopped = Integer.parseInt(v));
    option(
        "accept-any-uuid",
        "BOOL",
        "any well-formed UUID is a running server (default false)",
        (o, v) -> o.acceptAnyUuid = Options.bool(v));
    option(
        "job-duration",
        "DURATION",
        "how long a job runs, e.g. 5s, 500ms, 2m (default 5s)",
        (o, v) -> o.jobDuration = Options.duration(v));
    option(
        "rate-limits",
        "BOOL",
        "answer 429 APIG.0308 past the published per-minute limits (default true)",
        (o, v) -> o.rateLimits = Options.bool(v));
    option(
        "actions-per-minute",
        "N",
        "action POST limit (default 50)",
        (o, v) -> o.actionsPerMinute = Integer.parseInt(v));
    option(
        "job-queries-per-minute",
        "N",
        "job query limit (default 2000)",
        (o, v) -> o.jobQueriesPerMinute = Integer.parseInt(v));
    option(
        "details-per-minute",
        "N",
        "server details limit (default 1000)",
        (o, v) -> o.detailsPerMinute = Integer.parseInt(v));
    option(
        "lists-per-minute",
        "N",
        "server list limit (default 500)",
        (o, v) -> o.listsPerMinute = Integer.parseInt(v));
    option("access-key", "AK", "the AK it accepts", (o, v) -> o.accessKey = v);
    option("secret-key", "SK", "the SK it verifies signatures with", (o, v) -> o.secretKey = v);
    option(
        "project-id",
        "ID",
        "the project it serves; others get Common.0018",
        (o, v) -> o.projectId = v);
    option("iam-user", "NAME", "the IAM user it issues tokens to", (o, v) -> o.iamUser = v);
    option("iam-password", "PASSWORD", "that user's password", (o, v) -> o.iamPassword = v);
    option("iam-domain", "NAME", "that user's domain", (o, v) -> o.iamDomain = v);
    option(
        "token-ttl",
        "DURATION",
        "IAM token lifetime (default 24h)",
        (o, v) -> o.tokenTtl = Options.duration(v));
    option(
        "throttle-every",
        "N",
        "fault: of every N API requests, the first --throttle-burst answer 429 (default 0: off)",
        (o, v) -> o.throttleEvery = Integer.parseInt(v));
    option(
        "throttle-burst",
        "N",
        "fault: length of each 429 burst (default 0)",
        (o, v) -> o.throttleBurst = Integer.parseInt(v));
    option(
        "retry-after",
        "SECONDS",
        "send Retry-After with 429 answers (default: not sent)",
        (o, v) -> o.retryAfterSeconds = Integer.parseInt(v));
    option(
        "server-error-rate",
        "P",
        "fault: probability 0..1 that an API request answers 500 or 504 APIG.0203 (default 0)",
        (o, v) -> o.serverErrorRate = Double.parseDouble(v));
    option(
        "latency",
        "DURATION",
        "fault: added to every answer (default 0)",
        (o, v) -> o.latency = Options.duration(v));
    option(
        "fail-servers",
        "N",
        "fault: the first N inventory servers fail their sub-jobs (default 0)",
        (o, v) -> o.failServers = Integer.parseInt(v));
    option(
        "fail-server-ids",
        "ID,...",
        "fault: these servers fail their sub-jobs",
        (o, v) -> o.failServerIds = List.of(v.split(",")));
    option(
        "fail-code",
        "CODE",
        "fault: the failing sub-jobs' error code (default BMS.0006, retryable)",
        (o, v) -> o.failCode = v);
    option(
        "fail-attempts",
        "N",
        "fault: failing servers fail only their first N submissions; 0 = always (default 0)",
        (o, v) -> o.failAttempts = Integer.parseInt(v));
    option(
        "drop-after-accept",
        "N",
        "fault: the first N accepted action POSTs get no answer (connection closed)",
        (o, v) -> o.dropAfterAccept = Integer.parseInt(v));
    option(
        "unknown-ids",
        "MODE",
        "reject: the POST fails with BMS.0040; fail: the sub-job fails (default reject)",
        (o, v) -> o.unknownIds = UnknownIdMode.valueOf(v));
  }

  /** Parses flags over environment variables; throws with every problem found. */
  public static SimulatorOptions parse(String[] args, Map<String, String> env) {
    SimulatorOptions options = new SimulatorOptions();
    List<String> problems = OPTIONS.parse(options, args, env);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems) + "\nSee --help.");
    }
    return options;
  }

  public static String envName(String option) {
    return OPTIONS.envName(option);
  }

  public static void usage(PrintStream out) {
    out.println("Usage: java -jar bms-power-operator.jar simulator [options]");
    out.println();
    out.println(
        "A BMS API simulator: IAM tokens, AK/SK signatures, batch stop/start/reboot, jobs, server");
    out.println(
        "details and list, rate limits and fault injection. GET /_sim/stats returns its counters.");
    out.println();
    out.println("Options (each also read from the environment variable shown):");
    SimulatorOptions defaults = new SimulatorOptions();
    OPTIONS.usage(out);
    out.println();
    out.println(
        "Default credentials: AK " + defaults.accessKey + ", SK " + defaults.secretKey + ",");
    out.println(
        "IAM user "
            + defaults.iamUser
            + " / "
            + defaults.iamPassword
            + " in domain "
            + defaults.iamDomain
            + ", project "
            + defaults.projectId
            + ".");
  }
}
