package io.bmspower.config;

import io.bmspower.api.v1alpha1.NodeMapping;
import io.bmspower.cloud.CloudClientSettings;
import io.bmspower.cloud.TlsSettings;
import io.bmspower.nodes.ServerIdMapping;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's settings: every one from a flag ({@code --name value}) or an environment variable
 * ({@code BMS_NAME}); flags win. Validated at start, with a message per bad value.
 */
public final class OperatorSettings {

  public Set<String> namespaces = Set.of();
  public String defaultEndpoint;
  public String defaultProjectId;
  public String defaultCredentialsSecret;
  public int actionsPerMinute = CloudClientSettings.DEFAULT_ACTIONS_PER_MINUTE;
  public int queriesPerMinute = CloudClientSettings.DEFAULT_QUERIES_PER_MINUTE;
  public Duration cloudRequestTimeout = Duration.ofSeconds(30);
  public Path tlsCaFile;
  public boolean tlsInsecureSkipVerify = false;
  public int maxActiveJobsPerResource = 10;
  public Duration pollIntervalMin = Duration.ofSeconds(2);
  public Duration pollIntervalMax = Duration.ofSeconds(30);
  public Duration retryBackoffBase = Duration.ofSeconds(5);
  public Duration retryBackoffCap = Duration.ofMinutes(5);
  public Duration ambiguousGrace = Duration.ofSeconds(20);
  public Duration deletionWaitTimeout = Duration.ofMinutes(10);
  public Duration credentialsRecheck = Duration.ofSeconds(15);
  public boolean leaderElection = false;
  public String leaseName = "bms-power-operator";
  public String leaseNamespace;
  public String leaseOwner;
  public int healthPort = 8080;
  public int reconcileThreads = 10;
  public boolean batchAcrossResources = true;
  public Duration batchLinger = Duration.ofSeconds(1);
  public Duration batchMaxWait = Duration.ofSeconds(30);
  public Duration maxIntentAge = Duration.ofSeconds(60);
  public Duration leaseDuration = Duration.ofSeconds(15);
  public Duration leaseRenewDeadline = Duration.ofSeconds(10);
  public Duration leaseRetryPeriod = Duration.ofSeconds(2);
  public String identity;
  public boolean fairShare = true;
  public Duration scheduleRecheck = Duration.ofSeconds(30);
  public Duration driftCheckInterval = Duration.ofMinutes(5);
  public Duration budgetAging = Duration.ofMinutes(2);
  public NodeMapping nodeMapping = new NodeMapping();

  private static final Options<OperatorSettings> OPTIONS = new Options<>("BMS_");

  private static void setting(
      String name, String arg, String help, Options.Setter<OperatorSettings> set) {
    OPTIONS.add(name, arg, help, set);
  }

  static {
    setting(
        "namespaces",
        "NS,...",
        "namespaces to watch (default: all)",
        (s, v) -> s.namespaces = Set.copyOf(List.of(v.split("\\s*,\\s*"))));
    setting(
        "default-endpoint",
        "URL",
        "BMS endpoint for resources without spec.cloud.endpoint",
        (s, v) -> s.defaultEndpoint = url(v));
    setting(
        "default-project-id",
        "ID",
        "project ID for resources without spec.cloud.projectId",
        (s, v) -> s.defaultProjectId = v);
    setting(
        "default-credentials-secret",
        "NAME|NS/NAME",
        "credentials Secret for resources without one: NAME in the resource's namespace, or NS/NAME",
        (s, v) -> s.defaultCredentialsSecret = v);
    setting(
        "actions-per-minute",
        "N",
        "action calls per minute per (endpoint, project) (default 40; the cloud allows 50)",
        (s, v) -> s.actionsPerMinute = Options.positive(v));
    setting(
        "queries-per-minute",
        "N",
        "job polls and server queries per minute per (endpoint, project) (default 1600; the cloud allows 2000)",
        (s, v) -> s.queriesPerMinute = Options.positive(v));
    setting(
        "schedule-recheck",
        "DURATION",
        "the longest a BareMetalPowerSchedule waits before looking at its runs and the clock again"
            + " (default 30s)",
        (s, v) -> s.scheduleRecheck = Options.duration(v));
    setting(
        "drift-check-interval",
        "DURATION",
        "how often a schedule's window reads its servers' power state for drift (default 5m)",
        (s, v) -> s.driftCheckInterval = Options.duration(v));
    setting(
        "fair-share",
        "BOOL",
        "grant the action budget across namespaces by their policies' budgetShare, and within one by"
            + " spec.priority; false: whoever asks first (default true)",
        (s, v) -> s.fairShare = Options.bool(v));
    setting(
        "budget-aging",
        "DURATION",
        "an action waiting longer than this for the budget goes before its namespace's others,"
            + " whatever their priority (default 2m)",
        (s, v) -> s.budgetAging = Options.duration(v));
    setting(
        "cloud-request-timeout",
        "DURATION",
        "timeout of one cloud call (default 30s)",
        (s, v) -> s.cloudRequestTimeout = Options.duration(v));
    setting(
        "tls-ca-file",
        "FILE",
        "extra CA certificates (PEM) to trust for cloud endpoints",
        (s, v) -> s.tlsCaFile = readable(v));
    setting(
        "tls-insecure-skip-verify",
        "BOOL",
        "do not verify cloud TLS certificates (insecure; logged) (default false)",
        (s, v) -> s.tlsInsecureSkipVerify = Options.bool(v));
    setting(
        "max-active-jobs-per-resource",
        "N",
        "cloud jobs one resource may have running at once (default 10)",
        (s, v) -> s.maxActiveJobsPerResource = Options.positive(v));
    setting(
        "poll-interval-min",
        "DURATION",
        "shortest job poll interval (default 2s)",
        (s, v) -> s.pollIntervalMin = Options.duration(v));
    setting(
        "poll-interval-max",
        "DURATION",
        "longest job poll interval (default 30s)",
        (s, v) -> s.pollIntervalMax = Options.duration(v));
    setting(
        "retry-backoff-base",
        "DURATION",
        "first retry backoff; doubles per attempt, full jitter (default 5s)",
        (s, v) -> s.retryBackoffBase = Options.duration(v));
    setting(
        "retry-backoff-cap",
        "DURATION",
        "longest retry backoff (default 5m)",
        (s, v) -> s.retryBackoffCap = Options.duration(v));
    setting(
        "ambiguous-grace",
        "DURATION",
        "wait after an unanswered action call before reading the servers' state (default 20s)",
        (s, v) -> s.ambiguousGrace = Options.duration(v));
    setting(
        "deletion-wait-timeout",
        "DURATION",
        "with deletionPolicy Wait, the longest a deletion waits for jobs (default 10m)",
        (s, v) -> s.deletionWaitTimeout = Options.duration(v));
    setting(
        "credentials-recheck",
        "DURATION",
        "how often a missing or refused credentials Secret is looked at again (default 15s)",
        (s, v) -> s.credentialsRecheck = Options.duration(v));
    setting(
        "leader-election",
        "BOOL",
        "elect a leader with a Lease, for several replicas (default false)",
        (s, v) -> s.leaderElection = Options.bool(v));
    setting(
        "lease-name",
        "NAME",
        "the Lease's name (default bms-power-operator)",
        (s, v) -> s.leaseName = v);
    setting(
        "lease-namespace",
        "NS",
        "the Lease's namespace (default: $POD_NAMESPACE)",
        (s, v) -> s.leaseNamespace = v);
    setting(
        "lease-owner",
        "SERVICEACCOUNT",
        "a ServiceAccount in the Lease's namespace made the Lease's owner, so deleting it removes"
            + " the Lease (the chart sets its own; default: none)",
        (s, v) -> s.leaseOwner = v);
    setting(
        "node-mapping",
        "RULE",
        "how a Node maps to its server ID where spec.nodes.mapping is unset: ProviderID (the last"
            + " segment of spec.providerID), Label=<key> or Annotation=<key>, each optionally"
            + " followed by ;regex=<expression whose first group is the ID> (default ProviderID)",
        (s, v) -> s.nodeMapping = ServerIdMapping.parse(v));
    setting(
        "health-port",
        "PORT",
        "port of /healthz, /readyz and /metrics; 0 picks one, -1 turns it off (default 8080)",
        (s, v) -> s.healthPort = Integer.parseInt(v));
    setting(
        "batch-across-resources",
        "BOOL",
        "merge ready action requests of different resources (same endpoint, project, credentials, action) into calls of up to 1,000 servers (default true)",
        (s, v) -> s.batchAcrossResources = Options.bool(v));
    setting(
        "batch-linger",
        "DURATION",
        "how long a merged call waits for more resources after the last one joined (default 1s)",
        (s, v) -> s.batchLinger = Options.duration(v));
    setting(
        "batch-max-wait",
        "DURATION",
        "the longest a request waits to be merged (default 30s)",
        (s, v) -> s.batchMaxWait = Options.duration(v));
    setting(
        "max-intent-age",
        "DURATION",
        "an action call is never started later than this after its intent was recorded; another"
            + " instance recovers an intent only after this plus the cloud request timeout and the"
            + " ambiguous grace (default 60s; more than batch-max-wait)",
        (s, v) -> s.maxIntentAge = Options.duration(v));
    setting(
        "lease-duration",
        "DURATION",
        "leader election: how long a Lease holds without renewal (default 15s)",
        (s, v) -> s.leaseDuration = Options.duration(v));
    setting(
        "lease-renew-deadline",
        "DURATION",
        "leader election: the leader gives up, and sends no action call, when it could not renew"
            + " for this long (default 10s)",
        (s, v) -> s.leaseRenewDeadline = Options.duration(v));
    setting(
        "lease-retry-period",
        "DURATION",
        "leader election: how often the Lease is renewed or tried (default 2s)",
        (s, v) -> s.leaseRetryPeriod = Options.duration(v));
    setting(
        "identity",
        "NAME",
        "this instance's name in the Lease and in recorded intents (default: $POD_NAME, else"
            + " $HOSTNAME)",
        (s, v) -> s.identity = v);
    setting(
        "reconcile-threads",
        "N",
        "resources reconciled at once (default 10)",
        (s, v) -> s.reconcileThreads = Options.positive(v));
  }

  public static String envName(String setting) {
    return OPTIONS.envName(setting);
  }

  /** Reads env, then flags; collects every problem into one IllegalArgumentException. */
  public static OperatorSettings parse(String[] args, Map<String, String> env) {
    OperatorSettings settings = new OperatorSettings();
    settings.leaseNamespace = env.get("POD_NAMESPACE");
    // A pod name is unique; elsewhere two processes must never share an identity (and a Lease).
    settings.identity =
        env.containsKey("POD_NAME")
            ? env.get("POD_NAME")
            : env.getOrDefault("HOSTNAME", "bms-power-operator")
                + "-"
                + java.util.UUID.randomUUID().toString().substring(0, 8);
    List<String> problems = OPTIONS.parse(settings, args, env);
    if (settings.pollIntervalMin.compareTo(settings.pollIntervalMax) > 0) {
      problems.add("poll-interval-min must not exceed poll-interval-max");
    }
    if (settings.maxIntentAge.compareTo(settings.batchMaxWait) <= 0) {
      problems.add(
          "max-intent-age ("
              + settings.maxIntentAge
              + ") must exceed batch-max-wait ("
              + settings.batchMaxWait
              + "): a request waiting to be merged would expire");
    }
    if (settings.leaseRenewDeadline.compareTo(settings.leaseDuration) >= 0
        || settings.leaseRetryPeriod.compareTo(settings.leaseRenewDeadline) >= 0) {
      problems.add(
          "leader election needs lease-retry-period < lease-renew-deadline < lease-duration");
    }
    if (settings.leaderElection
        && (settings.leaseNamespace == null || settings.leaseNamespace.isBlank())) {
      problems.add(
          "leader election needs a Lease namespace: set --lease-namespace or POD_NAMESPACE");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return settings;
  }

  public CloudClientSettings cloudClientSettings() {
    return CloudClientSettings.defaults()
        .withRates(actionsPerMinute, queriesPerMinute)
        .withRequestTimeout(cloudRequestTimeout)
        .withTls(new TlsSettings(tlsCaFile, tlsInsecureSkipVerify));
  }

  /** One line for the start-up log; holds no secret (the settings hold none). */
  public String summary() {
    return "namespaces="
        + (namespaces.isEmpty() ? "all" : namespaces)
        + " defaultEndpoint="
        + defaultEndpoint
        + " defaultProjectId="
        + defaultProjectId
        + " defaultCredentialsSecret="
        + defaultCredentialsSecret
        + " actionsPerMinute="
        + actionsPerMinute
        + " queriesPerMinute="
        + queriesPerMinute
        + " tlsCaFile="
        + tlsCaFile
        + " tlsInsecureSkipVerify="
        + tlsInsecureSkipVerify
        + " maxActiveJobsPerResource="
        + maxActiveJobsPerResource
        + " fairShare="
        + fairShare
        + " scheduleRecheck="
        + scheduleRecheck
        + " driftCheckInterval="
        + driftCheckInterval
        + " budgetAging="
        + budgetAging
        + " pollInterval="
        + pollIntervalMin
        + ".."
        + pollIntervalMax
        + " retryBackoff="
        + retryBackoffBase
        + ".."
        + retryBackoffCap
        + " ambiguousGrace="
        + ambiguousGrace
        + " deletionWaitTimeout="
        + deletionWaitTimeout
        + " leaderElection="
        + leaderElection
        + (leaderElection
            ? " lease=" + leaseNamespace + "/" + leaseName + " leaseDuration=" + leaseDuration
            : "")
        + " identity="
        + identity
        + " maxIntentAge="
        + maxIntentAge
        + " batchAcrossResources="
        + batchAcrossResources
        + " healthPort="
        + healthPort
        + " nodeMapping="
        + nodeMapping;
  }

  public static void usage(PrintStream out) {
    out.println("Usage: java -jar bms-power-operator.jar [options]");
    out.println();
    out.println(
        "Runs the bms-power-operator: reconciles BareMetalPowerAction resources (bmspower.io/v1alpha1).");
    out.println(
        "The Kubernetes connection comes from KUBECONFIG, ~/.kube/config or the in-cluster service account.");
    out.println();
    out.println("Options (each also read from the environment variable shown; flags win):");
    OPTIONS.usage(out);
    out.println();
    out.println("Logging: BMS_LOG_LEVEL (INFO), BMS_LOG_FORMAT (text or json).");
  }

  private static String url(String v) {
    if (!v.matches("^https?://[^\\s/]+.*$")) {
      throw new IllegalArgumentException("an http(s) URL");
    }
    return v;
  }

  private static Path readable(String v) {
    Path p = Path.of(v);
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException("file not readable");
    }
    return p;
  }
}
