package io.bmspower.simulator;

import io.bmspower.cloud.CloudAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
    Power power = Power.ON;
    Transition transition;
    Instant updated = Instant.parse("2026-01-01T00:00:00Z");

    Server(String id, String name) {
      this.id = id;
      this.name = name;
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
    List<Server> all = new ArrayList<>(servers.values());
    all.forEach(s -> s.settle(now));
    return all;
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
