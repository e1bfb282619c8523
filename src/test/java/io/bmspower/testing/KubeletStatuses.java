package io.bmspower.testing;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The statuses {@link KubeletStandIn} posts (as strategic merge patches of the status subresource),
 * worded as a real kubelet words them. A condition's {@code lastTransitionTime} is kept while its
 * status holds and is now when it changes, as controllers and {@code kubectl describe} expect.
 */
final class KubeletStatuses {

  private record Wanted(String type, String status, String reason, String message) {}

  private static final List<Wanted> NODE_CONDITIONS =
      List.of(
          new Wanted("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
          new Wanted(
              "MemoryPressure",
              "False",
              "KubeletHasSufficientMemory",
              "kubelet has sufficient memory available"),
          new Wanted(
              "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
          new Wanted(
              "PIDPressure",
              "False",
              "KubeletHasSufficientPID",
              "kubelet has sufficient PID available"));

  private static final List<String> POD_CONDITIONS =
      List.of("PodScheduled", "Initialized", "ContainersReady", "Ready");

  private KubeletStatuses() {}

  /** A healthy Node's status: Ready, no pressure, a heartbeat now, some capacity. */
  static Map<String, Object> readyNode(Node cached, String nodeName, Instant now, String bootId) {
    String time = seconds(now);
    List<Map<String, String>> conditions = new ArrayList<>();
    for (Wanted wanted : NODE_CONDITIONS) {
      NodeCondition old = nodeCondition(cached, wanted.type());
      Map<String, String> c = new LinkedHashMap<>();
      c.put("type", wanted.type());
      c.put("status", wanted.status());
      c.put("reason", wanted.reason());
      c.put("message", wanted.message());
      c.put("lastHeartbeatTime", time);
      c.put(
          "lastTransitionTime",
          old == null
              ? time
              : transition(old.getStatus(), old.getLastTransitionTime(), wanted, time));
      conditions.add(c);
    }
    Map<String, String> capacity = Map.of("cpu", "4", "memory", "16Gi", "pods", "110");
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("conditions", conditions);
    status.put("addresses", List.of(Map.of("type", "Hostname", "address", nodeName)));
    status.put("capacity", capacity);
    status.put("allocatable", capacity);
    status.put(
        "nodeInfo",
        Map.of(
            "kubeletVersion",
            "v1.34.3",
            "operatingSystem",
            "linux",
            "architecture",
            "amd64",
            "bootID",
            bootId));
    return status;
  }

  /** A pod whose containers all run and are ready. */
  static Map<String, Object> runningPod(Pod pod, Instant now) {
    String time = seconds(now);
    String started =
        pod.getStatus() != null && pod.getStatus().getStartTime() != null
            ? pod.getStatus().getStartTime()
            : time;
    List<Map<String, Object>> conditions = new ArrayList<>();
    for (String type : POD_CONDITIONS) {
      PodCondition old = podCondition(pod, type);
      Wanted wanted = new Wanted(type, "True", null, null);
      conditions.add(
          Map.of(
              "type",
              type,
              "status",
              "True",
              "lastTransitionTime",
              old == null
                  ? time
                  : transition(old.getStatus(), old.getLastTransitionTime(), wanted, time)));
    }
    List<Map<String, Object>> containers = new ArrayList<>();
    pod.getSpec()
        .getContainers()
        .forEach(
            c ->
                containers.add(
                    Map.of(
                        "name",
                        c.getName(),
                        "image",
                        c.getImage(),
                        "imageID",
                        "",
                        "ready",
                        true,
                        "started",
                        true,
                        "restartCount",
                        0,
                        "state",
                        Map.of("running", Map.of("startedAt", started)))));
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", "Running");
    status.put("startTime", started);
    status.put("conditions", conditions);
    status.put("containerStatuses", containers);
    return status;
  }

  /** The Node's condition of this type in the cached Node, or null. */
  static NodeCondition nodeCondition(Node node, String type) {
    if (node == null || node.getStatus() == null || node.getStatus().getConditions() == null) {
      return null;
    }
    return node.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  static PodCondition podCondition(Pod pod, String type) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return null;
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private static String transition(
      String oldStatus, String oldTransition, Wanted wanted, String now) {
    return Objects.equals(oldStatus, wanted.status()) && oldTransition != null
        ? oldTransition
        : now;
  }

  private static String seconds(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
