package io.bmspower.simulator;

import io.bmspower.cloud.CloudAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated cloud's state: an inventory of servers and the jobs acting on them. Time is passed
 * in, so a server's state and a job's progress follow from the clock alone.
 */
final class SimulatedCloud {

  static final String UUID_PATTERN =
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

  /** The system tag every BMS carries (querying-details-about-bmss-list.rst). */
  static final String BAREMETAL_TAG = "__type_baremetal";

  /** Every simulated server's flavor ID (and name). */
  static final String FLAVOR = "physical.s4.medium";

  private final SimulatorOptions options;
  private final Map<String, Server> servers = new LinkedHashMap<>();
  private final List<String> inventoryOrder = new ArrayList<>();
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final Set<String> failing = new HashSet<>();
  private final Map<String, Integer> submissions = new LinkedHashMap<>();
  private final Random jobIds;
  private final Random overloads;

  SimulatedCloud(SimulatorOptions options) {
    this.options = options;
    Random random = new Random(options.seed);
    for (int i = 0; i < options.servers; i++) {
      String id = uuid(random);
      servers.put(id, new Server(id, "bms-" + (i + 1)));
      inventoryOrder.add(id);
    }
    for (int i = Math.max(0, inventoryOrder.size() - options.stopped);
        i < inventoryOrder.size();
        i++) {
      servers.get(inventoryOrder.get(i)).power = Power.OFF;
    }
    for (int i = 0; i < Math.min(options.failServers, inventoryOrder.size()); i++) {
      failing.add(inventoryOrder.get(i));
    }
    options.failServerIds.forEach(id -> failing.add(id.toLowerCase()));
    for (SimulatorOptions.TagShare share : options.tags) {
      for (String id : tagged(inventoryOrder, share, options.seed)) {
        servers.get(id).tags.add(share.tag());
      }
    }
    this.jobIds = new Random(options.seed ^ 0x5eed);
    this.overloads = new Random(options.seed ^ 0x212);
  }

  /** The IDs of a deterministic inventory, in order: the same for the same size and seed. */
  static List<String> inventory(int size, long seed) {
    Random random = new Random(seed);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ids.add(uuid(random));
    }
    return ids;
  }

  /**
   * The servers {@code --tags} gives this tag: exactly round(share x size) of them, the first of a
   * shuffle seeded from the seed and the tag, so that a tag's servers do not depend on the others.
   */
  static List<String> tagged(List<String> inventory, SimulatorOptions.TagShare share, long seed) {
    List<String> shuffled = new ArrayList<>(inventory);
    Collections.shuffle(
        shuffled, new Random(seed ^ 0x7a95L ^ ((long) share.tag().hashCode() << 20)));
    int n = (int) Math.min(shuffled.size(), Math.round(share.share() * shuffled.size()));
    return shuffled.subList(0, n);
  }

  private static String uuid(Random random) {
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  enum Power {
    ON,
    OFF
  }

  /** An action on a server: shows from {@code startsAt}, done at {@code settlesAt}. */
  record Transition(Power target, String taskState, Instant startsAt, Instant settlesAt) {}

  static final class Server {
    final String id;
    final String name;
    final String flavor = FLAVOR;
    Power power = Power.ON;
    Transition transition;
    Instant updated = Instant.parse("2026-01-01T00:00:00Z");

    /** Its tags, {@code key=value} or a system tag; guarded by the server. */
    final Set<String> tags = new LinkedHashSet<>(List.of(BAREMETAL_TAG));

    Server(String id, String name) {
      this.id = id;
      this.name = name;
    }

    /** The status the API shows: HARD_REBOOT while a reboot shows, else ACTIVE or SHUTOFF. */
    synchronized String status(Instant now) {
      String taskState = taskState(now);
      if (taskState != null && taskState.startsWith("reboot")) {
        return "HARD_REBOOT";
      }
      return power == Power.ON ? "ACTIVE" : "SHUTOFF";
    }

    synchronized List<String> tags() {
      return List.copyOf(tags);
    }

    synchronized boolean hasTag(String tag) {
      return tags.contains(tag);
    }

    synchronized void settle(Instant now) {
      if (transition != null && !now.isBefore(transition.settlesAt())) {
        power = transition.target();
        updated = transition.settlesAt();
        transition = null;
      }
    }

    /** The task state the API shows: none before the transition starts. */
    synchronized String taskState(Instant now) {
      return started(now) ? transition.taskState() : null;
    }

    synchronized Instant updated(Instant now) {
      return started(now) ? transition.startsAt() : updated;
    }

    private boolean started(Instant now) {
      return transition != null && !now.isBefore(transition.startsAt());
    }
  }

  /** A server's part of a job: it runs from {@code starts} to {@code finishes}. */
  record SubJob(
      String serverId,
      String jobId,
      boolean succeeds,
      String errorCode,
      String failReason,
      Instant starts,
      Instant finishes) {

    String status(Instant now) {
      if (now.isBefore(starts)) {
        return "INIT";
      }
      if (now.isBefore(finishes)) {
        return "RUNNING";
      }
      return succeeds ? "SUCCESS" : "FAIL";
    }
  }

  /**
   * A batch job: INIT until {@code initUntil}, listing its sub-jobs meanwhile only when {@code
   * listsSubJobsInInit}; then RUNNING until its last sub-job finished.
   */
  record Job(
      String jobId,
      CloudAction action,
      Instant created,
      Instant initUntil,
      boolean listsSubJobsInInit,
      List<SubJob> subJobs) {

    Instant finishes() {
      return subJobs.stream().map(SubJob::finishes).max(Instant::compareTo).orElse(initUntil);
    }

    String status(Instant now) {
      if (now.isBefore(initUntil)) {
        return "INIT";
      }
      if (now.isBefore(finishes())) {
        return "RUNNING";
      }
      return subJobs.stream().allMatch(SubJob::succeeds) ? "SUCCESS" : "FAIL";
    }

    boolean finished(Instant now) {
      return !now.isBefore(finishes()) && !now.isBefore(initUntil);
    }
  }

  /** A server's state refusing an action: BMS.0035-0039 with the documented message. */
  record StateError(String code, String message) {}

  /** The server's key: lower-cased unless IDs are case-sensitive. */
  String key(String id) {
    String s = id == null ? "" : id;
    return options.idCase == SimulatorOptions.IdCase.sensitive ? s : s.toLowerCase();
  }

  /** Looks a server up, creating it in accept-any-UUID mode; null when it does not exist. */
  synchronized Server server(String id, Instant now) {
    String key = key(id);
    Server server = servers.get(key);
    if (server == null
        && options.acceptAnyUuid
        && key.matches(UUID_PATTERN)
        && key.equals(key.toLowerCase())) {
      server = new Server(key, "bms-" + key.substring(0, 8));
      servers.put(key, server);
    }
    if (server != null) {
      server.settle(now);
    }
    return server;
  }

  synchronized List<Server> list(Instant now) {
    return list(ServerFilter.NONE, now);
  }

  /** The servers the filter keeps, in inventory order, as they are at {@code now}. */
  synchronized List<Server> list(ServerFilter filter, Instant now) {
    List<Server> kept = new ArrayList<>();
    for (Server s : servers.values()) {
      s.settle(now);
      if (filter.matches(s, now)) {
        kept.add(s);
      }
    }
    return kept;
  }

  /**
   * The list's filters ({@code name}, {@code status}, {@code flavor}, {@code tags}): each null or
   * empty one keeps every server; the others are exact matches, {@code tag} one of the tags.
   */
  record ServerFilter(String name, String status, String flavor, String tag) {

    static final ServerFilter NONE = new ServerFilter(null, null, null, null);

    boolean matches(Server s, Instant now) {
      synchronized (s) {
        return (blank(name) || name.equals(s.name))
            && (blank(status) || status.equals(s.status(now)))
            && (blank(flavor) || flavor.equals(s.flavor))
            && (blank(tag) || s.tags.contains(tag));
      }
    }

    private static boolean blank(String v) {
      return v == null || v.isEmpty();
    }
  }

  // ---- tags and names, for tests -------------------------------------------------------------

  /** The IDs of the servers carrying this tag, in inventory order. */
  synchronized List<String> serversTagged(String tag) {
    return servers.values().stream().filter(s -> s.hasTag(tag)).map(s -> s.id).toList();
  }

  /** The IDs of the servers with this name, in inventory order. */
  synchronized List<String> serversNamed(String name) {
    return servers.values().stream().filter(s -> s.name.equals(name)).map(s -> s.id).toList();
  }

  /**
   * Adds the tag to these servers ({@code add}) or removes it. A key has one value, as on the
   * cloud: adding {@code key=v2} replaces {@code key=v1}. Every ID must name a server (else nothing
   * changes); a tag is one non-blank string without a comma.
   */
  synchronized void tag(Collection<String> ids, String tag, boolean add, Instant now) {
    if (tag == null || tag.isBlank() || tag.contains(",")) {
      throw new IllegalArgumentException("a tag is one non-blank string without a comma: " + tag);
    }
    List<Server> found = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String id : ids) {
      Server server = server(id, now);
      if (server == null) {
        unknown.add(id);
      } else {
        found.add(server);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("no such servers: " + String.join(",", unknown));
    }
    String key = tagKey(tag);
    for (Server server : found) {
      synchronized (server) {
        if (add) {
          server.tags.removeIf(t -> tagKey(t).equals(key));
          server.tags.add(tag);
        } else {
          server.tags.remove(tag);
        }
      }
    }
  }

  /** The key of a {@code key=value} tag; a tag without {@code =} is its own key. */
  private static String tagKey(String tag) {
    int eq = tag.indexOf('=');
    return eq < 0 ? tag : tag.substring(0, eq);
  }

  /** The server's tags now, or null when there is no such server. */
  synchronized List<String> tags(String id) {
    Server server = servers.get(key(id));
    return server == null ? null : server.tags();
  }

  /** The server's name, or null when there is no such server. */
  synchronized String name(String id) {
    Server server = servers.get(key(id));
    return server == null ? null : server.name;
  }

  /** IDs of the request that do not exist. */
  synchronized List<String> unknown(List<String> ids, Instant now) {
    return ids.stream().filter(id -> server(id, now) == null).toList();
  }

  /** The first state error the action meets among these servers, or null. */
  synchronized StateError stateError(CloudAction action, List<String> ids, Instant now) {
    for (String id : ids) {
      Server server = server(id, now);
      StateError error = server == null ? null : stateError(action, server);
      if (error != null) {
        return error;
      }
    }
    return null;
  }

  private static StateError stateError(CloudAction action, Server server) {
    synchronized (server) {
      if (server.transition != null) {
        return switch (server.transition.taskState()) {
          case "powering-on" ->
              new StateError(
                  "BMS.0035", "Server is powering on, not allow to " + verb(action) + ".");
          case "powering-off" ->
              new StateError(
                  "BMS.0036", "Server is powering off, not allow to " + verb(action) + ".");
          default ->
              new StateError("BMS.0037", "Server is rebooting, not allow to " + verb(action) + ".");
        };
      }
      if (action == CloudAction.STOP && server.power == Power.OFF) {
        return new StateError("BMS.0039", "Server is stopped, not allow to stop.");
      }
      if (action == CloudAction.START && server.power == Power.ON) {
        return new StateError("BMS.0038", "Server is running, not allow to start.");
      }
      return null;
    }
  }

  /**
   * Creates the job: one sub-job per server, each deciding its outcome now. With a start delay the
   * job shows nothing for that long, then its sub-jobs start one after another over as long again.
   */
  synchronized Job submit(CloudAction action, List<String> ids, Instant now) {
    String jobId = newJobId();
    Duration delay = options.jobStartDelay;
    Instant initUntil =
        delay.isZero()
            ? now.plusMillis(Math.min(1000, options.jobDuration.toMillis() / 5))
            : now.plus(delay);
    List<SubJob> subJobs = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Instant starts = now.plus(delay).plus(delay.multipliedBy(i).dividedBy(ids.size()));
      subJobs.add(subJob(action, ids.get(i), newJobId(), now, starts));
    }
    Job job = new Job(jobId, action, now, initUntil, delay.isZero(), List.copyOf(subJobs));
    jobs.put(jobId, job);
    return job;
  }

  private String newJobId() {
    return new UUID(jobIds.nextLong(), jobIds.nextLong()).toString().replace("-", "");
  }

  private SubJob subJob(
      CloudAction action, String id, String subJobId, Instant now, Instant starts) {
    int attempt = submissions.merge(key(id), 1, Integer::sum);
    Instant finishes = starts.plus(options.jobDuration);
    Server server = server(id, now);
    if (server == null) {
      return new SubJob(
          id, subJobId, false, "BMS.0040", "The server does not exist.", starts, finishes);
    }
    if (failing.contains(server.id)
        && (options.failAttempts == 0 || attempt <= options.failAttempts)) {
      return new SubJob(
          server.id,
          subJobId,
          false,
          options.failCode,
          "Fail to operate baremetal server.",
          starts,
          finishes);
    }
    if (options.overload == SimulatorOptions.Overload.subjob
        && overloads.nextDouble() < options.overloadRate) {
      return new SubJob(
          server.id,
          subJobId,
          false,
          "BMS.0212",
          "System is overloaded, please try again later.",
          starts,
          finishes);
    }
    synchronized (server) {
      StateError refused = stateError(action, server);
      if (refused != null) {
        return new SubJob(
            server.id, subJobId, false, refused.code(), refused.message(), starts, finishes);
      }
      server.transition =
          new Transition(
              action == CloudAction.STOP ? Power.OFF : Power.ON,
              switch (action) {
                case STOP -> "powering-off";
                case START -> "powering-on";
                case REBOOT -> "reboot_started_hard";
              },
              starts,
              finishes);
    }
    return new SubJob(server.id, subJobId, true, null, null, starts, finishes);
  }

  /** How many accepted action calls named each server. */
  synchronized Map<String, Integer> submissions() {
    return new LinkedHashMap<>(submissions);
  }

  Job job(String jobId) {
    return jobs.get(jobId);
  }

  /** The job is gone: its retention ended. */
  void forget(String jobId) {
    jobs.remove(jobId);
  }

  List<String> inventoryOrder() {
    return inventoryOrder;
  }

  private static String verb(CloudAction action) {
    return switch (action) {
      case STOP -> "stop";
      case START -> "start";
      case REBOOT -> "reboot";
    };
  }
}
