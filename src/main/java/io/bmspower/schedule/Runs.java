package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.RunTemplate;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The BareMetalPowerActions a schedule creates: named from the schedule, the action and the
 * scheduled minute, so creating the same run twice (a restart at run time, two passes) is refused
 * by the API server as already existing; labelled and owned by the schedule.
 */
final class Runs {

  private static final int MAX_BASE = 200;

  private Runs() {}

  /** The run for a scheduled time: {@code <schedule>-<action>-<unix minutes>}. */
  static String name(BareMetalPowerSchedule schedule, PowerAction action, Instant at) {
    return base(schedule) + "-" + action.name().toLowerCase(Locale.ROOT) + "-" + minutes(at);
  }

  /** The n-th corrective run of the window that began at {@code windowAt}. */
  static String correctionName(
      BareMetalPowerSchedule schedule, PowerAction action, Instant windowAt, int n) {
    return base(schedule)
        + "-enforce-"
        + action.name().toLowerCase(Locale.ROOT)
        + "-"
        + minutes(windowAt)
        + "-"
        + n;
  }

  /** The label value naming the schedule (a hash when the name is too long for a label). */
  static String label(BareMetalPowerSchedule schedule) {
    String name = schedule.getMetadata().getName();
    return name.length() <= 63 ? name : "h-" + hash(name).substring(0, 40);
  }

  static BareMetalPowerAction build(
      BareMetalPowerSchedule schedule,
      String name,
      PowerAction action,
      Instant scheduledAt,
      List<String> servers) {
    RunTemplate t = schedule.getSpec().getTemplate();
    var run = new BareMetalPowerAction();
    run.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(schedule.getMetadata().getNamespace())
            .withLabels(Map.of(BareMetalPowerSchedule.SCHEDULE_LABEL, label(schedule)))
            .withAnnotations(Map.of(BareMetalPowerSchedule.SCHEDULED_AT, scheduledAt.toString()))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(schedule.getApiVersion())
                    .withKind(schedule.getKind())
                    .withName(schedule.getMetadata().getName())
                    .withUid(schedule.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(false)
                    .build())
            .build());
    var spec = new BareMetalPowerActionSpec();
    spec.setAction(action);
    spec.setServers(new ArrayList<>(servers));
    if (t.getBatchSize() != null) {
      spec.setBatchSize(t.getBatchSize());
    }
    spec.setCloud(t.getCloud());
    spec.setRetry(t.getRetry());
    spec.setActiveDeadlineSeconds(t.getActiveDeadlineSeconds());
    if (t.getPriority() != null) {
      spec.setPriority(t.getPriority());
    }
    run.setSpec(spec);
    return run;
  }

  static boolean ownedBy(BareMetalPowerAction run, BareMetalPowerSchedule schedule) {
    return run.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> o.getUid().equals(schedule.getMetadata().getUid()));
  }

  static boolean finished(BareMetalPowerAction run) {
    return phase(run) != null && phase(run).isTerminal();
  }

  static Phase phase(BareMetalPowerAction run) {
    return run.getStatus() == null ? null : run.getStatus().getPhase();
  }

  static Instant scheduledAt(BareMetalPowerAction run) {
    String at = run.getMetadata().getAnnotations().get(BareMetalPowerSchedule.SCHEDULED_AT);
    return at == null ? Instant.EPOCH : Instant.parse(at);
  }

  private static String base(BareMetalPowerSchedule schedule) {
    String name = schedule.getMetadata().getName();
    return name.length() <= MAX_BASE
        ? name
        : name.substring(0, MAX_BASE - 9) + "-" + hash(name).substring(0, 8);
  }

  private static long minutes(Instant at) {
    return at.getEpochSecond() / 60;
  }

  private static String hash(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
