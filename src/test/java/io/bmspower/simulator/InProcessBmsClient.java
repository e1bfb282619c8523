package io.bmspower.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.Job;
import io.bmspower.cloud.ResponseParser;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A {@link BmsClient} over a simulated cloud in this process: no sockets, no HTTP, time from an
 * injected {@link Clock}. Its answers come from the same {@link SimulatedApi} as the HTTP
 * simulator's (rate limits, validation, unknown-ID mode, jobs, servers), as JSON text read by the
 * same {@link ResponseParser}, so codes and error classes are the ones {@code HttpBmsClient} would
 * report. Authentication is not simulated. Fault switches let a test break the next call.
 */
public final class InProcessBmsClient implements BmsClient {

  private final SimulatorOptions options;
  private final Clock clock;
  private final SimulatedApi api;
  private final AtomicReference<CloudException> failNextSubmit = new AtomicReference<>();
  private final AtomicInteger dropsLeft;
  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final AtomicLong requestIds = new AtomicLong();
  private volatile boolean throttleQueries;
  private volatile java.time.Duration actionBudgetWait = java.time.Duration.ZERO;

  /** With the simulator's defaults: 1,000 running servers, 5-second jobs, the published limits. */
  public InProcessBmsClient(Clock clock) {
    this(new SimulatorOptions(), clock);
  }

  /** {@code options} as the simulator reads them; the HTTP-only ones (port, TLS...) are unused. */
  public InProcessBmsClient(SimulatorOptions options, Clock clock) {
    this.options = options;
    this.clock = Clock.offset(clock, options.clockOffset);
    this.api = new SimulatedApi(options, new SimulatedCloud(options));
    this.dropsLeft = new AtomicInteger(options.dropAfterAccept);
  }

  // ---- fault switches ------------------------------------------------------------------------

  /** The next {@link #submit} throws {@code error} and creates no job. */
  public void failNextSubmit(CloudException error) {
    failNextSubmit.set(error);
  }

  /**
   * The next accepted {@link #submit} creates its job, then fails as a connection dropped after
   * sending would: {@link io.bmspower.cloud.ErrorClass#AMBIGUOUS}.
   */
  public void dropNextSubmitAnswer() {
    dropsLeft.incrementAndGet();
  }

  /**
   * The operator's action budget has no permit for this long ({@link #reserveActionCall}); zero
   * (the default) always has one.
   */
  public void actionBudgetFreesIn(java.time.Duration wait) {
    actionBudgetWait = wait;
  }

  /** While on, every query is answered 429 {@code APIG.0308} (Retry-After as the options say). */
  public void throttleQueries(boolean on) {
    throttleQueries = on;
  }

  // ---- what a test reads ---------------------------------------------------------------------

  /** How many accepted action calls named each server (lower-cased IDs), as {@code /_sim/stats}. */
  public Map<String, Integer> submissions() {
    return api.cloud().submissions();
  }

  /** Action calls that created a job, including those whose answer was dropped. */
  public long actionCalls() {
    return api.actionCalls();
  }

  /** Calls by "operation status", e.g. {@code "getJob 200"}, {@code "submit dropped"}. */
  public long requests(String operationAndStatus) {
    AtomicLong n = requests.get(operationAndStatus);
    return n == null ? 0 : n.get();
  }

  /** Every counter of {@link #requests(String)}, sorted. */
  public Map<String, Long> requests() {
    Map<String, Long> all = new TreeMap<>();
    requests.forEach((k, v) -> all.put(k, v.get()));
    return all;
  }

  /** The inventory's server IDs in order, as {@link BmsSimulator#inventory()}. */
  public List<String> inventory() {
    return api.cloud().inventoryOrder();
  }

  public SimulatorOptions options() {
    return options;
  }

  /** As {@link BmsSimulator#serversTagged}. */
  public List<String> serversTagged(String tag) {
    return api.cloud().serversTagged(tag);
  }

  /** As {@link BmsSimulator#tag}. */
  public void tag(java.util.Collection<String> ids, String tag) {
    api.cloud().tag(ids, tag, true, clock.instant());
  }

  /** As {@link BmsSimulator#untag}. */
  public void untag(java.util.Collection<String> ids, String tag) {
    api.cloud().tag(ids, tag, false, clock.instant());
  }

  /** The answers behind this client, for a test that reads the wire's JSON. */
  SimulatedApi api() {
    return api;
  }

  // ---- BmsClient -----------------------------------------------------------------------------

  @Override
  public java.time.Duration reserveActionCall() {
    return actionBudgetWait;
  }

  @Override
  public String submit(CloudAction action, List<String> serverIds) {
    BmsClient.requireCallSize(serverIds);
    CloudException planned = failNextSubmit.getAndSet(null);
    if (planned != null) {
      count("submit", "failed");
      throw planned;
    }
    List<String> ids = List.copyOf(serverIds);
    SimulatedApi.Answer answer = exchange("submit", now -> api.submit(action, ids, now));
    if (answer.ok() && dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      count("submit", "dropped");
      throw CloudException.network(
          "submit",
          true,
          new IOException("in-process fault: the answer to an accepted action call was dropped"));
    }
    return ResponseParser.jobId(read("submit", answer));
  }

  @Override
  public Job getJob(String jobId) {
    return ResponseParser.job(read("getJob", exchange("getJob", now -> api.job(jobId, now))));
  }

  @Override
  public ServerDetails getServer(String serverId) {
    return ResponseParser.server(
        read("getServer", exchange("getServer", now -> api.server(serverId, now))).path("server"));
  }

  @Override
  public ServerPage listServers(int page, int limit) {
    return ResponseParser.serverPage(
        read("listServers", exchange("listServers", now -> api.servers(page, limit, now))));
  }

  /** Filtered by the simulated API, as over HTTP: before paging, {@code count} the tagged ones. */
  @Override
  public ServerPage listServers(int page, int limit, String tag) {
    var filter = new SimulatedCloud.ServerFilter(null, null, null, tag);
    return ResponseParser.serverPage(
        read("listServers", exchange("listServers", now -> api.servers(filter, page, limit, now))));
  }

  /** Throttling and injected errors first, as the HTTP simulator after authentication. */
  private SimulatedApi.Answer exchange(
      String operation, Function<Instant, SimulatedApi.Answer> call) {
    Instant now = clock.instant();
    if (throttleQueries && !operation.equals("submit")) {
      return api.tooManyRequests(operation);
    }
    SimulatedApi.Answer refused = api.throttle(operation, now);
    if (refused == null) {
      refused = api.fault(operation);
    }
    return refused != null ? refused : call.apply(now);
  }

  /** The body as the client would read it off the wire, or the error it would throw. */
  private JsonNode read(String operation, SimulatedApi.Answer answer) {
    count(operation, String.valueOf(answer.status()));
    String body = answer.body().toString();
    if (answer.ok()) {
      return ResponseParser.tree(body);
    }
    var requestId = Optional.of("in-process-" + requestIds.incrementAndGet());
    var retryAfter = Optional.ofNullable(answer.retryAfter());
    throw operation.equals("submit")
        ? ResponseParser.actionError(answer.status(), body, requestId, retryAfter)
        : ResponseParser.error(answer.status(), body, requestId, retryAfter);
  }

  private void count(String operation, String outcome) {
    requests.computeIfAbsent(operation + " " + outcome, k -> new AtomicLong()).incrementAndGet();
  }

  @Override
  public String toString() {
    return "InProcessBmsClient@" + Integer.toHexString(System.identityHashCode(this));
  }
}
