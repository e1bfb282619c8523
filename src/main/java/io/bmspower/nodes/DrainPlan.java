package io.bmspower.nodes;

import io.bmspower.api.v1alpha1.DrainSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What draining a node means for the pods on it, as kubectl drain decides: mirror pods, DaemonSet
 * pods, finished pods and pods outside drain.podSelector stay and do not block; a pod with an
 * emptyDir blocks unless deleteEmptyDirData; a terminating pod blocks until it is gone; every other
 * pod is evicted. Pure: the caller lists the pods and sends the evictions.
 */
public final class DrainPlan {

  public static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

  private final List<Pod> toEvict = new ArrayList<>();
  private final List<String> blocking = new ArrayList<>();

  private DrainPlan() {}

  public static DrainPlan of(List<Pod> pods, DrainSpec spec) {
    DrainSpec s = spec == null ? new DrainSpec() : spec;
    Selector selector = Selector.parse(s.getPodSelector());
    DrainPlan plan = new DrainPlan();
    for (Pod pod : pods) {
      if (stays(pod) || !selector.matches(pod.getMetadata().getLabels())) {
        continue;
      }
      String name = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        plan.blocking.add(name + " (terminating)");
      } else if (usesEmptyDir(pod) && !Boolean.TRUE.equals(s.getDeleteEmptyDirData())) {
        plan.blocking.add(name + " (uses emptyDir; set drain.deleteEmptyDirData to evict it)");
      } else {
        plan.toEvict.add(pod);
      }
    }
    return plan;
  }

  /** Nothing left that has to go. */
  public boolean done() {
    return toEvict.isEmpty() && blocking.isEmpty();
  }

  public List<Pod> toEvict() {
    return toEvict;
  }

  /** Pods that stay for now, each with why. */
  public List<String> blocking() {
    return blocking;
  }

  static boolean stays(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(MIRROR_ANNOTATION)) {
      return true;
    }
    if (pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(
                o -> "DaemonSet".equals(o.getKind()) && Boolean.TRUE.equals(o.getController()))) {
      return true;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static boolean usesEmptyDir(Pod pod) {
    return pod.getSpec() != null
        && pod.getSpec().getVolumes() != null
        && pod.getSpec().getVolumes().stream().anyMatch(v -> v.getEmptyDir() != null);
  }

  /**
   * A label selector in kubectl's syntax: {@code k=v}, {@code k==v}, {@code k!=v}, {@code k},
   * {@code !k}, {@code k in (a,b)}, {@code k notin (a,b)}, comma-separated.
   */
  record Selector(LabelSelector selector) {

    static Selector parse(String text) {
      LabelSelector s = new LabelSelector();
      s.setMatchExpressions(new ArrayList<>());
      if (text == null || text.isBlank()) {
        return new Selector(s);
      }
      for (String term : split(text)) {
        String t = term.trim();
        LabelSelectorRequirement r = new LabelSelectorRequirement();
        if (t.contains(" notin ")) {
          r.setKey(t.substring(0, t.indexOf(" notin ")).trim());
          r.setOperator("NotIn");
          r.setValues(values(t.substring(t.indexOf(" notin ") + 7)));
        } else if (t.contains(" in ")) {
          r.setKey(t.substring(0, t.indexOf(" in ")).trim());
          r.setOperator("In");
          r.setValues(values(t.substring(t.indexOf(" in ") + 4)));
        } else if (t.contains("!=")) {
          r.setKey(t.substring(0, t.indexOf("!=")).trim());
          r.setOperator("NotIn");
          r.setValues(List.of(t.substring(t.indexOf("!=") + 2).trim()));
        } else if (t.contains("=")) {
          String[] kv = t.split("==?", 2);
          r.setKey(kv[0].trim());
          r.setOperator("In");
          r.setValues(List.of(kv[1].trim()));
        } else if (t.startsWith("!")) {
          r.setKey(t.substring(1).trim());
          r.setOperator("DoesNotExist");
        } else {
          r.setKey(t);
          r.setOperator("Exists");
        }
        if (r.getKey().isEmpty()) {
          throw new IllegalArgumentException("drain.podSelector: an empty key in '" + text + "'");
        }
        s.getMatchExpressions().add(r);
      }
      return new Selector(s);
    }

    boolean matches(Map<String, String> labels) {
      Map<String, String> l = labels == null ? Map.of() : labels;
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String v = l.get(r.getKey());
        boolean ok =
            switch (r.getOperator()) {
              case "In" -> v != null && r.getValues().contains(v);
              case "NotIn" -> v == null || !r.getValues().contains(v);
              case "Exists" -> v != null;
              default -> v == null;
            };
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    private static List<String> split(String text) {
      List<String> terms = new ArrayList<>();
      int depth = 0;
      StringBuilder cur = new StringBuilder();
      for (char c : text.toCharArray()) {
        if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
        if (c == ',' && depth == 0) {
          terms.add(cur.toString());
          cur.setLength(0);
        } else {
          cur.append(c);
        }
      }
      terms.add(cur.toString());
      return terms;
    }

    private static List<String> values(String text) {
      String t = text.trim();
      if (!t.startsWith("(") || !t.endsWith(")")) {
        throw new IllegalArgumentException("drain.podSelector: expected (a,b) after in/notin");
      }
      return List.of(t.substring(1, t.length() - 1).split(",")).stream().map(String::trim).toList();
    }
  }
}
