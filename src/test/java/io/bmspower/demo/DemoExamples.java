package io.bmspower.demo;

import io.bmspower.simulator.BmsSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** Writes examples/demo/ from the demo simulator's inventory (seed 42, 3,000 servers). */
final class DemoExamples {

  private DemoExamples() {}

  static void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> inventory = BmsSimulator.inventory(Demo.SERVERS, Demo.SEED);
    Files.writeString(
        dir.resolve("stop-2500.yaml"),
        resource(
            "stop-2500",
            "Stop",
            "Succeeded",
            "Stops 2,500 running servers: three action calls of up to 1,000.",
            inventory.subList(0, 2500)));
    Files.writeString(
        dir.resolve("start-300.yaml"),
        resource(
            "start-300",
            "Start",
            "Succeeded",
            "Starts the 300 servers the demo simulator has powered off.",
            inventory.subList(Demo.SERVERS - Demo.STOPPED, Demo.SERVERS)));
    List<String> mixed = new java.util.ArrayList<>(inventory.subList(2500, 2520));
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 5; i++) {
      mixed.add(i * 4, new UUID(random.nextLong(), random.nextLong()).toString());
    }
    Files.writeString(
        dir.resolve("reboot-with-unknown-servers.yaml"),
        resource(
            "reboot-unknown",
            "Reboot",
            "PartiallySucceeded",
            "Reboots 20 real servers and names 5 that do not exist: they fail with BMS.0040, the rest succeed.",
            mixed));
  }

  private static String resource(
      String name, String action, String expected, String comment, List<String> servers) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("# ").append(comment).append("\n");
    yaml.append(
        "# Server IDs are from the demo simulator (--servers 3000 --seed 42); cloud settings come from the\n");
    yaml.append(
        "# operator's defaults (--default-endpoint, --default-project-id, --default-credentials-secret).\n");
    yaml.append("apiVersion: bmspower.io/v1alpha1\nkind: BareMetalPowerAction\nmetadata:\n  name: ")
        .append(name)
        .append("\n");
    yaml.append("  annotations:\n    ")
        .append(Demo.EXPECTED_PHASE)
        .append(": ")
        .append(expected)
        .append("\n");
    yaml.append("spec:\n  action: ").append(action).append("\n  batchSize: 1000\n  servers:\n");
    servers.forEach(id -> yaml.append("    - ").append(id).append("\n"));
    return yaml.toString();
  }
}
