package io.bmspower.reconciler;

import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ServerDetails;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A call the cloud refused for some of its servers, with no job: nothing was executed, so each
 * server is judged on its own. Unknown servers (BMS.0040) fail; for a state refusal (#1 whole-call:
 * BMS.0039 already stopped, BMS.0038 already running, BMS.0035-0037 in transition) the servers'
 * state decides: those already in the target state are done, those in transition go again after a
 * backoff (a new attempt, so bounded by maxAttempts), the rest are sent again at once without them.
 */
final class CallRefusals {

  private final BatchLedger ledger;

  CallRefusals(BatchLedger ledger) {
    this.ledger = ledger;
  }

  /** The cloud refused the call for unknown servers: those fail here, the rest go again. */
  void leaveOutUnknown(BatchAttempt a, Set<String> existing, CloudException e) {
    List<String> unknown = ledger.servers(a).stream().filter(id -> !existing.contains(id)).toList();
    if (unknown.isEmpty()) {
      ledger.failAll(a, e);
      return;
    }
    unknown.forEach(id -> ledger.fail(id, "BMS.0040", "The server does not exist.", a.attempt()));
    String message = unknown.size() + " server(s) do not exist (BMS.0040) and were left out";
    List<String> rest = ledger.servers(a).stream().filter(existing::contains).toList();
    String tail = rest.isEmpty() ? "" : "; submitting the other " + rest.size();
    ledger.reports().warning(Reason.UNKNOWN_SERVERS, "batch " + a.index() + ": " + message + tail);
    narrow(a, 0, unknown.size(), rest, message);
  }

  /** The whole call was refused for a server's state ({@code states}: absent, unknown). */
  void stateRefused(BatchAttempt a, Map<String, ServerDetails> states, CloudException e) {
    int done = 0;
    List<ServerVerdicts.Failure> unknown = new ArrayList<>();
    List<String> busy = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String id : ledger.servers(a)) {
      ServerDetails d = states.get(id);
      if (d == null) {
        unknown.add(new ServerVerdicts.Failure(id, "BMS.0040", "The server does not exist."));
      } else if (inTarget(ledger.action(), d)) {
        done++;
      } else if (d.isTransitioning()) {
        busy.add(id);
      } else {
        rest.add(id);
      }
    }
    String why =
        "action call refused (%s): %d already done, %d in transition, %d to send again"
            .formatted(BatchLedger.describe(e), done, busy.size(), rest.size());
    ledger.reports().normal(Reason.SUBMISSION_RECOVERED, "batch " + a.index() + ": " + why);
    boolean progress = done + unknown.size() > 0;
    if (busy.isEmpty() && progress) {
      unknown.forEach(f -> ledger.fail(f.id(), f.code(), f.reason(), a.attempt()));
      narrow(a, done, unknown.size(), rest, why);
    } else if (ledger.attemptsLeft(a)) {
      List<String> again = new ArrayList<>(busy);
      again.addAll(rest);
      ledger.apply(
          a,
          new ServerVerdicts(done, unknown, again, e.code()),
          why + "; attempt %d follows after a backoff".formatted(a.attempt() + 1),
          settleWait(ledger.backoff(a.attempt() - 1), a.attempt(), !busy.isEmpty()));
    } else {
      List<String> stuck = busy.isEmpty() ? rest : busy;
      List<ServerVerdicts.Failure> failed = new ArrayList<>(unknown);
      String reason = e.getMessage() + " (still so after " + a.attempt() + " attempt(s))";
      stuck.forEach(id -> failed.add(new ServerVerdicts.Failure(id, e.code(), reason)));
      failed.forEach(f -> ledger.fail(f.id(), f.code(), f.reason(), a.attempt()));
      narrow(a, done, failed.size(), busy.isEmpty() ? List.of() : rest, why);
    }
  }

  /** Already in the target state: a Stop of a stopped server, a Start of a running one. */
  private static boolean inTarget(CloudAction action, ServerDetails d) {
    return switch (action) {
      case STOP -> d.isOff();
      case START -> d.isOn();
      case REBOOT -> false;
    };
  }

  /** Nothing executed: the counted servers leave the attempt, the rest go again at once. */
  private void narrow(
      BatchAttempt a, int succeeded, int failed, List<String> rest, String message) {
    if (rest.isEmpty()) {
      ledger.finish(a, succeeded, failed, 0, message);
      return;
    }
    ledger.counted(succeeded, failed);
    BitSet remaining = new BitSet();
    rest.forEach(id -> remaining.set(ledger.plan().offsetOf(a.index(), id)));
    a.narrowed(
        Members.encode(remaining, ledger.plan().rangeSize(a.index())),
        remaining.cardinality(),
        message);
  }

  /**
   * A server in transition needs time to settle, not a jittered instant retry that could spend
   * every attempt within a second: at least {@link #SETTLE} per attempt so far.
   */
  static java.time.Duration settleWait(java.time.Duration backoff, int attempt, boolean busy) {
    java.time.Duration floor = SETTLE.multipliedBy(Math.max(1, attempt));
    return busy && backoff.compareTo(floor) < 0 ? floor : backoff;
  }

  static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(15);
}
