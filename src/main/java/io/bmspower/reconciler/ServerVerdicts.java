package io.bmspower.reconciler;

import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.ErrorClassifier;
import io.bmspower.cloud.Job;
import io.bmspower.cloud.JobStatus;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.SubJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What became of each server of an attempt, from a finished job or from the servers' state: done,
 * failed for good, or to be submitted again. Pure.
 */
record ServerVerdicts(int succeeded, List<Failure> failed, List<String> again, String againCode) {

  record Failure(String id, String code, String reason) {}

  /** Servers whose part of the finished job does not tell their outcome. */
  static List<String> unreported(List<String> servers, Job job) {
    Map<String, SubJob> byServer = subJobs(job);
    return servers.stream()
        .filter(id -> byServer.get(id) == null || !byServer.get(id).status().isFinished())
        .toList();
  }

  /**
   * From a finished job. {@code states} holds the state of the {@link #unreported} servers (absent:
   * the server does not exist); a server the job does not account for is done only if its state
   * shows the action, else it goes again. Retryable failures go again while attempts are left.
   */
  static ServerVerdicts ofJob(
      CloudAction action,
      List<String> servers,
      Job job,
      Map<String, ServerDetails> states,
      RebootBaseline since,
      boolean attemptsLeft) {
    Map<String, SubJob> byServer = subJobs(job);
    Builder v = new Builder();
    for (String id : servers) {
      SubJob sub = byServer.get(id);
      if (sub != null && sub.status() == JobStatus.SUCCESS) {
        v.succeeded++;
      } else if (sub != null && sub.status() == JobStatus.FAIL) {
        String code = Optional.ofNullable(sub.errorCode()).orElse("UNKNOWN");
        String reason =
            Optional.ofNullable(sub.failReason()).orElse("The job ended with this server failed.");
        v.judge(id, ErrorClassifier.classifySubJob(action, code), code, reason, attemptsLeft);
      } else if (!states.containsKey(id)) {
        v.failed.add(new Failure(id, "BMS.0040", "The server does not exist."));
      } else if (provablyTaken(action, states.get(id), since)) {
        v.succeeded++;
      } else {
        String code = sub == null ? "NO_SUBJOB" : "NOT_FINISHED";
        String reason =
            sub == null
                ? "The job did not report this server and its state shows no action."
                : "The job ended with this server " + sub.status() + " and no action shows.";
        v.judge(id, ErrorClass.RETRYABLE, code, reason, attemptsLeft);
      }
    }
    return v.build();
  }

  /** From the servers' state alone: taken is done, unknown fails, the rest goes again. */
  static ServerVerdicts ofState(
      CloudAction action,
      List<String> servers,
      Map<String, ServerDetails> states,
      RebootBaseline since) {
    Builder v = new Builder();
    for (String id : servers) {
      ServerDetails d = states.get(id);
      if (d == null) {
        v.failed.add(new Failure(id, "BMS.0040", "The server does not exist."));
      } else if (provablyTaken(action, d, since)) {
        v.succeeded++;
      } else {
        v.again.add(id);
      }
    }
    return v.build();
  }

  /** The server's state shows the action was taken (or is under way). */
  static boolean provablyTaken(CloudAction action, ServerDetails d, RebootBaseline since) {
    String task = d.taskState() == null ? "" : d.taskState().toLowerCase(Locale.ROOT);
    return switch (action) {
      case STOP -> d.isOff() || task.equals("powering-off");
      case START -> d.isOn() || task.equals("powering-on");
      case REBOOT -> task.startsWith("reboot") || since.updatedSince(d);
    };
  }

  private static Map<String, SubJob> subJobs(Job job) {
    Map<String, SubJob> byServer = new HashMap<>();
    job.subJobs().stream()
        .filter(s -> s.serverId() != null)
        .forEach(s -> byServer.put(s.serverId().toLowerCase(Locale.ROOT), s));
    return byServer;
  }

  private static final class Builder {
    int succeeded;
    final List<Failure> failed = new ArrayList<>();
    final List<String> again = new ArrayList<>();
    String againCode;

    void judge(String id, ErrorClass cls, String code, String reason, boolean attemptsLeft) {
      if (cls == ErrorClass.ALREADY_DONE) {
        succeeded++;
      } else if (cls == ErrorClass.RETRYABLE && attemptsLeft) {
        again.add(id);
        againCode = code;
      } else {
        failed.add(new Failure(id, code, reason));
      }
    }

    ServerVerdicts build() {
      return new ServerVerdicts(succeeded, List.copyOf(failed), List.copyOf(again), againCode);
    }
  }
}
