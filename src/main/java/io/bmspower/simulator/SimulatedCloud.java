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

  static final class Server {
    final String id;
    final String name;
    Power power = Power.ON;
    Power target;
    String taskState;
    Instant settlesAt;
    Instant updated = Instant.parse("2026-01-01T00:00:00Z");

    Server(String id, String name) {
      this.id = id;
      this.name = name;
    }

    synchronized void settle(Instant now) {
      if (settlesAt != null && !now.isBefore(settlesAt)) {
        power = target;
        updated = settlesAt;
        target = null;
        taskState = null;
        settlesAt = null;
      }
    }
  }

  record SubJob(
      String serverId, String jobId, boolean succeeds, String errorCode, String failReason) {}

  record Job(
      String jobId, CloudAction action, Instant created, Instant finishes, List<SubJob> subJobs) {
    String status(Instant now) {
      if (now.isBefore(
          created.plus(
              Duration.ofMillis(
                  Math.min(1000, Duration.between(created, finishes).toMillis() / 5))))) {
        return "INIT";
      }
      if (now.isBefore(finishes)) {
        return "RUNNING";
      }
      return subJobs.stream().allMatch(SubJob::succeeds) ? "SUCCESS" : "FAIL";
    }
  }

  /** Looks a server up, creating it in accept-any-UUID mode; null when it does not exist. */
  synchronized Server server(String id, Instant now) {
    String key = id == null ? "" : id.toLowerCase();
    Server server = servers.get(key);
    if (server == null && options.acceptAnyUuid && key.matches(UUID_PATTERN)) {
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

  /** Creates the job: one sub-job per server, each deciding its outcome now. */
  synchronized Job submit(CloudAction action, List<String> ids, Instant now) {
    String jobId = new UUID(jobIds.nextLong(), jobIds.nextLong()).toString().replace("-", "");
    Instant finishes = now.plus(options.jobDuration);
    List<SubJob> subJobs = new ArrayList<>();
    for (String id : ids) {
      String subJobId = new UUID(jobIds.nextLong(), jobIds.nextLong()).toString().replace("-", "");
      subJobs.add(subJob(action, id, subJobId, now, finishes));
    }
    Job job = new Job(jobId, action, now, finishes, List.copyOf(subJobs));
    jobs.put(jobId, job);
    return job;
  }

  private SubJob subJob(
      CloudAction action, String id, String subJobId, Instant now, Instant finishes) {
    int attempt = submissions.merge(id.toLowerCase(), 1, Integer::sum);
    Server server = server(id, now);
    if (server == null) {
      return new SubJob(id, subJobId, false, "BMS.0040", "The server does not exist.");
    }
    if (failing.contains(server.id)
        && (options.failAttempts == 0 || attempt <= options.failAttempts)) {
      return new SubJob(
          server.id, subJobId, false, options.failCode, "Fail to operate baremetal server.");
    }
    synchronized (server) {
      if (server.taskState != null) {
        String code =
            switch (server.taskState) {
              case "powering-on" -> "BMS.0035";
              case "powering-off" -> "BMS.0036";
              default -> "BMS.0037";
            };
        String doing =
            switch (server.taskState) {
              case "powering-on" -> "powering on";
              case "powering-off" -> "powering off";
              default -> "rebooting";
            };
        return new SubJob(
            server.id,
            subJobId,
            false,
            code,
            "Server is " + doing + ", not allow to " + verb(action) + ".");
      }
      if (action == CloudAction.STOP && server.power == Power.OFF) {
        return new SubJob(
            server.id, subJobId, false, "BMS.0039", "Server is stopped, not allow to stop.");
      }
      if (action == CloudAction.START && server.power == Power.ON) {
        return new SubJob(
            server.id, subJobId, false, "BMS.0038", "Server is running, not allow to start.");
      }
      server.target = action == CloudAction.STOP ? Power.OFF : Power.ON;
      server.taskState =
          switch (action) {
            case STOP -> "powering-off";
            case START -> "powering-on";
            case REBOOT -> "reboot_started_hard";
          };
      server.settlesAt = finishes;
      server.updated = now;
    }
    return new SubJob(server.id, subJobId, true, null, null);
  }

  /** How many accepted action calls named each server. */
  synchronized Map<String, Integer> submissions() {
    return new LinkedHashMap<>(submissions);
  }

  Job job(String jobId) {
    return jobs.get(jobId);
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
