package io.bmspower.chaos;

import io.bmspower.config.Options;
import io.bmspower.simulator.OpenBehaviour;
import io.bmspower.testing.DeploymentsAsProcesses;
import io.bmspower.testing.LocalControlPlane;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code make chaos}: a black-box reliability run any user can repeat. The operator jar runs as a
 * separate process, the simulator as another, against the local control plane; a mixed workload is
 * created while the operator is killed with SIGKILL at seeded random moments and restarted at once.
 * One line per run; exit code 1 when any run found a duplicate submission, a lost job, a resource
 * that did not converge or a server in the wrong power state. See {@link ChaosRun} for the
 * definitions.
 */
public final class Chaos {

  private Chaos() {}

  static final String USAGE =
      """
      usage: make chaos CHAOS_ARGS="[options]"
        --seed N                  seed of the workload, the kill schedule and the simulator (default 1)
        --kills N                 SIGKILLs of the operator per run, each followed by a restart (default 5)
        --servers N               servers in the workload (default 2000)
        --resources N             resources the servers are split over (default 24)
        --reading OPTION=VALUE    play one open-behaviour reading of the simulator (repeatable),
                                  e.g. --reading job-start-delay=20s
        --readings hostile        every hostile reading at once
        --fault-rates SPEC        faults, comma-separated: 5xx=P (--server-error-rate),
                                  drop=N (--drop-after-accept), throttle=EVERY/BURST (429 bursts)
        --run-timeout DURATION    hard limit of each run, e.g. 10m (default: 67 s per kill + the
                                  convergence deadline + 3 min); a run past it is SIGKILLed and
                                  reported ABORTED
        --matrix                  one run per non-default reading of every open behaviour, then one
                                  with --readings hostile (faults and other options apply to each)
        --help                    this text
      Prints one line per run; exits 1 when any run has a duplicate, a lost job, a resource not
      converged, a server in the wrong power state, or was ABORTED (hard limit passed, an error).
      Every process a run starts (simulator, operator) is SIGKILLed by PID when the run ends, fails
      or is aborted, and on Ctrl-C.
      """;

  public static void main(String[] args) throws Exception {
    Runtime.getRuntime().addShutdownHook(new Thread(Chaos::killOurJarChildren, "chaos-children"));
    int code = run(args, System.out);
    // Shutdown hooks (the control plane's stop among them) get 60 s; then the JVM ends regardless.
    Thread halt =
        new Thread(
            () -> {
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                return;
              }
              Runtime.getRuntime().halt(code);
            },
            "chaos-halt");
    halt.setDaemon(true);
    halt.start();
    System.exit(code);
  }

  /**
   * Ctrl-C while an operator is starting (before its run recorded it): this JVM's own children that
   * run the jar, by PID. The control plane's processes are stopped by its own hook.
   */
  private static void killOurJarChildren() {
    String jar = DeploymentsAsProcesses.JAR.toAbsolutePath().toString();
    ProcessHandle.current()
        .children()
        .filter(h -> h.info().arguments().map(a -> List.of(a).contains(jar)).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  static int run(String[] args, PrintStream out) throws Exception {
    ChaosRun.Config base = new ChaosRun.Config();
    List<String> readingArgs = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    boolean matrix = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> {
          out.print(USAGE);
          return 0;
        }
        case "--matrix" -> matrix = true;
        case "--seed" -> base.seed = Long.parseLong(value(args, ++i, a));
        case "--kills" -> base.kills = Integer.parseInt(value(args, ++i, a));
        case "--servers" -> base.servers = Integer.parseInt(value(args, ++i, a));
        case "--resources" -> base.resources = Integer.parseInt(value(args, ++i, a));
        case "--reading" -> {
          String r = value(args, ++i, a);
          int eq = r.indexOf('=');
          if (eq < 1) {
            return usageError(out, "--reading takes OPTION=VALUE, got " + r);
          }
          readingArgs.addAll(List.of("--" + r.substring(0, eq), r.substring(eq + 1)));
          labels.add(r);
        }
        case "--readings" -> {
          String r = value(args, ++i, a);
          readingArgs.addAll(List.of("--readings", r));
          labels.add("readings=" + r);
        }
        case "--fault-rates" -> base.faultArgs = faultArgs(value(args, ++i, a));
        case "--run-timeout" -> base.runTimeout = Options.duration(value(args, ++i, a));
        default -> {
          return usageError(out, "unknown option " + a);
        }
      }
    }
    if (base.kills < 0 || base.servers < base.resources || base.resources < 3) {
      return usageError(out, "need kills >= 0, resources >= 3 and servers >= resources");
    }
    List<ChaosRun.Config> runs = new ArrayList<>();
    if (matrix) {
      for (OpenBehaviour b : OpenBehaviour.values()) {
        for (OpenBehaviour.Reading r : b.readings()) {
          if (!r.value().equals(b.defaultValue())) {
            runs.add(base.with(b.option() + "=" + r.value(), b.args(r.value())));
          }
        }
      }
      runs.add(base.with("readings=hostile", List.of("--readings", "hostile")));
    } else {
      runs.add(base.with(labels.isEmpty() ? "default" : String.join(",", labels), readingArgs));
    }
    out.printf(
        "bms-power-operator chaos: %d run(s), seed %d, %d kills, %d servers over %d resources,"
            + " faults %s%n",
        runs.size(),
        base.seed,
        base.kills,
        base.servers,
        base.resources,
        base.faultArgs.isEmpty() ? "none" : String.join(" ", base.faultArgs));
    out.flush();
    LocalControlPlane.get();
    int failed = 0;
    for (ChaosRun.Config config : runs) {
      ChaosRun run = new ChaosRun(config);
      ChaosRun.Result result = run.runWithin(run.hardLimit());
      out.println(result.line());
      out.flush();
      if (!result.passed()) {
        failed++;
      }
    }
    out.printf(
        "chaos: %s%n",
        failed == 0 ? "every run passed" : failed + " of " + runs.size() + " FAILED");
    return failed == 0 ? 0 : 1;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static int usageError(PrintStream out, String message) {
    out.println("chaos: " + message);
    out.print(USAGE);
    return 2;
  }

  /** {@code 5xx=0.05,drop=3,throttle=40/5} as simulator options. */
  static List<String> faultArgs(String spec) {
    List<String> args = new ArrayList<>();
    for (String part : spec.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("bad --fault-rates part: " + part);
      }
      switch (kv[0]) {
        case "5xx" -> args.addAll(List.of("--server-error-rate", kv[1]));
        case "drop" -> args.addAll(List.of("--drop-after-accept", kv[1]));
        case "throttle" -> {
          String[] eb = kv[1].split("/", 2);
          args.addAll(List.of("--throttle-every", eb[0], "--throttle-burst", eb[1]));
        }
        default -> throw new IllegalArgumentException("unknown fault " + kv[0]);
      }
    }
    return args;
  }
}
