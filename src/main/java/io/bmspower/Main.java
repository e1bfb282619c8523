package io.bmspower;

import io.bmspower.config.OperatorSettings;
import io.bmspower.simulator.SimulatorMain;
import java.io.PrintStream;
import java.util.Arrays;

/** The jar's entry point: runs the operator, or the BMS simulator with {@code simulator}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("simulator")) {
      System.exit(SimulatorMain.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0
        && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
      usage(System.out);
      OperatorSettings.usage(System.out);
      return;
    }
    if (args.length > 0 && args[0].equals("--version")) {
      System.out.println("bms-power-operator " + version());
      return;
    }
    System.exit(OperatorMain.run(args));
  }

  /** The project version from the jar's manifest; "dev" when run from classes. */
  static String version() {
    String version = Main.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  static void usage(PrintStream out) {
    out.println(
        """
        bms-power-operator: powers Bare Metal Servers off, on, or reboots them, from Kubernetes.

        Usage:
          java -jar bms-power-operator.jar [options]            run the operator
          java -jar bms-power-operator.jar simulator [options]  run the BMS simulator
          java -jar bms-power-operator.jar --help               show this help
          java -jar bms-power-operator.jar --version            print the version

        `java -jar bms-power-operator.jar simulator --help` lists the simulator's options.
        """);
  }
}
