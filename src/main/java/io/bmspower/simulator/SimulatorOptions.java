package io.bmspower.simulator;

import io.bmspower.config.Options;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
  public List<TagShare> tags = List.of();

  // The readings of what the documentation leaves open (OpenBehaviour); defaults: today's.
  public StateErrors stateErrors = StateErrors.subjob;
  public ListPaging listPaging = ListPaging.page_number;
  public PostServerErrors post5xx = PostServerErrors.none;
  public double post5xxRate = 0.3;
  public Duration jobStartDelay = Duration.ZERO;
  public int jobNotFoundStatus = 404;
  public Duration jobRetention = Duration.ZERO;
  public FinishedJobSubJobs finishedJobSubJobs = FinishedJobSubJobs.complete;
  public String gatewayPrefix = "APIG";
  public int akLockAfter = 0;
  public Duration akLockDuration = Duration.ofMinutes(5);
  public DuplicateIds duplicateIds = DuplicateIds.reject;
  public IdCase idCase = IdCase.insensitive;
  public Overload overload = Overload.none;
  public double overloadRate = 0.3;
  public boolean nestedErrors = false;
  public Duration clockOffset = Duration.ZERO;

  private final Map<OpenBehaviour, String> played = new EnumMap<>(OpenBehaviour.class);

  /** #1: where BMS.0035-0039 show. */
  public enum StateErrors {
    subjob,
    whole_call
  }

  /** #2: what {@code offset} and {@code count} of the server list mean. */
  public enum ListPaging {
    page_number,
    capped_count,
    row_offset
  }

  /** #3: injected 5xx answers to the action POST. */
  public enum PostServerErrors {
    none,
    not_executed,
    after_accept
  }

  /** #6: the sub-jobs a finished job shows. */
  public enum FinishedJobSubJobs {
    complete,
    empty,
    missing,
    partial
  }

  /** #8: a server ID twice in one call. */
  public enum DuplicateIds {
    reject,
    second_fails
  }

  /** #9: whether an upper-case server ID names the same server. */
  public enum IdCase {
    insensitive,
    sensitive
  }

  /** #10: where BMS.0212 is injected. */
  public enum Overload {
    none,
    post,
    subjob
  }

  /**
   * {@code --tags}: {@code tag} (as {@code key=value}) on {@code share} of the inventory, (0,1];
   * round(share x inventory size) servers, chosen by a shuffle seeded from the seed and the tag.
   */
  public record TagShare(String tag, double share) {}

  /** {@code --readings}: every switch of {@link OpenBehaviour} at once. */
  public enum Readings {
    /** Today's behaviour. */
    DEFAULT,
    /** The least convenient reading of every switch. */
    HOSTILE;

    static Readings parse(String v) {
      for (Readings r : values()) {
        if (r.name().equalsIgnoreCase(v.trim())) {
          return r;
        }
      }
      throw new IllegalArgumentException("default or hostile");
    }
  }

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
    option(
        "tags",
        "KEY=VALUE:SHARE,...",
        "cloud tags besides __type_baremetal (on every server): each KEY=VALUE on round(SHARE x"
            + " --servers) servers, SHARE in (0,1], chosen from --seed; e.g. team=a:0.3,env=lab:0.5",
        (o, v) -> o.tags = tagShares(v));
    option(
        "readings",
        "default|hostile",
        "every switch below at its default or its hostile reading; explicit switches win",
        (o, v) -> Readings.parse(v));
    reading(OpenBehaviour.STATE_ERRORS, (o, v) -> o.stateErrors = choice(StateErrors.class, v));
    reading(OpenBehaviour.LIST_PAGING, (o, v) -> o.listPaging = choice(ListPaging.class, v));
    reading(OpenBehaviour.POST_5XX, (o, v) -> o.post5xx = choice(PostServerErrors.class, v));
    option(
        "post-5xx-rate",
        "P",
        "with --post-5xx: probability 0..1 that an action POST gets a 5xx (default 0.3)",
        (o, v) -> o.post5xxRate = probability(v));
    reading(OpenBehaviour.JOB_START_DELAY, (o, v) -> o.jobStartDelay = Options.duration(v));
    reading(OpenBehaviour.JOB_NOT_FOUND, (o, v) -> o.jobNotFoundStatus = jobNotFoundStatus(v));
    reading(OpenBehaviour.JOB_RETENTION, (o, v) -> o.jobRetention = Options.duration(v));
    reading(
        OpenBehaviour.FINISHED_JOB_SUBJOBS,
        (o, v) -> o.finishedJobSubJobs = choice(FinishedJobSubJobs.class, v));
    reading(OpenBehaviour.GATEWAY_PREFIX, (o, v) -> o.gatewayPrefix = gatewayPrefix(v));
    reading(OpenBehaviour.AK_LOCK_AFTER, (o, v) -> o.akLockAfter = notNegative(v));
    option(
        "ak-lock-duration",
        "DURATION",
        "with --ak-lock-after: how long a locked AK is refused, correct signatures too"
            + " (default 5m, the documented lock)",
        (o, v) -> o.akLockDuration = Options.duration(v));
    reading(OpenBehaviour.DUPLICATE_IDS, (o, v) -> o.duplicateIds = choice(DuplicateIds.class, v));
    reading(OpenBehaviour.ID_CASE, (o, v) -> o.idCase = choice(IdCase.class, v));
    reading(OpenBehaviour.OVERLOAD, (o, v) -> o.overload = choice(Overload.class, v));
    option(
        "overload-rate",
        "P",
        "with --overload: probability 0..1 of BMS.0212 per POST or sub-job (default 0.3)",
        (o, v) -> o.overloadRate = probability(v));
    reading(OpenBehaviour.NESTED_ERRORS, (o, v) -> o.nestedErrors = Options.bool(v));
    reading(OpenBehaviour.CLOCK_OFFSET, (o, v) -> o.clockOffset = signedDuration(v));
  }

  private static void reading(OpenBehaviour behaviour, Options.Setter<SimulatorOptions> set) {
    option(
        behaviour.option(),
        behaviour.argument(),
        behaviour.help(),
        (o, v) -> {
          set.set(o, v);
          o.played.put(behaviour, v.trim());
        });
  }

  /** The switches not at their default reading, as {@code option=value}. */
  public List<String> readingsInPlay() {
    List<String> inPlay = new ArrayList<>();
    played.forEach(
        (b, v) -> {
          if (!v.equals(b.defaultValue())) {
            inPlay.add(b.option() + "=" + v);
          }
        });
    return inPlay;
  }

  /** Sets every switch of {@link OpenBehaviour} to its default or hostile reading. */
  public SimulatorOptions readings(Readings preset) {
    for (OpenBehaviour b : OpenBehaviour.values()) {
      set(b.option(), preset == Readings.HOSTILE ? b.hostileValue() : b.defaultValue());
    }
    return this;
  }

  /** Sets one option as {@code --name value} would. */
  public SimulatorOptions set(String option, String value) {
    List<String> problems = OPTIONS.parse(this, new String[] {"--" + option, value}, Map.of());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return this;
  }

  /** Parses flags over environment variables; throws with every problem found. */
  public static SimulatorOptions parse(String[] args, Map<String, String> env) {
    SimulatorOptions options = new SimulatorOptions();
    List<String> problems = new ArrayList<>();
    // The preset first, wherever it stands, so that explicit switches override it.
    String preset = preset(args, env);
    if (preset != null) {
      try {
        options.readings(Readings.parse(preset));
      } catch (IllegalArgumentException e) {
        // OPTIONS.parse reports it.
      }
    }
    problems.addAll(OPTIONS.parse(options, args, env));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems) + "\nSee --help.");
    }
    return options;
  }

  private static String preset(String[] args, Map<String, String> env) {
    String preset = env.get(envName("readings"));
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--readings") && i + 1 < args.length) {
        preset = args[i + 1];
      } else if (args[i].startsWith("--readings=")) {
        preset = args[i].substring("--readings=".length());
      }
    }
    return preset == null || preset.isBlank() ? null : preset;
  }

  // ---- value parsers -------------------------------------------------------------------------

  /** An enum constant from its spelling in flags: {@code whole-call} is {@code whole_call}. */
  private static <E extends Enum<E>> E choice(Class<E> type, String v) {
    for (E e : type.getEnumConstants()) {
      if (e.name().replace('_', '-').equals(v.trim())) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "one of "
            + String.join(
                ", ",
                java.util.Arrays.stream(type.getEnumConstants())
                    .map(e -> e.name().replace('_', '-'))
                    .toList()));
  }

  private static double probability(String v) {
    double p = Double.parseDouble(v);
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("between 0 and 1");
    }
    return p;
  }

  private static int notNegative(String v) {
    int n = Integer.parseInt(v);
    if (n < 0) {
      throw new IllegalArgumentException("0 or more");
    }
    return n;
  }

  /**
   * {@code key=value:share,...}: a non-empty key without {@code =}, a value (may be empty), a share
   * in (0,1]; each key once. Throws naming the bad entry.
   */
  static List<TagShare> tagShares(String v) {
    List<TagShare> shares = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (String raw : v.split(",", -1)) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        throw new IllegalArgumentException("an empty entry");
      }
      int colon = entry.lastIndexOf(':');
      if (colon < 0) {
        throw badTag(entry, "no :SHARE");
      }
      String tag = entry.substring(0, colon).trim();
      String share = entry.substring(colon + 1).trim();
      int eq = tag.indexOf('=');
      if (eq <= 0) {
        throw badTag(entry, "the tag is not KEY=VALUE");
      }
      if (tag.chars().anyMatch(Character::isWhitespace)) {
        throw badTag(entry, "the tag has a blank");
      }
      double p;
      try {
        p = Double.parseDouble(share);
      } catch (NumberFormatException e) {
        p = Double.NaN;
      }
      if (!(p > 0 && p <= 1)) {
        throw badTag(entry, "SHARE '" + share + "' is not a decimal in (0,1]");
      }
      if (!keys.add(tag.substring(0, eq))) {
        throw badTag(entry, "the key " + tag.substring(0, eq) + " is given twice");
      }
      shares.add(new TagShare(tag, p));
    }
    return List.copyOf(shares);
  }

  private static IllegalArgumentException badTag(String entry, String why) {
    return new IllegalArgumentException("entry '" + entry + "': " + why);
  }

  private static int jobNotFoundStatus(String v) {
    if (!v.equals("404") && !v.equals("400")) {
      throw new IllegalArgumentException("404 or 400");
    }
    return Integer.parseInt(v);
  }

  private static String gatewayPrefix(String v) {
    if (!v.equals("APIG") && !v.equals("APIGW")) {
      throw new IllegalArgumentException("APIG or APIGW");
    }
    return v;
  }

  /** A duration that may be negative: {@code -10m}, {@code 10m}, {@code +10m}. */
  private static Duration signedDuration(String v) {
    String s = v.trim();
    if (s.startsWith("-")) {
      return Options.duration(s.substring(1)).negated();
    }
    return Options.duration(s.startsWith("+") ? s.substring(1) : s);
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
        "details and list, rate limits and fault injection. GET /_sim/stats returns its counters;"
            + " GET /_sim/status?ids=A,B the servers' statuses (for a test's stand-in kubelets).");
    out.println();
    out.println("Options (each also read from the environment variable shown):");
    SimulatorOptions defaults = new SimulatorOptions();
    OPTIONS.usage(out);
    out.println();
    out.println(
        "Switches marked #N play the readings of what the BMS documentation leaves open"
            + " (open-behaviours.md).");
    out.println(
        "#13 (an endpoint with its default port) is not a switch: a signature is always checked"
            + " against the Host header as it arrived.");
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
