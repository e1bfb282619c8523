package io.bmspower.nodes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Kubernetes side of a node rollout: Nodes (read, cordon, uncordon, fence) and their pods
 * (list, evict through the Eviction API). Every change is a merge patch carrying the
 * resourceVersion it was decided on, so a concurrent change is never overwritten; every change is
 * idempotent.
 */
public class NodeApi {

  /** Set on a Node together with its cordon: which resource cordoned it (namespace/name). */
  public static final String CORDONED_BY = "bmspower.io/cordoned-by";

  /** Set on a Node together with the out-of-service taint: which resource fenced it. */
  public static final String FENCED_BY = "bmspower.io/fenced-by";

  public static final String OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

  /** An eviction's outcome: done (or the pod is gone), or refused with the API server's reason. */
  public record Eviction(boolean evicted, String refusal) {}

  /** Writes nulls, which a merge patch needs to remove a field. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  /**
   * For evictions only: without the client's own retries of HTTP 429, which would hold a refused
   * eviction for about 20 s; the next pass tries again instead.
   */
  private final KubernetesClient evictions;

  public NodeApi(KubernetesClient client) {
    this.client = client;
    this.evictions =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
  }

  public Optional<Node> get(String name) {
    return Optional.ofNullable(client.nodes().withName(name).get());
  }

  public List<Node> select(LabelSelector selector) {
    return client.nodes().withLabelSelector(selector).list().getItems();
  }

  /**
   * Cordons the node for {@code owner} unless it is already unschedulable. Returns whether {@code
   * owner} holds the cordon now: false when someone else had cordoned the node (that cordon is
   * theirs and stays).
   */
  public boolean cordon(Node node, String owner) {
    if (Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return owner.equals(annotation(node, CORDONED_BY));
    }
    patch(node, Map.of("unschedulable", true), Map.of(CORDONED_BY, owner));
    return true;
  }

  /** Uncordons the node if {@code owner} holds its cordon; returns whether it did. */
  public boolean uncordon(Node node, String owner) {
    if (!owner.equals(annotation(node, CORDONED_BY))) {
      return false;
    }
    Map<String, Object> spec = new HashMap<>();
    spec.put("unschedulable", null);
    Map<String, String> annotations = new HashMap<>();
    annotations.put(CORDONED_BY, null);
    patch(node, spec, annotations);
    return true;
  }

  /** Adds the out-of-service taint (effect NoExecute) for {@code owner}, if not there yet. */
  public void fence(Node node, String owner) {
    List<Taint> taints = new ArrayList<>(taints(node));
    if (taints.stream().anyMatch(t -> OUT_OF_SERVICE.equals(t.getKey()))) {
      return;
    }
    taints.add(
        new TaintBuilder()
            .withKey(OUT_OF_SERVICE)
            .withValue("nodeshutdown")
            .withEffect("NoExecute")
            .withTimeAdded(null)
            .build());
    patch(node, Map.of("taints", taints), Map.of(FENCED_BY, owner));
  }

  /** Removes the out-of-service taint if this operator added it; returns whether it did. */
  public boolean unfence(Node node) {
    if (annotation(node, FENCED_BY) == null) {
      return false;
    }
    List<Taint> taints =
        taints(node).stream().filter(t -> !OUT_OF_SERVICE.equals(t.getKey())).toList();
    Map<String, String> annotations = new HashMap<>();
    annotations.put(FENCED_BY, null);
    patch(node, Map.of("taints", taints), annotations);
    return true;
  }

  public List<Pod> podsOn(String node) {
    return client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems();
  }

  /**
   * Evicts a pod through the Eviction API, so the API server checks its PodDisruptionBudgets. A
   * refusal (429 while a budget forbids it, 500 when several budgets match) comes back with the API
   * server's message and causes, which name the budget.
   */
  public Eviction evict(Pod pod, Long gracePeriodSeconds) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("apiVersion", "policy/v1");
    body.put("kind", "Eviction");
    body.put("metadata", Map.of("name", name, "namespace", ns));
    if (gracePeriodSeconds != null) {
      body.put("deleteOptions", Map.of("gracePeriodSeconds", gracePeriodSeconds));
    }
    String url =
        URLUtils.join(
            client.getMasterUrl().toString(), "api/v1/namespaces", ns, "pods", name, "eviction");
    try {
      evictions.raw(url, "POST", body);
      return new Eviction(true, null);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return new Eviction(true, null);
      }
      return new Eviction(false, refusal(e));
    }
  }

  static String refusal(KubernetesClientException e) {
    var status = e.getStatus();
    if (status == null) {
      return "eviction failed: " + e.getMessage();
    }
    String causes =
        status.getDetails() == null || status.getDetails().getCauses() == null
            ? ""
            : status.getDetails().getCauses().stream()
                .map(StatusCause::getMessage)
                .filter(m -> m != null && !m.isBlank())
                .collect(Collectors.joining("; "));
    String message = status.getMessage() == null ? "HTTP " + e.getCode() : status.getMessage();
    return causes.isEmpty() ? message : message + " " + causes;
  }

  /** The kubelet's boot ID (status.nodeInfo.bootID), which changes at every boot; may be null. */
  public static String bootId(Node node) {
    return node.getStatus() == null || node.getStatus().getNodeInfo() == null
        ? null
        : node.getStatus().getNodeInfo().getBootID();
  }

  /**
   * Up again after the power action: Ready=True from a kubelet that booted since {@code bootBefore}
   * was read (a new boot ID). A kubelet that reports no boot ID is taken as up again once it posted
   * Ready at or after {@code since}.
   */
  public static boolean readyAgain(Node node, String bootBefore, Instant since) {
    String now = bootId(node);
    if (bootBefore != null && !bootBefore.isEmpty() && now != null && !now.isEmpty()) {
      return !now.equals(bootBefore) && readySince(node, Instant.EPOCH);
    }
    return readySince(node, since);
  }

  /**
   * Ready=True, and posted (heartbeat or transition) at or after {@code since}: a kubelet that is
   * up again after the power action, not a status left from before it.
   */
  public static boolean readySince(Node node, Instant since) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return false;
    }
    for (NodeCondition c : node.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        if (!"True".equals(c.getStatus())) {
          return false;
        }
        return !before(c.getLastHeartbeatTime(), since)
            || !before(c.getLastTransitionTime(), since);
      }
    }
    return false;
  }

  private static boolean before(String time, Instant since) {
    return time == null || Instant.parse(time).isBefore(since);
  }

  public static String annotation(Node node, String key) {
    Map<String, String> a = node.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  private static List<Taint> taints(Node node) {
    return node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
  }

  private void patch(Node node, Map<String, ?> spec, Map<String, String> annotations) {
    Map<String, Object> metadata = new HashMap<>();
    metadata.put("resourceVersion", node.getMetadata().getResourceVersion());
    metadata.put("annotations", annotations);
    Map<String, Object> patch = new HashMap<>();
    patch.put("metadata", metadata);
    patch.put("spec", spec);
    client
        .nodes()
        .withName(node.getMetadata().getName())
        .patch(new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(), json(patch));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
