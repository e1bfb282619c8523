package io.bmspower.simulator;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar bms-power-operator.jar simulator [options]}. */
public final class SimulatorMain {

  private SimulatorMain() {}

  /** Runs until interrupted; returns the process exit code. */
  public static int run(String[] args) throws Exception {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        SimulatorOptions.usage(System.out);
        return 0;
      }
    }
    SimulatorOptions options;
    try {
      options = SimulatorOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("simulator: " + e.getMessage());
      return 2;
    }
    BmsSimulator simulator = new BmsSimulator(options).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  stopped.countDown();
                },
                "simulator-stop"));
    // The simulator's credentials are test fixtures, printed so people and scripts can use them.
    System.out.println("BMS simulator listening on " + simulator.baseUrl());
    System.out.println("  project ID:   " + options.projectId);
    System.out.println("  AK / SK:      " + options.accessKey + " / " + options.secretKey);
    System.out.println(
        "  IAM user:     "
            + options.iamUser
            + " / "
            + options.iamPassword
            + " (domain "
            + options.iamDomain
            + "), IAM endpoint "
            + simulator.baseUrl());
    System.out.println(
        "  inventory:    "
            + options.servers
            + " servers (seed "
            + options.seed
            + ")"
            + (options.acceptAnyUuid ? ", any UUID accepted" : ""));
    System.out.println(
        "  tags:         __type_baremetal"
            + options.tags.stream()
                .map(t -> ", " + t.tag() + " on " + t.share())
                .reduce("", String::concat));
    System.out.println(
        "  job duration: "
            + options.jobDuration
            + ", rate limits "
            + (options.rateLimits ? "on" : "off"));
    List<String> readings = options.readingsInPlay();
    System.out.println(
        "  readings:     " + (readings.isEmpty() ? "default" : String.join(", ", readings)));
    System.out.println("  stats:        " + simulator.baseUrl() + "/_sim/stats");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
