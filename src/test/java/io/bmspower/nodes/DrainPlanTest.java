package io.bmspower.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bmspower.api.v1alpha1.DrainSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainPlanTest {

  static PodBuilder pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("apps")
        .withName(name)
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .withNodeName("n1")
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .endStatus();
  }

  static Pod daemon() {
    return pod("agent")
        .editMetadata()
        .addNewOwnerReference()
        .withKind("DaemonSet")
        .withName("agent")
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .build();
  }

  static Pod mirror() {
    return pod("static")
        .editMetadata()
        .addToAnnotations(DrainPlan.MIRROR_ANNOTATION, "x")
        .endMetadata()
        .build();
  }

  static Pod emptyDir() {
    return pod("cache")
        .editSpec()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .build();
  }

  @Test
  void daemonSetMirrorAndFinishedPodsStayAndDoNotBlock() {
    Pod finished = pod("job").editStatus().withPhase("Succeeded").endStatus().build();
    var plan = DrainPlan.of(List.of(daemon(), mirror(), finished), null);
    assertThat(plan.done()).isTrue();
  }

  @Test
  void everyOtherPodIsEvictedAndATerminatingOneBlocksUntilGone() {
    Pod web = pod("web").build();
    Pod leaving =
        pod("old")
            .editMetadata()
            .withDeletionTimestamp("2026-11-28T10:00:00Z")
            .endMetadata()
            .build();
    var plan = DrainPlan.of(List.of(web, leaving, daemon()), new DrainSpec());
    assertThat(plan.toEvict()).containsExactly(web);
    assertThat(plan.blocking()).containsExactly("apps/old (terminating)");
    assertThat(plan.done()).isFalse();
  }

  @Test
  void emptyDirBlocksUnlessDeleteEmptyDirData() {
    var refused = DrainPlan.of(List.of(emptyDir()), new DrainSpec());
    assertThat(refused.toEvict()).isEmpty();
    assertThat(refused.blocking())
        .containsExactly("apps/cache (uses emptyDir; set drain.deleteEmptyDirData to evict it)");
    DrainSpec spec = new DrainSpec();
    spec.setDeleteEmptyDirData(true);
    assertThat(DrainPlan.of(List.of(emptyDir()), spec).toEvict()).hasSize(1);
  }

  @Test
  void podSelectorLimitsWhatIsEvictedInKubectlSyntax() {
    DrainSpec spec = new DrainSpec();
    spec.setPodSelector("app!=web,app notin (db, cache)");
    var plan =
        DrainPlan.of(List.of(pod("web").build(), pod("db").build(), pod("api").build()), spec);
    assertThat(plan.toEvict()).extracting(p -> p.getMetadata().getName()).containsExactly("api");

    spec.setPodSelector("app in (web)");
    assertThat(DrainPlan.of(List.of(pod("web").build(), pod("api").build()), spec).toEvict())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("web");
    spec.setPodSelector("!app");
    assertThat(DrainPlan.of(List.of(pod("web").build()), spec).done()).isTrue();
    spec.setPodSelector("app in web");
    assertThatThrownBy(() -> DrainPlan.of(List.of(), spec))
        .hasMessageContaining("expected (a,b) after in/notin");
  }
}
